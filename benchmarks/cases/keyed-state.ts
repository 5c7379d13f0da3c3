/**
 * keyed-state (P5): a keyed count with a ValueState over 10,000 distinct keys, against the same
 * pipeline without state (keyBy and a map that reads nothing), in each mode; and the State
 * requests per record the stateful job made. The worker's cache serves each key's value after
 * its first read and writes go back in batches, so state should cost little and requests
 * should be far below one per record. The counting function is written as a Flink or PyFlink
 * user writes it: synchronous, value() then update().
 *
 * The ratio is taken in the jobs' steady state, as P1's and P2's are (throughput-case.ts): each
 * job runs for a fixed time, WARM_UP_MS of its mode from its first record at the sink and then a
 * window of WINDOW_MS in which its rate is taken, and is cancelled. With workers (process and
 * thread mode) the steady state comes late: their per-batch code (transport, framing, the
 * write-back) runs a few hundred times a second and V8 optimises it only after seconds, so the
 * stateless job, whose rows cost least, was still speeding up 4 s in (6.3 M rows/s at 1–2 s, 8.7
 * at 4–5 s and after) and a 1 s warm-up read the ratio 0.05–0.1 high (benchmarks/RESULTS.md,
 * twenty-ninth round). Embedded mode has no such code and is steady within 1 s. A bounded job
 * timed from 5 % of its records timed mostly its start: the fresh workers' code tiering up, and
 * the first bundle, in which every key is read and created on both sides, once per key rather
 * than per record (benchmarks/RESULTS.md, twenty-fourth round). Requests per record come from a
 * bounded job of REQUEST_RECORDS per mode, whose result counts them.
 */
import {
  MapFunction,
  Types,
  ValueStateDescriptor,
  type RuntimeContext,
  type StreamExecutionEnvironment,
  type ValueState,
} from '../../host/index.ts';
import type { BenchmarkCase, CaseContext, CaseReport, ResultRow } from '../lib/benchmark-case.ts';
import { formatCount, formatRate, formatSeconds } from '../lib/format.ts';
import { interleave } from '../lib/interleave.ts';
import { ratioRow } from '../lib/ratio-row.ts';
import { scaledRepetitions } from '../lib/repetitions.ts';
import { median } from '../lib/stats.ts';
import { runTimedJob, type ExecutionMode } from '../lib/timed-job.ts';
import { runWindowedJob, type WindowedJob } from '../lib/windowed-job.ts';

const KEYS = 10_000;
const MODES: readonly ExecutionMode[] = ['process', 'thread', 'embedded'];
/** By mode (the header says why): six jobs a repetition must fit the suite's ten minutes. */
const WARM_UP_MS: Record<ExecutionMode, number> = { process: 4000, thread: 4000, embedded: 1000 };
const WINDOW_MS = 1000;
const QUICK_WARM_UP_MS = 300;
const QUICK_WINDOW_MS = 300;
/** Far more than any job reaches the sink with in its warm-up and window. */
const SEQUENCE_END = 1_000_000_000_000;
/** The bounded job whose result counts the State requests. */
const REQUEST_RECORDS = 1_500_000;
const QUICK_REQUEST_RECORDS = 200_000;

// Not exported: workers get it as source.
class KeyedCount extends MapFunction<number, number> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor('count', Types.LONG()));
  }
  map(_key: number): number {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return n;
  }
}

/** The keyed job with `fn` as its map: every variant is this pipeline, only the function differs. */
function keyedMap(env: StreamExecutionEnvironment, records: number, fn: MapFunction<number, number> | ((x: number) => number)) {
  return env
    .fromSequence(1, records)
    .keyBy((x) => x % 10_000)
    .map(fn, Types.LONG())
    .name('count');
}

type Variant = 'state' | 'none';
/** A fresh map function per job (as a user's job file would make). */
const FUNCTIONS: Record<Variant, () => MapFunction<number, number> | ((x: number) => number)> = {
  state: () => new KeyedCount(),
  none: () => (x: number) => x,
};
const NAMES: Record<Variant, string> = { state: '', none: ' (no state)' };

