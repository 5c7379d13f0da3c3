/**
 * bundle-sweep: throughput of the int64 map across udf.bundle.size and udf.arrow.batch.size, in
 * process and thread mode, each against the default configuration measured in the same
 * repetition and mode: a table to tune from. Every job runs for a fixed time window and is
 * then cancelled (windowed-job.ts), because the configurations differ in speed by three orders
 * of magnitude (bundle size 1 is a round trip to the worker per record).
 *
 *   rep 1:  process: D b1 b100 b1k b10k a100 a1k    thread: D b1 b100 …
 *   rep 2:  thread:  D b100 b1k … b1                process: D b100 b1k … b1
 *
 * D = default configuration (the baseline of the mode's ratios in that repetition),
 * bN = udf.bundle.size N, aN = udf.arrow.batch.size N. The modes alternate in order and the
 * variants rotate, so that none always runs right after the baseline.
 */
import { Types } from '../../host/index.ts';
import type { BenchmarkCase, CaseContext, CaseReport, ResultRow } from '../lib/benchmark-case.ts';
import { formatCount, formatRate, formatSeconds } from '../lib/format.ts';
import { ratioRow } from '../lib/ratio-row.ts';
import { scaledRepetitions } from '../lib/repetitions.ts';
import { median } from '../lib/stats.ts';
import type { ExecutionMode } from '../lib/timed-job.ts';
import { runWindowedJob, type WindowedJob } from '../lib/windowed-job.ts';

const MODES: readonly ExecutionMode[] = ['process', 'thread'];
/** docs/configuration.md */
const DEFAULT_BUNDLE = 100_000;
const DEFAULT_BATCH = 10_000;
const BUNDLE_SIZES = [1, 100, 1000, 10_000] as const;
const BATCH_SIZES = [100, 1000] as const;
const WARM_UP_MS = 300;
const WINDOW_MS = 600;
const QUICK_WINDOW_MS = 300;
/** Far more than any window can read. */
const SEQUENCE_END = 1_000_000_000_000;

interface Variant {
  label: string;
  config: Record<string, number>;
  /** The Arrow batch size in effect: udf.arrow.batch.size capped at udf.bundle.size. */
  effectiveBatch: number;
}

const VARIANTS: readonly Variant[] = [
  ...BUNDLE_SIZES.map((b) => ({
    label: `udf.bundle.size ${formatCount(b)}`,
    config: { 'udf.bundle.size': b },
    effectiveBatch: Math.min(b, DEFAULT_BATCH),
  })),
  ...BATCH_SIZES.map((a) => ({ label: `udf.arrow.batch.size ${formatCount(a)}`, config: { 'udf.arrow.batch.size': a }, effectiveBatch: a })),
];
const DEFAULT: Variant = { label: 'default', config: {}, effectiveBatch: DEFAULT_BATCH };

// Not exported: the worker gets it as source.
const addOne = (x: number): number => x + 1;

interface Measured {
  /** By mode: the default configuration's job of this repetition. */
  baseline: Map<ExecutionMode, WindowedJob>;
  /** By mode, then variant label. */
  variants: Map<ExecutionMode, Map<string, WindowedJob>>;
}

const bundleSweep: BenchmarkCase = {
  title: 'int64 map throughput across udf.bundle.size and udf.arrow.batch.size',
  async run(ctx: CaseContext): Promise<Omit<CaseReport, 'id' | 'workerPids'>> {
    const repetitions = scaledRepetitions(ctx.options, 0.6);
    const windowMs = ctx.options.quick ? QUICK_WINDOW_MS : WINDOW_MS;
    const warnings: string[] = [];
    const job = (mode: ExecutionMode, variant: Variant): Promise<WindowedJob> => {
      return runWindowedJob({
        name: `int64 map, ${variant.label}`,
        mode,
        config: variant.config,
        pipeline: (env) => env.fromSequence(1, SEQUENCE_END).map(addOne, Types.LONG()),
        warmUpMs: WARM_UP_MS,
        windowMs,
        onWorkerPids: (pids) => ctx.workerPids(pids),
      }).then((j) => {
        warnings.push(...j.lingering);
        if (j.firstValue !== 2) warnings.push(`${mode}, ${variant.label}: the first record at the sink was ${String(j.firstValue)}, expected 2`);
        return j;
      });
    };

    const reps: Measured[] = [];
    for (let r = 0; r < repetitions; r++) {
      const rep: Measured = { baseline: new Map(), variants: new Map() };
      for (let m = 0; m < MODES.length; m++) {
        const mode = MODES[(m + r) % MODES.length]!;
        rep.baseline.set(mode, await job(mode, DEFAULT));
        const byLabel = new Map<string, WindowedJob>();
        for (let k = 0; k < VARIANTS.length; k++) {
          const variant = VARIANTS[(k + r) % VARIANTS.length]!;
          byLabel.set(variant.label, await job(mode, variant));
        }
        rep.variants.set(mode, byLabel);
      }
      reps.push(rep);
      ctx.progress(
        `rep ${r + 1}/${repetitions}: ` +
          MODES.map((m) => `${m} default ${formatRate(rep.baseline.get(m)!.rowsPerSecond)}, bundle 1 ${formatRate(rep.variants.get(m)!.get(VARIANTS[0]!.label)!.rowsPerSecond)}`).join('; '),
      );
    }

    const rows: ResultRow[] = [];
    for (const mode of MODES) {
      const baselineRate = (r: Measured) => r.baseline.get(mode)!.rowsPerSecond;
      for (const variant of VARIANTS) {
        const pairs = reps.map((r) => ({ value: r.variants.get(mode)!.get(variant.label)!.rowsPerSecond, baseline: baselineRate(r) }));
        const batchNote = variant.config['udf.bundle.size'] !== undefined ? ` (batch ${formatCount(variant.effectiveBatch)})` : '';
        rows.push(ratioRow(`${mode}: ${variant.label}${batchNote} / default`, pairs, formatRate, warnings));
      }
    }
    const jobs = reps.flatMap((r) => [...r.baseline.values(), ...[...r.variants.values()].flatMap((m) => [...m.values()])]);
    const startUps = MODES.map((m) => `${m} ${formatSeconds(median(jobs.filter((j) => j.mode === m).map((j) => j.startUpMs)))}`);
    return {
      title: bundleSweep.title,
      workload:
        '`(x) => x + 1` declared `Types.LONG()` over `fromSequence` into a counting sink, with one setting changed at a time; ' +
        `the baseline of each ratio is the default configuration (udf.bundle.size ${formatCount(DEFAULT_BUNDLE)}, ` +
        `udf.arrow.batch.size ${formatCount(DEFAULT_BATCH)}) in the same mode and repetition. A bundle size below the batch size ` +
        'caps the batch (shown in brackets); bundle size 100,000 and batch size 10,000 are the default itself (the baseline column).',
      rows,
      notes: [
        `${repetitions} repetitions (a share of --reps: every job costs its start-up and window whatever the machine); each job timed at ` +
          `the sink for ${formatSeconds(windowMs)} after ${formatSeconds(WARM_UP_MS)} of warm-up from its first record, then cancelled; ` +
          `the default configuration is measured once per mode and repetition, before that mode's variants`,
        `a 1 s window, not the 2 s of the throughput cases: ${(VARIANTS.length + 1) * MODES.length} jobs a repetition must fit the ` +
          'suite\'s ten minutes; the rate is taken between two arrivals at the sink, so batching does not blur it, but each figure is one second of a noisy machine',
        `start-up to the first record at the sink (median): ${startUps.join(', ')}`,
      ],
      warnings,
    };
  },
};

export default bundleSweep;
