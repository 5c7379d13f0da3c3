/**
 * latency (P3): end-to-end latency of each record at a paced 1,000 records/s, default
 * configuration, in each execution mode; and the same source straight into the same sink with no
 * function at all, measured in the same repetition, as the baseline of the ratios.
 *
 *   source (host, stamps emit time) ─▶ map((r) => r) in the mode ─▶ sink (host): now − stamp
 *
 * The absolute percentiles are the figures P3's targets speak of (process p50 ≤ 1 ms, thread
 * p50 ≤ 0.15 ms): they are printed as ratios to those targets (≤ 1 meets it) and in full in the
 * notes. lib/latency-probe.ts says how the source is paced and stamped.
 *
 * Two windows of the same job: a fresh job's first seconds (records 500–2,000) and its steady
 * state (records 8,000–9,500). At 1,000 records a second the runtime's per-record code tiers up
 * to optimised code over the first ~8 s (V8 counts calls, and there are few a second): process
 * mode's p50 falls from ~2 ms in the first two seconds to ~0.45 ms, thread mode's from ~0.43 to
 * ~0.25 ms (RESULTS.md, twenty-first round), while V8's compiler threads take the second core.
 * A streaming job spends its life in the second window; both are printed. Only the worker modes
 * run that long: the other variants (no function, embedded) are the baselines of the ratios,
 * which compare first windows.
 *
 * The case also measures the floor under thread mode (lib/thread-hop.ts), once and warm: a one-row
 * batch encoded, posted to a worker thread, decoded, encoded back and decoded, paced alike,
 * with no runtime around it. Thread mode's steady p50 against that floor is what the runtime's
 * own path adds.
 */
import { StreamExecutionEnvironment, Types } from '../../host/index.ts';
import type { BenchmarkCase, CaseContext, CaseReport, ResultRow } from '../lib/benchmark-case.ts';
import { formatCount, formatSeconds } from '../lib/format.ts';
import { createLatencyProbe, type LatencySamples } from '../lib/latency-probe.ts';
import { ratioRow } from '../lib/ratio-row.ts';
import { scaledRepetitions } from '../lib/repetitions.ts';
import { measureThreadHops, PACED_WARM_UP } from '../lib/thread-hop.ts';
import { median, quantile, range } from '../lib/stats.ts';
import type { ExecutionMode } from '../lib/timed-job.ts';
import { checkWorkersExited } from '../lib/worker-exit.ts';

type Variant = ExecutionMode | 'no function';
const MODES: readonly ExecutionMode[] = ['process', 'thread', 'embedded'];
const VARIANTS: readonly Variant[] = ['no function', ...MODES];
const PERIOD_MS = 1;
/** Records after the handshake that are sent but not measured: the first buffers. */
const WARM_UP = 500;
const MEASURED = 1500;
/** Where the steady window starts (records after the handshake): the per-record path is optimised by then. */
const STEADY_FROM = PACED_WARM_UP;
const QUICK_WARM_UP = 100;
const QUICK_MEASURED = 300;
const QUICK_STEADY_FROM = 600;
/** The variants whose jobs run into the steady window: those with a worker, at the defaults. */
const STEADY_VARIANTS: readonly Variant[] = ['process', 'thread'];
/** P3's targets for the p50 (ms). Another issue asks thread p50 < 1 ms, which the 0.15 ms target implies. */
const TARGETS: Partial<Record<ExecutionMode, number>> = { process: 1, thread: 0.15 };

// Not exported: the worker gets it as source.
const identity = (r: number): number => r;

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The floor's round trips (lib/thread-hop.ts). */
interface Floor {
  batch: Percentiles;
  bare: Percentiles;
}

interface Measured {
  /** A fresh job's first seconds: `measured` records after `warmUp`. */
  latency: Percentiles;
  /** The steady state: `measured` records after STEADY_FROM; null for a variant not run that long. */
  steady: Percentiles | null;
  /** How late the source emitted against its schedule (ms). */
  lateness: Percentiles;
  /** Records per second the source achieved between its first and its last record. */
  rate: number;
  /** Handshake included: planning, shipping, worker start-up, then the paced records. */
  jobMs: number;
}

