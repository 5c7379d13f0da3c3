/**
 * Runs one case in a Node process of its own, started by run.ts:
 *
 *   run.ts ── fork(case-process.ts <id> <options>) ──▶ case process (host of the case's jobs)
 *          ◀── { kind: 'report', report } over IPC ──  and its workers (processes / threads)
 *          ◀── progress lines on stderr ─────────────
 *
 * A process per case keeps one case's JIT state, heap and leftovers out of the next case's
 * figures, and lets the run check that the case process (and everything it started) ends.
 * This file is the entry point, so workers never import it (host/shipping/job-entry.ts).
 */
import { addLogSink, setLogLevel } from '../host/index.ts';
import type { BenchmarkCase, CaseOptions, CaseReport } from './lib/benchmark-case.ts';
import { caseModuleUrl } from './lib/case-registry.ts';

export type CaseMessage =
  | { kind: 'report'; report: CaseReport }
  | { kind: 'error'; message: string }
  /** Sent as soon as a job's workers are known, so that a failed case still has them checked. */
  | { kind: 'workers'; pids: number[] };

async function main(): Promise<void> {
  const [id, optionsJson] = process.argv.slice(2);
  if (id === undefined || optionsJson === undefined || process.send === undefined) {
    throw new Error('case-process.ts is started by benchmarks/run.ts, not by hand');
  }
  const options = JSON.parse(optionsJson) as CaseOptions;
  if (process.env['SLUICE_LOG_LEVEL'] === undefined) setLogLevel('warn');
  const logged: string[] = [];
  addLogSink((record) => {
    if (record.level === 'warn' || record.level === 'error') logged.push(`${record.level}: ${record.message.split('\n')[0]}`);
  });

  const module = (await import(caseModuleUrl(id))) as { default?: BenchmarkCase };
  const benchmark = module.default;
  if (benchmark === undefined || typeof benchmark.run !== 'function') {
    throw new Error(`benchmarks/cases/${id}.ts must export a BenchmarkCase as its default export`);
  }
  const workerPids: number[] = [];
  const result = await benchmark.run({
    options,
    progress: (line) => process.stderr.write(`[${id}] ${line}\n`),
    workerPids: (pids) => {
      workerPids.push(...pids);
      if (pids.length > 0) process.send!({ kind: 'workers', pids: [...pids] } satisfies CaseMessage);
    },
  });
  const warnings = [...result.warnings];
  if (logged.length > 0) {
    warnings.push(`the runtime logged ${logged.length} warning(s)/error(s); the first: ${logged.slice(0, 3).join(' | ')}`);
  }
  await send({ kind: 'report', report: { ...result, warnings, id, workerPids } });
}

function send(message: CaseMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, undefined, (e) => (e ? reject(e) : resolve())));
}

main().then(
  // Nothing is left to do: if the process does not exit now, something the runtime started
  // still holds the event loop, and run.ts reports it.
  () => process.disconnect?.(),
  async (error: unknown) => {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    if (process.send !== undefined) await send({ kind: 'error', message }).catch(() => undefined);
    process.exitCode = 1;
    process.disconnect?.();
  },
);
