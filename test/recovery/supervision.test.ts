/**
 * Supervision: a worker that stops answering heartbeats is killed and reported as hung, with
 * what it was doing; an attempt that keeps failing at start-up (a worker that cannot start, one
 * that dies while it registers, an open() that throws) is not restarted in a loop, and its
 * start-up output is in the error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addLogSink, MapFunction, UserFunctionError, WorkerFailureError } from '../../host/index.ts';
import { addOne } from '../fixtures/exits-when-imported.ts';
import { environment, isAlive, MODES } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';

/** Restarts without end, but for udf.worker.startup-attempts. */
const RESTART_FOR_EVER = {
  'restart-strategy.type': 'fixed-delay',
  'restart-strategy.fixed-delay.attempts': 100,
  'restart-strategy.fixed-delay.delay': 0,
  'udf.worker.startup-attempts': 3,
};

/** Runs the job, collecting the host's "restart N" lines; resolves with the failure and them. */
async function failureAndRestarts<E>(run: () => Promise<unknown>): Promise<{ error: E | null; restarts: string[]; refusal: string[] }> {
  const restarts: string[] = [];
  const refusal: string[] = [];
  const remove = addLogSink((r) => {
    if (/restart \d+ /.test(r.message)) restarts.push(r.message);
    if (r.message.includes('not restarted')) refusal.push(r.message);
  });
  const error = await failureOf<E>(run()).finally(remove);
  return { error, restarts, refusal };
}

class NeverOpens extends MapFunction<number, number> {
  override open(): void {
    throw new Error('open failed (config missing)');
  }
  map(x: number): number {
    return x;
  }
}

describe.each(MODES)('%s mode: start-up failures in a row', (mode) => {
  it('an open() that always throws under the restart policy stops after udf.worker.startup-attempts', async () => {
    const env = environment(mode, { ...RESTART_FOR_EVER, 'execution.checkpointing.interval': 100 });
    env.fromCollection([1, 2, 3]).map(new NeverOpens()).name('Opener').setFailurePolicy('restart').print();
    const { error, restarts, refusal } = await failureAndRestarts<UserFunctionError>(() => env.execute('open loop'));
    // Three attempts in all: two restarts, then it stops.
    expect(restarts).toHaveLength(2);
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.functionName).toBe('NeverOpens.open()');
    expect(error!.causeMessage).toBe('open failed (config missing)');
    expect(refusal).toEqual([
      "job 'open loop' failed and is not restarted: 3 attempts in a row failed during start-up (udf.worker.startup-attempts is 3)",
    ]);
  });
});

describe.each(['process', 'thread'] as const)('%s mode: a worker that dies while it registers', (mode) => {
  it('is a start-up failure, with its output, and is not restarted in a loop', async () => {
    const env = environment(mode, RESTART_FOR_EVER);
    env.fromCollection([1]).map((x: number) => addOne(x)).name('Importer').print();
    const { error, restarts } = await failureAndRestarts<WorkerFailureError>(() => env.execute('exits at import'));
    expect(restarts).toHaveLength(2);
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('startup-failed');
    expect(error!.exitCode).toBe(5);
    expect(error!.operator).toBe('Importer (1/1)');
    expect(error!.stderrTail).toBe('exits-when-imported: giving up at import');
    expect(error!.message.split('\n')[0]).toBe(
      `worker ${error!.workerId} (operator 'Importer (1/1)') failed during start-up; ` +
        "it exited with code 5 before its functions were loaded and opened; while registering 'udf-2'",
    );
  });
});

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  it('a hung function is detected, killed and reported as hung', async () => {
    const env = environment(mode, { 'udf.worker.heartbeat-interval': 100, 'udf.worker.heartbeat-timeout': 1000 });
    env
      .fromCollection([1, 2])
      .map((x: number) => {
        let n = x;
        if (x === 2) for (;;) n = (n * 7 + 1) % 1_000_003;
        return n;
      })
      .name('Spinner')
      .print();
    const job = env.executeAsync('hung');
    const error = await failureOf<WorkerFailureError>(job.getJobExecutionResult());
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('hung');
    expect(error!.operator).toBe('Spinner (1/1)');
    expect(error!.message).toContain('hung: it did not answer a heartbeat within udf.worker.heartbeat-timeout');
    expect(error!.activity).toBe('processing a bundle');
    for (const w of job.workers()) if (w.handle.pid !== undefined) expect(isAlive(w.handle.pid)).toBe(false);
  });
});

describe('process mode: start-up failures', () => {
  const saved = process.env['SLUICE_WORKER_EXEC_ARGV'];
  afterEach(() => {
    if (saved === undefined) delete process.env['SLUICE_WORKER_EXEC_ARGV'];
    else process.env['SLUICE_WORKER_EXEC_ARGV'] = saved;
  });

  it('a worker that keeps failing at start-up is not restarted in a loop', async () => {
    // Node refuses the flag at once: every worker dies before it connects.
    process.env['SLUICE_WORKER_EXEC_ARGV'] = '--no-such-node-flag';
    const env = environment('process', {
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 100,
      'restart-strategy.fixed-delay.delay': 0,
      'udf.worker.startup-attempts': 3,
    });
    env.fromCollection([1]).map((x: number) => x).print();
    const restarts: string[] = [];
    const remove = addLogSink((r) => {
      if (/restart \d+ /.test(r.message)) restarts.push(r.message);
    });
    const client = env.executeAsync('crash loop');
    const error = await failureOf<WorkerFailureError>(
      client
        .getJobExecutionResult(),
    )
      .finally(remove);
    // Three attempts in all: two restarts, then it stops.
    expect(restarts).toHaveLength(2);
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('startup-failed');
    expect(error!.stderrTail).toContain('--no-such-node-flag');
    expect(error!.message).toContain('failed during start-up');
    expect(error!.message).toContain('bad option: --no-such-node-flag');
  });
});