const latency: BenchmarkCase = {
  title: 'end-to-end latency per record at 1,000 records/s (P3)',
  async run(ctx: CaseContext): Promise<Omit<CaseReport, 'id' | 'workerPids'>> {
    const { quick } = ctx.options;
    const repetitions = scaledRepetitions(ctx.options, 0.6);
    const warmUp = quick ? QUICK_WARM_UP : WARM_UP;
    const measured = quick ? QUICK_MEASURED : MEASURED;
    const steadyFrom = quick ? QUICK_STEADY_FROM : STEADY_FROM;
    const warnings: string[] = [];

    const reps: Map<Variant, Measured>[] = [];
    for (let r = 0; r < repetitions; r++) {
      const rep = new Map<Variant, Measured>();
      for (let k = 0; k < VARIANTS.length; k++) {
        const variant = VARIANTS[(k + r) % VARIANTS.length]!;
        rep.set(variant, await measure(variant, { warmUp, measured, steadyFrom }, ctx, warnings));
      }
      reps.push(rep);
      ctx.progress(
        `rep ${r + 1}/${repetitions}: p50 / p99 ` +
          VARIANTS.map((v) => `${v} ${ms(rep.get(v)!.latency.p50)} / ${ms(rep.get(v)!.latency.p99)}`).join(', ') +
          `; steady state ${STEADY_VARIANTS.map((v) => `${v} ${ms(steadyOf(rep, v).p50)} / ${ms(steadyOf(rep, v).p99)}`).join(', ')}`,
      );
    }
    // Once, warm as the steady window (thread-hop.ts): per repetition it would cost the suite 30 s.
    const hops = await measureThreadHops({ records: measured, batchWarmUp: steadyFrom, bareWarmUp: warmUp, periodMs: PERIOD_MS });
    const floor: Floor = { batch: percentiles(Float64Array.from(hops.batch)), bare: percentiles(Float64Array.from(hops.bare)) };
    ctx.progress(`floor ${ms(floor.batch.p50)} / ${ms(floor.batch.p99)}`);

    const rows: ResultRow[] = [];
    const formatMs = (v: number) => `${ms(v)} ms`;
    for (const [window, of] of [
      ['steady state', (r: Map<Variant, Measured>, mode: ExecutionMode) => steadyOf(r, mode)],
      [`a fresh job's first ${formatSeconds(warmUp + measured)}`, (r: Map<Variant, Measured>, mode: ExecutionMode) => r.get(mode)!.latency],
    ] as const) {
      for (const mode of MODES) {
        const target = TARGETS[mode];
        if (target === undefined) continue;
        rows.push({
          ...ratioRow(`${mode}: p50 / P3 target, ${window} (absolute)`, reps.map((r) => ({ value: of(r, mode).p50, baseline: target })), formatMs, warnings),
          baselineAbsolute: `${target} ms (target)`,
        });
      }
    }
    const threadTarget = TARGETS.thread!;
    rows.push(
      ratioRow(
        'thread p50, steady state / floor p50 (a one-row batch to a worker thread and back, no runtime)',
        reps.map((r) => ({ value: steadyOf(r, 'thread').p50, baseline: floor.batch.p50 })),
        formatMs,
        warnings,
      ),
    );
    rows.push({
      ...ratioRow('floor p50 / P3 target (absolute)', [{ value: floor.batch.p50, baseline: threadTarget }], formatMs, warnings),
      baselineAbsolute: `${threadTarget} ms (target)`,
    });
    for (const q of ['p50', 'p99'] as const) {
      for (const variant of MODES) {
        rows.push(
          ratioRow(`${variant} ${q} / no-function ${q} (first ${formatSeconds(warmUp + measured)})`, reps.map((r) => ({ value: r.get(variant)!.latency[q], baseline: r.get('no function')!.latency[q] })), formatMs, warnings),
        );
      }
    }

    const describe = (name: string, each: Percentiles[]): string => {
      const of = (q: keyof Percentiles) => median(each.map((p) => p[q]));
      const [lo, hi] = range(each.map((p) => p.p50));
      return `${name}: p50 ${ms(of('p50'))} (${ms(lo)}–${ms(hi)}), p90 ${ms(of('p90'))}, p99 ${ms(of('p99'))}, max ${ms(Math.max(...each.map((p) => p.max)))}`;
    };
    const absolute = [
      ...STEADY_VARIANTS.map((v) => describe(`${v}, steady state`, reps.map((r) => steadyOf(r, v)))),
      ...VARIANTS.map((v) => describe(v, reps.map((r) => r.get(v)!.latency))),
    ];
    const lateness = (q: keyof Percentiles) => median(reps.flatMap((r) => VARIANTS.map((v) => r.get(v)!.lateness[q])));
    const rate = median(reps.flatMap((r) => VARIANTS.map((v) => r.get(v)!.rate)));
    const jobTimes = VARIANTS.map((v) => `${v} ${formatSeconds(median(reps.map((r) => r.get(v)!.jobMs)))}`);
    return {
      title: latency.title,
      workload:
        'a source in the host emits one `Types.DOUBLE()` record every 1 ms carrying its emit time (`performance.now()`), ' +
        'through `map((r) => r)` in each mode into a sink in the host that takes arrival − emit time; default configuration, ' +
        'only `udf.execution-mode` set. Baseline: the same source straight into the same sink, no function, same repetition. ' +
        'Targets (P3): process p50 ≤ 1 ms, thread p50 ≤ 0.15 ms (and < 1 ms).',
      rows,
      notes: [
        `**absolute latency per record in ms, the figures to hold against the targets (medians over ${repetitions} repetitions of each ` +
          `percentile, the p50's range in brackets; max over all): ${absolute.join('; ')}**`,
        `${formatCount(measured)} records measured per job after ${formatCount(warmUp)} unmeasured ones (a fresh job), and in ` +
          `${STEADY_VARIANTS.join(' and ')} mode ${formatCount(measured)} more after ${formatCount(steadyFrom)} (the steady state: ` +
          `the per-record path has been optimised by then); ${repetitions} repetitions ` +
          '(a share of --reps: a paced job lasts as long as its schedule whatever the machine); the variants rotate between repetitions',
        `source pacing: ${rate.toFixed(1)} records/s achieved (median); emitted behind schedule by p50 ${ms(lateness('p50'))} ms, ` +
          `p99 ${ms(lateness('p99'))} ms, max ${ms(lateness('max'))} ms (a late timer; not counted as latency: records are stamped when they leave)`,
        `the source waits for a first record to reach the sink before its schedule starts, so worker start-up is not latency; job wall time (median): ${jobTimes.join(', ')}`,
        `the floor (lib/thread-hop.ts), measured once after the repetitions: a one-row batch to a worker thread and back p50 ${ms(floor.batch.p50)} ms, ` +
          `p99 ${ms(floor.batch.p99)} ms (${formatCount(measured)} round trips after ${formatCount(steadyFrom)}, as warm as the steady window); ` +
          `a number each way p50 ${ms(floor.bare.p50)} ms, p99 ${ms(floor.bare.p99)} ms (${formatCount(measured)} after ${formatCount(warmUp)}); paced ${PERIOD_MS} ms`,
      ],
      warnings,
    };
  },
};

