// Starts a worker: registers tsx (so that user modules written in TypeScript load with no build
// step) and Sluice's hooks (shared/module-hooks.ts: TypeScript loads as ES modules in any
// project; packages resolve as the job's modules import them), then runs the entry for this mode. Plain JavaScript because it runs before tsx exists.
import { register as registerHook } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
registerHook('../shared/module-hooks.ts', import.meta.url);
await import(isMainThread ? './process-main.ts' : './thread-main.ts');