const keyedState: BenchmarkCase = {
  title: 'keyed count with ValueState over 10,000 keys (P5)',
  profileJob: (mode, records, onWorkerPids) =>
    runTimedJob({ name: `keyed count (${mode})`, records: records ?? 1_000_000, mode, pipeline: (env, n) => keyedMap(env, n, FUNCTIONS.state()), onWorkerPids }),
  async run(ctx: CaseContext): Promise<Omit<CaseReport, 'id' | 'workerPids'>> {
    const { quick } = ctx.options;
    const warmUpMs = (mode: ExecutionMode): number => (quick ? QUICK_WARM_UP_MS : WARM_UP_MS[mode]);
    const windowMs = quick ? QUICK_WINDOW_MS : WINDOW_MS;
    const warnings: string[] = [];
    const job = (mode: ExecutionMode, variant: Variant): Promise<WindowedJob> =>
      runWindowedJob({
        name: `keyed count${NAMES[variant]} (${mode})`,
        mode,
        pipeline: (env) => keyedMap(env, SEQUENCE_END, FUNCTIONS[variant]()),
        onWorkerPids: (pids) => ctx.workerPids(pids),
        warmUpMs: warmUpMs(mode),
        windowMs,
      }).then((j) => {
        warnings.push(...j.lingering);
        return j;
      });
    const reps = await interleave<ExecutionMode, WindowedJob, WindowedJob>({
      variants: MODES,
      // Six jobs a repetition, each paying its workers' start-up: a share of the repetitions.
      repetitions: scaledRepetitions(ctx.options, 0.6),
      measureBaseline: (mode) => job(mode, 'none'),
      measure: (mode) => job(mode, 'state'),
      onRepetition: (rep, r) =>
        ctx.progress(
          `rep ${r + 1}: ` +
            MODES.map((m) => `${m} ${formatRate(rep.result.get(m)!.rowsPerSecond)} vs ${formatRate(rep.baseline.get(m)!.rowsPerSecond)}`).join(', '),
        ),
    });
    const rows: ResultRow[] = [];
    for (const mode of MODES) {
      rows.push(
        ratioRow(
          `${mode}: with state / without`,
          reps.map((r) => ({ value: r.result.get(mode)!.rowsPerSecond, baseline: r.baseline.get(mode)!.rowsPerSecond })),
          formatRate,
          warnings,
        ),
      );
    }
    const records = ctx.options.records ?? (quick ? QUICK_REQUEST_RECORDS : REQUEST_RECORDS);
    for (const mode of MODES) {
      const counted = await runTimedJob({
        name: `keyed count, requests counted (${mode})`,
        records,
        mode,
        pipeline: (env, n) => keyedMap(env, n, FUNCTIONS.state()),
        onWorkerPids: (pids) => ctx.workerPids(pids),
      });
      warnings.push(...counted.lingering);
      const op = counted.result.operator('count');
      rows.push({
        figure: `${mode}: State requests per record`,
        ratio: op.stateRequests / op.recordsIn,
        range: [op.stateRequests / op.recordsIn, op.stateRequests / op.recordsIn],
        caseAbsolute: `${formatCount(op.stateRequests)} requests, ${formatCount(op.stateOperations)} operations`,
        baselineAbsolute: `${formatCount(op.recordsIn)} records`,
      });
    }
    const windows = (pick: (r: (typeof reps)[number]) => Map<ExecutionMode, WindowedJob>) =>
      MODES.map((m) => `${m} ${formatCount(median(reps.map((r) => pick(r).get(m)!.timedRecords)))}`).join(', ');
    return {
      title: keyedState.title,
      workload:
        `fromSequence(1, N).keyBy(x => x % ${KEYS}).map(count with a ValueState) against the same job whose map ` +
        'reads no state; default configuration',
      rows,
      notes: [
        `${formatCount(KEYS)} keys; each job timed at the sink for ${formatSeconds(windowMs)} after ${warmUps(warmUpMs)} of warm-up ` +
          'from its first record (its steady state, as P1 and P2), then cancelled',
        `records in the window (medians): with state ${windows((r) => r.result)}; without ${windows((r) => r.baseline)}`,
        `State requests counted in one bounded job of ${formatCount(records)} records per mode (its result counts them)`,
      ],
      warnings,
    };
  },
};

/** The warm-ups for the report: one figure when the modes share it, else each mode's. */
function warmUps(warmUpMs: (mode: ExecutionMode) => number): string {
  const distinct = new Set(MODES.map(warmUpMs));
  if (distinct.size === 1) return formatSeconds(warmUpMs(MODES[0]!));
  return MODES.map((m) => `${formatSeconds(warmUpMs(m))} (${m})`).join(', ');
}

export default keyedState;
