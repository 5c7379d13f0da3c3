/**
 * A throughput case: one function, measured as a job in each execution mode and called
 * directly in a plain loop (the "direct" baseline), interleaved (see interleave.ts):
 *
 *   rep 1:  D P  D T  D E      D = direct loop for DIRECT_MS, P / T / E = one whole job
 *   rep 2:  D T  D E  D P      in process / thread / embedded mode
 *
 * Each mode's ratio to direct pairs the job with the direct run just before it; the
 * mode-to-embedded ratios pair jobs of the same repetition.
 *
 * Input size: one pilot job in each remote mode gives the slowest rate, and N is chosen so that
 * the slowest mode's timed window lasts about TARGET_WINDOW_S (pilots run cold, so they
 * underestimate a little; the target leaves room above the 2 s minimum). Every mode gets the
 * same N.
 */
import type { DataStream, StreamExecutionEnvironment } from '../../host/index.ts';
import type { BenchmarkCase, CaseContext, CaseReport, ResultRow } from './benchmark-case.ts';
import { measureDirect } from './direct-loop.ts';
import { formatCount, formatRate, formatSeconds } from './format.ts';
import { interleave, type Repetition } from './interleave.ts';
import { ratioRow } from './ratio-row.ts';
import { median } from './stats.ts';
import { runTimedJob, type ExecutionMode, type TimedJob } from './timed-job.ts';
import { WARM_UP_FRACTION } from './timing-sink.ts';

export interface ThroughputCaseSpec<I, O> {
  title: string;
  /** The workload, for the report: what the function does and on what data. */
  workload: string;
  /** The function under test: the very object the job ships and the direct loop calls. */
  fn: (value: I) => O;
  /** The N input values, in the order the job's source reads them. */
  inputs(records: number): I[];
  /** The job up to its sink: a source reading `inputs` (or the same values) mapped through `fn`. */
  pipeline(env: StreamExecutionEnvironment, inputs: readonly I[]): DataStream<O>;
  /** Records of the calibration pilots; the least N a full run uses. */
  pilotRecords: number;
  /** Records of a --quick run. */
  quickRecords: number;
  /** The most records a full run uses, whatever the pilots say (bounds time and memory). */
  maxRecords: number;
  /** Configuration every job of the case runs with (the mode is set per job). */
  config?: Record<string, unknown>;
}

const MODES: readonly ExecutionMode[] = ['process', 'thread', 'embedded'];
const TARGET_WINDOW_S = 3;
/** The least timed window the slowest mode may have in a full run without a warning. */
const MIN_WINDOW_S = 2;
const DIRECT_MS = 1000;
const QUICK_DIRECT_MS = 100;
/** udf.arrow.batch.size's default (docs/configuration.md): records reach the sink this many at a time. */
const DEFAULT_ARROW_BATCH = 10_000;
/** Each end of the timed window is uncertain by a batch; 100 batches keep that under 1 %. */
const MIN_BATCHES_TIMED = 100;

type Rep = Repetition<ExecutionMode, number, TimedJob>;

export function throughputCase<I, O>(spec: ThroughputCaseSpec<I, O>): BenchmarkCase {
  return {
    title: spec.title,
    run: (ctx) => new ThroughputRun(spec, ctx).run(),
    profileJob: (mode, records, onWorkerPids) => {
      const inputs = spec.inputs(records ?? Math.round(spec.maxRecords / 2));
      return runTimedJob({
        name: `${spec.title} (${mode})`,
        records: inputs.length,
        mode,
        config: spec.config,
        pipeline: (env) => spec.pipeline(env, inputs),
        onWorkerPids,
      });
    },
  };
}

class ThroughputRun<I, O> {
  private readonly notes: string[] = [];
  private readonly warnings: string[] = [];

  constructor(
    private readonly spec: ThroughputCaseSpec<I, O>,
    private readonly ctx: CaseContext,
  ) {}

