/**
 * Runs one job to completion and measures its steady-state throughput with a TimingSink.
 * A fresh environment per job: nothing carries over from one measured run to the next but the
 * host process itself.
 */
import { StreamExecutionEnvironment, type DataStream, type JobExecutionResult } from '../../host/index.ts';
import { TimingSink } from './timing-sink.ts';
import { checkWorkersExited } from './worker-exit.ts';

export type ExecutionMode = 'process' | 'thread' | 'embedded';

export interface TimedJobSpec<O> {
  name: string;
  records: number;
  mode: ExecutionMode;
  /** Extra configuration (e.g. udf.bundle.size for a sweep); the mode is set by the harness. */
  config?: Record<string, unknown>;
  /** Builds the job up to the stream the sink consumes; it must produce exactly `records` values. */
  pipeline(env: StreamExecutionEnvironment, records: number): DataStream<O>;
  /** Told the OS process ids of the job's workers once it has ended, failed or not. */
  onWorkerPids(pids: readonly number[]): void;
}

export interface TimedJob {
  mode: ExecutionMode;
  records: number;
  rowsPerSecond: number;
  /** Records in the timed window: N − W. */
  timedRecords: number;
  /** Length of the timed window (record W to record N at the sink). */
  windowMs: number;
  /** performance.now() at the window's start and end. */
  window: [number, number];
  /** Wall time of the whole job, from execute() to its result: includes start-up and shutdown. */
  jobMs: number;
  firstValue: unknown;
  lingering: string[];
  /** What execute() returned: per-operator counts (records, State requests). */
  result: JobExecutionResult;
}

export async function runTimedJob<O>(spec: TimedJobSpec<O>): Promise<TimedJob> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ ...spec.config, 'udf.execution-mode': spec.mode });
  const { sink, timing } = TimingSink.create<O>(spec.records);
  spec.pipeline(env, spec.records).addSink(sink);
  const started = performance.now();
  const client = env.executeAsync(spec.name);
  let result: JobExecutionResult | null = null;
  const failure = await client.getJobExecutionResult().then(
    (r) => {
      result = r;
      return null;
    },
    (error: unknown) => error ?? new Error('the job failed without a reason'),
  );
  const jobMs = performance.now() - started;
  TimingSink.release(timing);
  const exits = await checkWorkersExited(client);
  spec.onWorkerPids(exits.pids);
  if (failure !== null) {
    if (exits.lingering.length > 0 && failure instanceof Error) failure.message += `; and then: ${exits.lingering.join('; ')}`;
    throw failure;
  }
  if (timing.count !== spec.records || timing.windowStart === null || timing.windowEnd === null) {
    throw new Error(`${spec.name} (${spec.mode} mode): the sink received ${timing.count} records, expected ${spec.records}`);
  }
  const windowMs = timing.windowEnd - timing.windowStart;
  if (!(windowMs > 0)) {
    throw new Error(`${spec.name} (${spec.mode} mode): all ${spec.records} records reached the sink at once; too few records to time`);
  }
  return {
    mode: spec.mode,
    records: spec.records,
    rowsPerSecond: (timing.timedRecords / windowMs) * 1000,
    timedRecords: timing.timedRecords,
    windowMs,
    window: [timing.windowStart, timing.windowEnd],
    jobMs,
    firstValue: timing.firstValue,
    lingering: exits.lingering,
    result: result!,
  };
}
