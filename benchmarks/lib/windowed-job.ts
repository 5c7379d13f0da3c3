/**
 * Runs a job for a fixed time instead of to the end of its input, and measures its throughput
 * in a window of that time at the sink; then cancels it (job-until-cancelled.ts):
 *
 *   executeAsync ─ start-up ─▶ first record at the sink ─ warm-up ─▶ c0,t0 ─ window ─▶ c1,t1 ─▶ cancel
 *
 *   rate = (c1 - c0) / (t1 - t0)
 *
 * c and t are the sink's count and clock at the end of the latest burst of records before each
 * timer fired (counting-sink.ts), so the rate is exact between two arrivals, whatever the batch
 * size; the window actually timed is a little shorter than the one asked for.
 *
 * Why a time window rather than N records (timed-job.ts): the configurations a sweep compares
 * differ in speed by a factor of a thousand (udf.bundle.size 1 against 100,000), so a fixed N
 * would either take minutes or leave a window of milliseconds; a fixed window costs every
 * variant the same time and needs no calibration. The clock starts at the first record, so
 * planning, shipping and worker start-up stay out, and the warm-up keeps JIT tier-up and the
 * filling of the pipeline's buffers out too. A window must still span many batches for the
 * rate to be representative: choose udf.arrow.batch.size accordingly for a slow function.
 */
import { runUntilCancelled, sleep, type JobUntilCancelledSpec } from './job-until-cancelled.ts';
import type { ExecutionMode } from './timed-job.ts';

export interface WindowedJobSpec<O> extends JobUntilCancelledSpec<O> {
  warmUpMs: number;
  windowMs: number;
}

export interface WindowedJob {
  mode: ExecutionMode;
  rowsPerSecond: number;
  /** The window timed: from the last arrival before the window opened to the last before it closed. */
  windowMs: number;
  /** Records that reached the sink within the window. */
  timedRecords: number;
  /** From executeAsync() to the first record at the sink: planning, shipping, worker start-up. */
  startUpMs: number;
  /** From executeAsync() until the job was cancelled and its result settled. */
  jobMs: number;
  firstValue: unknown;
  /** One line per worker still alive after the job (see worker-exit.ts). */
  lingering: string[];
}

export async function runWindowedJob<O>(spec: WindowedJobSpec<O>): Promise<WindowedJob> {
  const job = await runUntilCancelled(spec, async ({ count, checkRunning }) => {
    await sleep(spec.warmUpMs);
    checkRunning();
    const c0 = count.settledCount;
    const t0 = count.settledAt!;
    await sleep(spec.windowMs);
    checkRunning();
    const c1 = count.settledCount;
    const t1 = count.settledAt!;
    if (c1 === c0) {
      throw new Error(`${spec.name} (${spec.mode} mode): no record reached the sink in the ${spec.windowMs} ms window; it is too short for the job's batches`);
    }
    return { records: c1 - c0, ms: t1 - t0 };
  });
  return {
    mode: spec.mode,
    rowsPerSecond: (job.measured.records / job.measured.ms) * 1000,
    windowMs: job.measured.ms,
    timedRecords: job.measured.records,
    startUpMs: job.startUpMs,
    jobMs: job.jobMs,
    firstValue: job.firstValue,
    lingering: job.lingering,
  };
}
