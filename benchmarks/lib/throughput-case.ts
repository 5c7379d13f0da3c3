/**
 * A throughput case: one function, measured as a job in each execution mode and called
 * directly in a plain loop (the "direct" baseline), interleaved (see interleave.ts):
 *
 *   rep 1:  D P  D T  D E      D = direct loop for DIRECT_MS, P / T / E = one job
 *   rep 2:  D T  D E  D P      in process / thread / embedded mode
 *
 * Each mode's ratio to direct pairs the job with the direct run just before it; the
 * mode-to-embedded ratios pair jobs of the same repetition.
 *
 * Each job runs for a fixed time (windowed-job.ts): WARM_UP_MS from its first record at the
 * sink, then a window of WINDOW_MS in which its rate is taken, then it is cancelled. The rate is
 * a streaming job's steady one: a fresh worker process tiers its per-batch code (transport,
 * protobuf, framing) up to optimised code over its first ~1–2 s, during which process mode runs
 * at about half its later rate (benchmarks/RESULTS.md, eighth round); a job that stopped after
 * a fixed N of records timed mostly that, and every mode got a window of a different length.
 * A fixed time costs every mode the same and needs no calibration.
 */
import type { DataStream, StreamExecutionEnvironment } from '../../host/index.ts';
import type { BenchmarkCase, CaseContext, CaseReport, ResultRow } from './benchmark-case.ts';
import { measureDirect } from './direct-loop.ts';
import { formatRate, formatSeconds } from './format.ts';
import { interleave, type Repetition } from './interleave.ts';
import { ratioRow } from './ratio-row.ts';
import { median } from './stats.ts';
import { runTimedJob, type ExecutionMode } from './timed-job.ts';
import { runWindowedJob, type WindowedJob } from './windowed-job.ts';

export interface ThroughputCaseSpec<I, O> {
  title: string;
  /** The workload, for the report: what the function does and on what data. */
  workload: string;
  /** The function under test: the very object the job ships and the direct loop calls. */
  fn: (value: I) => O;
  /** N input values, in the order the job's source reads them (the direct loop cycles through them). */
  inputs(records: number): I[];
  /** The job up to its sink: a source of `records` values like `inputs`' mapped through `fn`. */
  pipeline(env: StreamExecutionEnvironment, records: number): DataStream<O>;
  /**
   * Records a job's source holds: more than the fastest mode reaches the sink with in
   * WARM_UP_MS + WINDOW_MS (a job must still be running when it is cancelled).
   */
  jobRecords: number;
  /** Configuration every job of the case runs with (the mode is set per job). */
  config?: Record<string, unknown>;
}

const MODES: readonly ExecutionMode[] = ['process', 'thread', 'embedded'];
const WARM_UP_MS = 2000;
const WINDOW_MS = 1500;
const QUICK_WARM_UP_MS = 300;
const QUICK_WINDOW_MS = 300;
const DIRECT_MS = 700;
const QUICK_DIRECT_MS = 100;
/** Values the direct loop cycles through. */
const DIRECT_RECORDS = 1_000_000;
/** Records of a profiled job (benchmarks/profile.ts) unless it says otherwise. */
const PROFILE_RECORDS = 2_000_000;

type Rep = Repetition<ExecutionMode, number, WindowedJob>;

export function throughputCase<I, O>(spec: ThroughputCaseSpec<I, O>): BenchmarkCase {
  return {
    title: spec.title,
    run: (ctx) => new ThroughputRun(spec, ctx).run(),
    profileJob: (mode, records, onWorkerPids) => {
      const n = records ?? PROFILE_RECORDS;
      return runTimedJob({ name: `${spec.title} (${mode})`, records: n, mode, config: spec.config, pipeline: (env) => spec.pipeline(env, n), onWorkerPids });
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
    const { quick } = options;
    const directMs = quick ? QUICK_DIRECT_MS : DIRECT_MS;
    const warmUpMs = quick ? QUICK_WARM_UP_MS : WARM_UP_MS;
    const windowMs = quick ? QUICK_WINDOW_MS : WINDOW_MS;
    const direct = this.spec.inputs(DIRECT_RECORDS);
    const jobRecords = options.records ?? this.spec.jobRecords;
    this.notes.push(
      `each job timed at the sink for ${formatSeconds(windowMs)} after ${formatSeconds(warmUpMs)} of warm-up from its first record, ` +
        `then cancelled (its source holds ${jobRecords.toLocaleString('en-US')} records); direct baseline: ${formatSeconds(directMs)} per measurement ` +
        `over ${direct.length.toLocaleString('en-US')} values`,
    );
    // The loop's first calls run unoptimised code; keep them out of the first repetition.
    measureDirect(this.spec.fn, direct, directMs / 2);

    const reps = await interleave<ExecutionMode, number, WindowedJob>({
      variants: MODES,
      repetitions: options.repetitions,
      measureBaseline: () => measureDirect(this.spec.fn, direct, directMs).rowsPerSecond,
      measure: (mode) => this.job(mode, jobRecords, warmUpMs, windowMs),
      onRepetition: (rep, r) =>
        this.ctx.progress(
          `rep ${r + 1}/${options.repetitions}: ` +
            MODES.map((m) => `${m} ${formatRate(rep.result.get(m)!.rowsPerSecond)} (direct ${formatRate(rep.baseline.get(m)!)})`).join(', '),
        ),
    });
    this.checkJobs(reps, direct);
    return { title: this.spec.title, workload: this.spec.workload, rows: this.rows(reps), notes: this.notes, warnings: this.warnings };
  }

  private job(mode: ExecutionMode, records: number, warmUpMs: number, windowMs: number): Promise<WindowedJob> {
    return runWindowedJob({
      name: `${this.spec.title} (${mode})`,
      mode,
      ...(this.spec.config === undefined ? {} : { config: this.spec.config }),
      pipeline: (env) => this.spec.pipeline(env, records),
      onWorkerPids: (pids) => this.ctx.workerPids(pids),
      warmUpMs,
      windowMs,
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
      const m = (f: (j: WindowedJob) => number) => median(jobs.map(f));
      windows.push(`${mode} ${formatSeconds(m((j) => j.startUpMs))} to its first record, ${formatSeconds(m((j) => j.windowMs))} timed, ${formatSeconds(m((j) => j.jobMs))} in all`);
    }
    this.notes.push(`per job (medians): ${windows.join('; ')}`);
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
