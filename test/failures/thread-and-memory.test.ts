/**
 * Failures specific to how workers run: a worker over its memory limit (V8's heap limit in
 * process mode, resourceLimits in thread mode) is reported as such; a thread that dies is
 * reported like a process that dies; a function stuck in an endless loop is terminated when the
 * job is cancelled.
 */
import { describe, expect, it } from 'vitest';
import { addLogSink, JobCancelledError, WorkerFailureError } from '../../host/index.ts';
import { environment, isAlive } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  it('a worker over udf.worker.memory-limit is reported as having exceeded it', async () => {
    const env = environment(mode, { 'udf.worker.memory-limit': '64m' });
    const error = await failureOf<WorkerFailureError>(
      env
        .fromCollection([1])
        .map((x: number) => {
          const hog: number[][] = [];
          for (;;) hog.push(new Array<number>(100_000).fill(x));
        })
        .name('Hog')
        .executeAndCollect('oom'),
    );
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('memory-limit');
    expect(error!.operator).toBe('Hog (1/1)');
    expect(error!.message).toContain('exceeded its memory limit (udf.worker.memory-limit)');
  });

  it('a function stuck in an endless loop is terminated when the job is cancelled', async () => {
    const env = environment(mode);
    let entered!: () => void;
    const inLoop = new Promise<void>((resolve) => (entered = resolve));
    const remove = addLogSink((r) => {
      if (r.message === 'entering the loop') entered();
    });
    env
      .fromCollection([1])
      .map((x: number) => {
        // Written synchronously (console.* would wait for the event loop the loop blocks).
        process.stderr.write('entering the loop\n');
        let n = x;
        for (;;) n = (n * 31 + 7) % 1_000_003;
      })
      .print();
    const client = env.executeAsync('stuck');
    await inLoop;
    remove();
    await client.cancel();
    await expect(client.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
    expect(client.workers()).toHaveLength(1);
    for (const w of client.workers()) {
      await w.handle.exited;
      if (w.handle.pid !== undefined) expect(isAlive(w.handle.pid)).toBe(false);
    }
  });
});

describe('thread mode', () => {
  it('a thread killed by an uncaught error is reported like a worker process that crashed', async () => {
    const env = environment('thread');
    const error = await failureOf<WorkerFailureError>(
      env
        .fromCollection([1])
        .map(
          () =>
            new Promise<number>(() => {
              // Thrown outside any call of the function: it kills the thread, as it would a process.
              setImmediate(() => {
                throw new Error('escaped the function');
              });
            }),
        )
        .name('Leaky')
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('crashed');
    expect(error!.operator).toBe('Leaky (1/1)');
    expect(error!.stderrTail).toContain('Error: escaped the function');
  });

  it('a thread that calls process.exit is reported with its exit code', async () => {
    const env = environment('thread');
    const error = await failureOf<WorkerFailureError>(
      env
        .fromCollection([1])
        .map(() => process.exit(3))
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('crashed');
    expect(error!.exitCode).toBe(3);
    expect(error!.message).toContain('crashed with exit code 3');
  });
});
