// Starts a worker, in a process or a thread. Plain JavaScript because it runs before tsx exists.
//
// Started from the worker's build (SLUICE_WORKER_BUILD in a process, `build` in a thread's
// workerData: host/workers/worker-build.ts), it imports the built entry with no module hooks,
// and registers them only when a job's own module must be imported (module-hooks-register.mjs);
// Sluice's API modules that a job's modules import then resolve to the build's own, so that a
// class is one class in the worker whichever way it arrived.
// Started from source, it registers tsx and Sluice's hooks (TypeScript loads as ES modules in
// any project; packages resolve as the job's modules import them) and imports the TypeScript.
import { isMainThread, workerData } from 'node:worker_threads';
import { armModuleHooks } from './module-hooks-register.mjs';

// A worker process's stdout and stderr are pipes to the host, which Node writes asynchronously:
// what is still queued when the process exits (process.exit in a function, a fatal error) is
// lost, and the last lines are the ones that say why it died. Blocking writes lose nothing.
if (isMainThread) {
  for (const stream of [process.stdout, process.stderr]) stream._handle?.setBlocking?.(true);
}

// A thread may name its entry: a worker process's stream relay thread does (worker/stream-relay.ts).
const entry = workerData?.entry ?? (isMainThread ? 'process-main' : 'thread-main');
const build = isMainThread ? JSON.parse(process.env.SLUICE_WORKER_BUILD || 'null') : (workerData?.build ?? null);
if (build !== null) {
  const { dir, redirects } = build;
  // tsx turns them on when it registers; stacks through the build name the TypeScript sources.
  process.setSourceMapsEnabled(true);
  armModuleHooks({ redirects });
  await import(new URL(`worker/${entry}.mjs`, dir).href);
} else {
  armModuleHooks({ now: true });
  await import(`./${entry}.ts`);
}
