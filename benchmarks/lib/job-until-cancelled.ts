/**
 * Runs a job that would not end by itself (an unbounded source, or a sequence far longer than
 * the measurement) into a counting sink, lets the caller measure it while it runs, then cancels
 * it and checks that its workers are gone:
 *
 *   executeAsync ─ start-up ─▶ first record at the sink ─▶ measure(running) ─▶ cancel ─▶ workers exited?
 *
 * A job that ends or fails before it is cancelled is an error: its figures would describe a
 * job that was not running. Whatever goes wrong, no job outlives its measurement.
 */
import { JobCancelledError, StreamExecutionEnvironment, type DataStream, type JobClient } from '../../host/index.ts';
import { CountingSink, type SinkCount } from './counting-sink.ts';
import type { ExecutionMode } from './timed-job.ts';
import { checkWorkersExited } from './worker-exit.ts';

export interface JobUntilCancelledSpec<O> {
  name: string;
  mode: ExecutionMode;
  /** Configuration besides the mode (keys of docs/configuration.md). */
  config?: Record<string, unknown>;
  /** The job up to the stream the counting sink consumes; it must not end by itself. */
  pipeline(env: StreamExecutionEnvironment): DataStream<O>;
  /** Told the OS process ids of the job's workers once it has ended, failed or not. */
  onWorkerPids(pids: readonly number[]): void;
}

export interface RunningJob {
  count: SinkCount;
  client: JobClient;
  /** performance.now() when the first record reached the sink. */
  firstAt: number;
  /** Throws if the job has ended (failed, or its source ran out) before being cancelled. */
  checkRunning(): void;
}

export interface CancelledJob<T> {
  measured: T;
  /** From executeAsync() to the first record at the sink: planning, shipping, worker start-up. */
  startUpMs: number;
  /** From executeAsync() until the job was cancelled and its result settled. */
  jobMs: number;
  firstValue: unknown;
  /** One line per worker still alive after the job (see worker-exit.ts). */
  lingering: string[];
}

export async function runUntilCancelled<O, T>(spec: JobUntilCancelledSpec<O>, measure: (job: RunningJob) => Promise<T>): Promise<CancelledJob<T>> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ ...spec.config, 'udf.execution-mode': spec.mode });
  const { sink, count } = CountingSink.create<O>();
  spec.pipeline(env).addSink(sink);
  const what = `${spec.name} (${spec.mode} mode)`;
  const started = performance.now();
  const client = env.executeAsync(spec.name);
  // Why the job ended, once it has: null while it runs.
  let ended: { error: unknown } | null = null;
  const outcome = client.getJobExecutionResult().then(
    () => (ended = { error: null }),
    (error: unknown) => (ended = { error }),
  );
  const checkRunning = (): void => {
    if (ended !== null) throw endedEarly(what, ended.error, `after ${count.count} records, before it was cancelled`);
  };
  try {
    const firstAt = await Promise.race([count.firstArrival, outcome.then(() => null)]);
    if (firstAt === null) throw endedEarly(what, (ended as { error: unknown } | null)?.error, 'before any record reached the sink');
    const measured = await measure({ count, client, firstAt, checkRunning });
    checkRunning();
    await client.cancel();
    await outcome;
    const error = (ended as { error: unknown } | null)?.error;
    if (!(error instanceof JobCancelledError)) throw endedEarly(what, error, 'instead of being cancelled');
    const jobMs = performance.now() - started;
    const exits = await checkWorkersExited(client);
    spec.onWorkerPids(exits.pids);
    return { measured, startUpMs: firstAt - started, jobMs, firstValue: count.firstValue, lingering: exits.lingering };
  } catch (error) {
    await client.cancel();
    const exits = await checkWorkersExited(client);
    spec.onWorkerPids(exits.pids);
    if (exits.lingering.length > 0 && error instanceof Error) error.message += `; and then: ${exits.lingering.join('; ')}`;
    throw error;
  } finally {
    CountingSink.release(count);
  }
}

function endedEarly(what: string, error: unknown, when: string): Error {
  if (error instanceof Error) {
    error.message = `${what} failed ${when}: ${error.message}`;
    return error;
  }
  return new Error(`${what} ended ${when}; its source must outlast the measurement`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sleeps until performance.now() reaches `at` (at once if it has). */
export function sleepUntil(at: number): Promise<void> {
  return sleep(Math.max(0, at - performance.now()));
}
