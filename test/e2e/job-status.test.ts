/**
 * JobClient.getJobId() and getJobStatus(), as Flink's: a job is RUNNING while its attempt runs,
 * RESTARTING while the restart strategy waits, and ends FINISHED, FAILED or CANCELED. Each state
 * is looked at once the job is known to be in it (a source that has started, the log line of a
 * restart), never after a sleep.
 */
import { describe, expect, it } from 'vitest';
import { addLogSink, JobCancelledError, SourceFunction, UserFunctionError } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import { FailsOnce } from '../recovery/fails-once.ts';

/** Emits 1, 2, 3 once told to; tells when it has started; cancelled, it returns. */
class HeldSource extends SourceFunction<number> {
  private stop: (() => void) | null = null;
  constructor(
    private readonly started: () => void,
    private readonly release: Promise<void>,
  ) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    const stopped = new Promise<'stopped'>((resolve) => (this.stop = () => resolve('stopped')));
    this.started();
    if ((await Promise.race([this.release, stopped])) === 'stopped') return;
    yield* [1, 2, 3];
  }
  override cancel(): void {
    this.stop?.();
  }
}

/** A source that starts and a promise resolved when it has, and the release it waits for. */
function held(): { source: HeldSource; started: Promise<void>; release: () => void } {
  let started!: () => void;
  let release!: () => void;
  const startedP = new Promise<void>((resolve) => (started = resolve));
  const releaseP = new Promise<void>((resolve) => (release = resolve));
  return { source: new HeldSource(started, releaseP), started: startedP, release };
}

/** Resolves when the host logs a line matching `pattern`. */
function logged(pattern: RegExp): { seen: Promise<void>; remove: () => void } {
  let remove!: () => void;
  const seen = new Promise<void>((resolve) => {
    remove = addLogSink((r) => {
      if (pattern.test(r.message)) resolve();
    });
  });
  return { seen, remove };
}

describe.each(MODES)('%s mode', (mode) => {
  it('a job is RUNNING while it runs and FINISHED once done; its id is 32 hex digits, different for each job', async () => {
    const env = environment(mode);
    const { source, started, release } = held();
    const out = collect(env.addSource(source).map((x: number) => x * 2));
    const starts = logged(/^job 'status' \([0-9a-f]{32}\) starts/);
    const client = env.executeAsync('status');
    expect(client.getJobId()).toMatch(/^[0-9a-f]{32}$/);
    await starts.seen.finally(starts.remove);
    await started;
    expect(await client.getJobStatus()).toBe('RUNNING');
    release();
    await client.getJobExecutionResult();
    expect(await client.getJobStatus()).toBe('FINISHED');
    expect(out).toEqual([2, 4, 6]);

    const again = environment(mode);
    again.fromCollection([1]).print();
    const other = again.executeAsync('other');
    await other.getJobExecutionResult();
    expect(other.getJobId()).not.toBe(client.getJobId());
  });

  it('a cancelled job is CANCELED; cancelling a finished one changes nothing', async () => {
    const env = environment(mode);
    const { source, started } = held();
    collect(env.addSource(source).map((x: number) => x));
    const client = env.executeAsync('cancelled');
    await started;
    await client.cancel();
    expect(await client.getJobStatus()).toBe('CANCELED');
    expect(await failureOf(client.getJobExecutionResult())).toBeInstanceOf(JobCancelledError);

    const done = environment(mode);
    done.fromCollection([1]).print();
    const finished = done.executeAsync('done');
    await finished.getJobExecutionResult();
    await finished.cancel();
    expect(await finished.getJobStatus()).toBe('FINISHED');
  });

  it('a job that fails for good is FAILED', async () => {
    const env = environment(mode);
    collect(env.fromCollection([1, 2, 3]).map(new FailsOnce(2)));
    const client = env.executeAsync('fails');
    expect(await failureOf(client.getJobExecutionResult())).toBeInstanceOf(UserFunctionError);
    expect(await client.getJobStatus()).toBe('FAILED');
  });

  it('a job waiting to restart is RESTARTING; cancelled then, CANCELED', async () => {
    const env = environment(mode, {
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 1,
      'restart-strategy.fixed-delay.delay': 3_600_000,
    });
    collect(env.fromCollection([1, 2, 3]).map(new FailsOnce(2)).setFailurePolicy('restart'));
    const restart = logged(/^job 'restarts' failed: .*; restart 1 /);
    const client = env.executeAsync('restarts');
    await restart.seen.finally(restart.remove);
    expect(await client.getJobStatus()).toBe('RESTARTING');
    await client.cancel();
    expect(await client.getJobStatus()).toBe('CANCELED');
  });
});
