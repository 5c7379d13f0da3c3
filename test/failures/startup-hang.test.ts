/**
 * A start-up that never settles (an async open() whose promise never resolves, a module whose
 * top-level await never does) keeps the worker's event loop free, so heartbeats are answered:
 * it fails the job once udf.worker.startup-timeout has passed, naming the operator, the function
 * and the step it was at, as a start-up failure; the worker is killed (process) or terminated
 * (thread). The test finishing is the proof that the job did not hang.
 */
import { describe, expect, it } from 'vitest';
import { addLogSink, MapFunction, WorkerFailureError, type JobClient } from '../../host/index.ts';
import { addTwo } from '../fixtures/startup-hang-at-import.ts';
import { environment, isAlive, MODES, type Mode } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';

/**
 * Small, but enough for a worker to connect on a busy machine (the same timeout bounds that):
 * the start-up of a worker is timed in two parts, connecting, then loading and opening.
 */
function startupTimeout(mode: Mode): number {
  return mode === 'embedded' ? 200 : 4000;
}

function settings(mode: Mode): Record<string, unknown> {
  return { 'udf.worker.startup-timeout': startupTimeout(mode), 'udf.worker.heartbeat-interval': 100 };
}

class NeverOpens extends MapFunction<number, number> {
  override async open(): Promise<void> {
    await new Promise<never>(() => undefined);
  }
  map(x: number): number {
    return x;
  }
}

class SpinsInOpen extends MapFunction<number, number> {
  override open(): void {
    let n = 1;
    for (;;) n = (n * 7 + 1) % 1_000_003;
  }
  map(x: number): number {
    return x;
  }
}

/** Runs the job to its failure; then every worker it had has exited (killed, or terminated). */
async function startupFailure(mode: Mode, job: JobClient): Promise<WorkerFailureError> {
  const error = await failureOf<WorkerFailureError>(job.getJobExecutionResult());
  expect(error).toBeInstanceOf(WorkerFailureError);
  expect(error!.kind).toBe('startup-failed');
  if (mode === 'process') {
    expect(error!.signal).toBe('SIGKILL');
    for (const w of job.workers()) expect(isAlive(w.handle.pid!)).toBe(false);
  }
  if (mode === 'thread') {
    // What worker.terminate() leaves.
    expect(error!.exitCode).toBe(1);
    for (const w of job.workers()) expect((await w.handle.exited).code).toBe(1);
  }
  return error!;
}

describe.each(MODES)('%s mode: an open() whose promise never resolves', (mode) => {
  it('fails the job as a start-up failure naming the operator and the function', async () => {
    const env = environment(mode, settings(mode));
    env.fromCollection([1, 2]).map(new NeverOpens()).name('Slow').print();
    const error = await startupFailure(mode, env.executeAsync('open never resolves'));
    const workerId = mode === 'embedded' ? 'embedded' : error.workerId;
    expect(error.operator).toBe('Slow (1/1)');
    expect(error.message.split('\n')[0]).toBe(
      `worker ${workerId} (operator 'Slow (1/1)') failed during start-up; ` +
        `NeverOpens.open() of operator 'Slow' did not complete within udf.worker.startup-timeout (${startupTimeout(mode)} ms)` +
        (mode === 'embedded'
          ? " (embedded mode: it runs on the host's thread, which cannot stop it)"
          : "; while registering 'udf-2'"),
    );
  });

  it('names the function chained after others whose open() never resolves', async () => {
    const env = environment(mode, settings(mode));
    env
      .fromCollection([1, 2])
      .map((x: number) => x + 1)
      .name('First')
      .map(new NeverOpens())
      .name('Second')
      .print();
    const error = await startupFailure(mode, env.executeAsync('chained open never resolves'));
    expect(error.operator).toBe('First (1/1)');
    expect(error.message).toContain(
      `NeverOpens.open() of operator 'Second' did not complete within udf.worker.startup-timeout (${startupTimeout(mode)} ms)`,
    );
  });
});

// In embedded mode the functions are the host's own: their modules were imported by the job
// itself, before it ran (where a top-level await that never settles is the job file's own).
describe.each(['process', 'thread'] as const)('%s mode: a module whose top-level await never settles', (mode) => {
  it('as the module a function is exported from: its loading is named', async () => {
    const env = environment(mode, settings(mode));
    env.fromCollection([1]).map(addTwo).name('Importer').print();
    const error = await startupFailure(mode, env.executeAsync('function module hangs at import'));
    expect(error.operator).toBe('Importer (1/1)');
    expect(error.message).toContain(
      "loading addTwo of operator 'Importer' (importing its module and the modules it uses) " +
        `did not complete within udf.worker.startup-timeout (${startupTimeout(mode)} ms)`,
    );
  });

  it('as a module the job’s function imports: its loading is named', async () => {
    const env = environment(mode, settings(mode));
    env
      .fromCollection([1])
      .map(function plusTwo(x: number) {
        return addTwo(x);
      })
      .name('Importer')
      .print();
    const error = await startupFailure(mode, env.executeAsync('imported module hangs at import'));
    expect(error.message).toContain(
      "loading plusTwo of operator 'Importer' (importing its module and the modules it uses) " +
        `did not complete within udf.worker.startup-timeout (${startupTimeout(mode)} ms)`,
    );
  });
});

// A blocked event loop cannot say where it is: the host times the start-up out itself. In
// embedded mode such an open() blocks the host's own thread, as any function's endless loop does.
describe.each(['process', 'thread'] as const)('%s mode: an open() that blocks the event loop', (mode) => {
  it('is timed out by the host, naming the functions of the operator', async () => {
    const env = environment(mode, settings(mode));
    env.fromCollection([1]).map(new SpinsInOpen()).name('Spin').print();
    const error = await startupFailure(mode, env.executeAsync('open spins'));
    expect(error.operator).toBe('Spin (1/1)');
    expect(error.message.split('\n')[0]).toBe(
      `worker ${error.workerId} (operator 'Spin (1/1)') failed during start-up; ` +
        "loading and opening its functions (SpinsInOpen of operator 'Spin') did not complete within " +
        `udf.worker.startup-timeout (${startupTimeout(mode)} ms), and the worker did not say where it was ` +
        "(synchronous code that does not return may be blocking it); while registering 'udf-2'",
    );
  });
});

describe.each(MODES)('%s mode: restarts', (mode) => {
  it('a start-up that never settles stops the restarts after udf.worker.startup-attempts', async () => {
    const env = environment(mode, {
      ...settings(mode),
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 100,
      'restart-strategy.fixed-delay.delay': 0,
      'udf.worker.startup-attempts': 3,
    });
    env.fromCollection([1]).map(new NeverOpens()).name('Slow').print();
    const restarts: string[] = [];
    const refusal: string[] = [];
    const remove = addLogSink((r) => {
      if (/restart \d+ /.test(r.message)) restarts.push(r.message);
      if (r.message.includes('not restarted')) refusal.push(r.message);
    });
    const error = await startupFailure(mode, env.executeAsync('open loop')).finally(remove);
    // Three attempts in all: two restarts, then it stops.
    expect(restarts).toHaveLength(2);
    expect(error.message).toContain(`NeverOpens.open() of operator 'Slow' did not complete within udf.worker.startup-timeout`);
    expect(refusal).toEqual([
      "job 'open loop' failed and is not restarted: 3 attempts in a row failed during start-up (udf.worker.startup-attempts is 3)",
    ]);
  });
});
