/**
 * Supervision: a worker that stops answering heartbeats is killed and reported as hung, with
 * what it was doing; a worker that keeps failing at start-up is not restarted in a loop, and
 * its start-up output is in the error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addLogSink, WorkerFailureError } from '../../host/index.ts';
import { environment, isAlive } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';

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