/** The steady window of a variant that has one. */
function steadyOf(rep: Map<Variant, Measured>, variant: Variant): Percentiles {
  const steady = rep.get(variant)!.steady;
  if (steady === null) throw new Error(`latency: ${variant} has no steady window`);
  return steady;
}

interface Windows {
  warmUp: number;
  measured: number;
  steadyFrom: number;
}

async function measure(variant: Variant, windows: Windows, ctx: CaseContext, warnings: string[]): Promise<Measured> {
  const { warmUp, measured, steadyFrom } = windows;
  // With no function there is no worker: the mode (left at its default) changes nothing.
  const mode: ExecutionMode = variant === 'no function' ? 'process' : variant;
  const steady = STEADY_VARIANTS.includes(variant);
  const records = steady ? steadyFrom + measured : warmUp + measured;
  const probe = createLatencyProbe(records, PERIOD_MS);
  const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': mode });
  let stream = env.addSource(probe.source, 'paced source', Types.DOUBLE());
  if (variant !== 'no function') stream = stream.map(identity, Types.DOUBLE()).name('identity');
  stream.addSink(probe.sink);
  const started = performance.now();
  const client = env.executeAsync(`latency (${variant})`);
  try {
    await client.getJobExecutionResult();
  } finally {
    probe.release();
    const exits = await checkWorkersExited(client);
    ctx.workerPids(exits.pids);
    warnings.push(...exits.lingering);
  }
  const jobMs = performance.now() - started;
  const { samples } = probe;
  if (samples.arrived !== records) throw new Error(`latency (${variant}): the sink received ${samples.arrived} records, expected ${records}`);
  return {
    latency: percentiles(samples.latencies.subarray(warmUp, warmUp + measured)),
    steady: steady ? percentiles(samples.latencies.subarray(steadyFrom)) : null,
    lateness: percentiles(samples.lateness.subarray(warmUp)),
    rate: rateOf(samples),
    jobMs,
  };
}

function percentiles(values: Float64Array): Percentiles {
  const all = Array.from(values);
  return { p50: quantile(all, 0.5), p90: quantile(all, 0.9), p99: quantile(all, 0.99), max: Math.max(...all) };
}

function rateOf(samples: LatencySamples): number {
  return ((samples.latencies.length - 1) / (samples.lastEmit - samples.firstEmit)) * 1000;
}

/** Milliseconds with three significant digits (0.0412, 0.563, 12.3). */
function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

export default latency;
