/**
 * keyed-state (P5): a keyed count with a ValueState over 10,000 distinct keys, against the same
 * pipeline without state (keyBy and a map that reads nothing), in each mode; and the State
 * requests per record the stateful job made. The worker's cache serves each key's value after
 * its first read and writes go back in batches, so state should cost little and requests
 * should be far below one per record. The counting function is written as a Flink or PyFlink
 * user writes it: synchronous, value() then update().
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
import { formatCount, formatRate } from '../lib/format.ts';
import { interleave } from '../lib/interleave.ts';
import { ratioRow } from '../lib/ratio-row.ts';
import { scaledRepetitions } from '../lib/repetitions.ts';
import { median, range } from '../lib/stats.ts';
import { runTimedJob, type ExecutionMode, type TimedJob } from '../lib/timed-job.ts';

const KEYS = 10_000;
const MODES: readonly ExecutionMode[] = ['process', 'thread', 'embedded'];

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
    const records = ctx.options.records ?? (ctx.options.quick ? 200_000 : 1_500_000);
    const job = (mode: ExecutionMode, variant: Variant): Promise<TimedJob> =>
      runTimedJob({
        name: `keyed count${NAMES[variant]} (${mode})`,
        records,
        mode,
        pipeline: (env, n) => keyedMap(env, n, FUNCTIONS[variant]()),
        onWorkerPids: (pids) => ctx.workerPids(pids),
      });
    const reps = await interleave<ExecutionMode, TimedJob, TimedJob>({
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
    const warnings: string[] = [];
    const rows: ResultRow[] = [];
    const stateful = (r: (typeof reps)[number], mode: ExecutionMode): TimedJob => r.result.get(mode)!;
    for (const mode of MODES) {
      rows.push(
        ratioRow(
          `${mode}: with state / without`,
          reps.map((r) => ({ value: stateful(r, mode).rowsPerSecond, baseline: r.baseline.get(mode)!.rowsPerSecond })),
          formatRate,
          warnings,
        ),
      );
    }
    for (const mode of MODES) {
      const perRecord = reps.map((r) => {
        const op = stateful(r, mode).result.operator('count');
        return op.stateRequests / op.recordsIn;
      });
      const ops = median(reps.map((r) => stateful(r, mode).result.operator('count').stateOperations));
      rows.push({
        figure: `${mode}: State requests per record`,
        ratio: median(perRecord),
        range: range(perRecord),
        caseAbsolute: `${formatCount(median(reps.map((r) => stateful(r, mode).result.operator('count').stateRequests)))} requests, ${formatCount(ops)} operations`,
        baselineAbsolute: `${formatCount(records)} records`,
      });
    }
    return {
      title: keyedState.title,
      workload:
        `fromSequence(1, N).keyBy(x => x % ${KEYS}).map(count with a ValueState) against the same job whose map ` +
        'reads no state; default configuration',
      rows,
      notes: [`${formatCount(records)} records, ${formatCount(KEYS)} keys`],
      warnings,
    };
  },
};

export default keyedState;
