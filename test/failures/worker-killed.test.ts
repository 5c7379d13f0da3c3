/**
 * A worker killed mid-bundle fails the job with its signal and the last lines of its stderr, in
 * bounded time, and leaves no worker behind.
 */
import { describe, expect, it } from 'vitest';
import { SourceFunction, WorkerFailureError } from '../../host/index.ts';
import { CallbackSink, environment, isAlive } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';

/** Emits 1, then waits until the test lets it go on (it never does: the job fails first). */
class HoldsAfterFirst extends SourceFunction<number> {
  constructor(private readonly hold: Promise<void>) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    yield 1;
    await this.hold;
    yield 2;
  }
}

/**
 * Runs `source (emits 1, then holds) → map(fn) named Echo → sink` in process mode, kills the
 * worker with SIGKILL once the record has reached the sink, and returns how the job failed.
 */
async function killAfterFirstRecord(settings: Record<string, unknown>, fn: (x: number) => number) {
  const env = environment('process', settings);
  let firstSeen!: () => void;
  const seen = new Promise<void>((resolve) => (firstSeen = resolve));
  env
    .addSource(new HoldsAfterFirst(new Promise<void>(() => undefined)), 'Held')
    .map(fn)
    .name('Echo')
    .addSink(new CallbackSink<number>(() => firstSeen()));
  const client = env.executeAsync('killed');
  await seen;
  const [worker] = client.workers();
  const pid = worker!.handle.pid!;
  process.kill(pid, 'SIGKILL');
  const error = await failureOf<WorkerFailureError>(client.getJobExecutionResult());
  expect(error).toBeInstanceOf(WorkerFailureError);
  expect(error!.kind).toBe('killed');
  expect(error!.signal).toBe('SIGKILL');
  expect(error!.message).toContain(`worker ${worker!.handle.id} (operator 'Echo (1/1)') was killed by signal SIGKILL`);
  expect(isAlive(pid)).toBe(false);
  return error!;
}

describe('process mode', () => {
  it('a worker killed with SIGKILL mid-bundle fails the job as "killed by signal SIGKILL"', async () => {
    // The bundle stays open until the kill: it ends neither by size nor by time.
    const error = await killAfterFirstRecord({ 'udf.bundle.time': 3_600_000 }, (x: number) => {
      process.stderr.write(`worker saw ${x}\n`);
      return x;
    });
    expect(error.operator).toBe('Echo (1/1)');
    expect(error.stderrTail).toContain('worker saw 1');
    expect(error.message).toContain('while processing a bundle');
  });

  it('a worker killed while its task waits for input (no bundle open) fails the job at once', async () => {
    // Each record is a bundle of its own; the source then waits for ever.
    await killAfterFirstRecord({ 'udf.bundle.size': 1 }, (x: number) => x);
  });

  it('a worker that exits on its own fails the job with its exit code', async () => {
    const env = environment('process');
    const error = await failureOf<WorkerFailureError>(
      env
        .fromCollection([1, 2, 3])
        .map((x: number) => {
          if (x === 2) {
            process.stderr.write('giving up\n');
            process.exit(7);
          }
          return x;
        })
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(WorkerFailureError);
    expect(error!.kind).toBe('crashed');
    expect(error!.exitCode).toBe(7);
    expect(error!.message).toContain('crashed with exit code 7');
    expect(error!.stderrTail).toContain('giving up');
  });
});