  async run(): Promise<Omit<CaseReport, 'id' | 'workerPids'>> {
    const { options } = this.ctx;
    const directMs = options.quick ? QUICK_DIRECT_MS : DIRECT_MS;
    const records = options.records ?? (options.quick ? this.spec.quickRecords : await this.calibrate());
    const inputs = this.spec.inputs(records);
    const warmUp = Math.floor(records * WARM_UP_FRACTION);
    this.notes.push(
      `${formatCount(records)} records per job, the same in every mode; timed at the sink from record ` +
        `${formatCount(Math.max(1, warmUp))} to record ${formatCount(records)}; direct baseline: ${formatSeconds(directMs)} per measurement`,
    );
    const batch = Number(this.spec.config?.['udf.arrow.batch.size'] ?? DEFAULT_ARROW_BATCH);
    if (!options.quick && records - warmUp < MIN_BATCHES_TIMED * batch) {
      this.warnings.push(`the timed window spans only ${((records - warmUp) / batch).toFixed(1)} Arrow batches; records arrive a batch at a time, so the rates are uncertain`);
    }
    // The loop's first calls run unoptimised code; keep them out of the first repetition.
    measureDirect(this.spec.fn, inputs, directMs / 2);

    const reps = await interleave<ExecutionMode, number, TimedJob>({
      variants: MODES,
      repetitions: options.repetitions,
      measureBaseline: () => measureDirect(this.spec.fn, inputs, directMs).rowsPerSecond,
      measure: (mode) => this.job(mode, inputs),
      onRepetition: (rep, r) =>
        this.ctx.progress(
          `rep ${r + 1}/${options.repetitions}: ` +
            MODES.map((m) => `${m} ${formatRate(rep.result.get(m)!.rowsPerSecond)} (direct ${formatRate(rep.baseline.get(m)!)})`).join(', '),
        ),
    });
    this.checkJobs(reps, inputs);
    return { title: this.spec.title, workload: this.spec.workload, rows: this.rows(reps), notes: this.notes, warnings: this.warnings };
  }

  /** Picks N from one pilot job per remote mode (embedded is never the slowest). */
  private async calibrate(): Promise<number> {
    const pilot = this.spec.inputs(this.spec.pilotRecords);
    let slowest = Infinity;
    for (const mode of ['process', 'thread'] as const) {
      slowest = Math.min(slowest, (await this.job(mode, pilot)).rowsPerSecond);
    }
    const wanted = (slowest * TARGET_WINDOW_S) / (1 - WARM_UP_FRACTION);
    const records = Math.min(this.spec.maxRecords, Math.max(this.spec.pilotRecords, roundUp(wanted)));
    this.ctx.progress(`calibration: slowest pilot ${formatRate(slowest)} → ${formatCount(records)} records per job`);
    if (records === this.spec.maxRecords && wanted > records) {
      this.notes.push(`N capped at ${formatCount(records)} (the pilots asked for ${formatCount(roundUp(wanted))})`);
    }
    return records;
  }

  private job(mode: ExecutionMode, inputs: readonly I[]): Promise<TimedJob> {
    return runTimedJob({
      name: `${this.spec.title} (${mode})`,
      records: inputs.length,
      mode,
      ...(this.spec.config === undefined ? {} : { config: this.spec.config }),
      pipeline: (env) => this.spec.pipeline(env, inputs),
      onWorkerPids: (pids) => this.ctx.workerPids(pids),
    }).then((job) => {
      for (const line of job.lingering) this.warnings.push(line);
      return job;
    });
  }

  private checkJobs(reps: readonly Rep[], inputs: readonly I[]): void {
    const expected = this.spec.fn(inputs[0]!);
    const windows: string[] = [];
    for (const mode of MODES) {
      const jobs = reps.map((r) => r.result.get(mode)!);
      const wrong = jobs.find((j) => JSON.stringify(j.firstValue) !== JSON.stringify(expected));
      if (wrong !== undefined) {
        this.warnings.push(`${mode} mode: the first record at the sink was ${JSON.stringify(wrong.firstValue)}, expected ${JSON.stringify(expected)}`);
      }
      windows.push(`${mode} ${formatSeconds(median(jobs.map((j) => j.windowMs)))} of ${formatSeconds(median(jobs.map((j) => j.jobMs)))}`);
    }
    this.notes.push(`timed window of the whole job's wall time (medians; the rest is start-up, warm-up and shutdown): ${windows.join(', ')}`);
    const slowest = Math.max(...MODES.map((m) => median(reps.map((r) => r.result.get(m)!.windowMs))));
    if (!this.ctx.options.quick && this.ctx.options.records === null && slowest < MIN_WINDOW_S * 1000) {
      this.warnings.push(`the slowest mode's timed window was ${formatSeconds(slowest)}, under ${MIN_WINDOW_S} s (the pilots underestimated its speed)`);
    }
  }

  private rows(reps: readonly Rep[]): ResultRow[] {
    const rate = (r: Rep, m: ExecutionMode) => r.result.get(m)!.rowsPerSecond;
    const rows: ResultRow[] = [];
    for (const mode of MODES) {
      rows.push(ratioRow(`${mode} / direct`, reps.map((r) => ({ value: rate(r, mode), baseline: r.baseline.get(mode)! })), formatRate, this.warnings));
    }
    for (const mode of ['process', 'thread'] as const) {
      rows.push(ratioRow(`${mode} / embedded`, reps.map((r) => ({ value: rate(r, mode), baseline: rate(r, 'embedded') })), formatRate, this.warnings));
    }
    return rows;
  }
}

/** Rounds up to two significant digits: 3,141,592 → 3,200,000. */
function roundUp(n: number): number {
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(n, 1))) - 1);
  return Math.ceil(n / unit) * unit;
}
