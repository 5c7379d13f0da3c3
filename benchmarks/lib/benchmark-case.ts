/**
 * What a benchmark case is to the harness. A case is one file under benchmarks/cases/ whose
 * default export is a BenchmarkCase; the harness finds it by its file name (the case id), runs
 * it in a fresh Node process of its own (case-process.ts) and turns its CaseReport into a table.
 *
 * Invariant: every figure a case reports is a ratio of two rates (or durations) measured in
 * the same process, in the same run, interleaved with each other. Absolute numbers travel too,
 * but only as context: they depend on the machine and on whatever else it is doing.
 */
import type { ExecutionMode, TimedJob } from './timed-job.ts';

export interface CaseOptions {
  /** Small inputs and one repetition: a smoke check, not figures to quote. */
  quick: boolean;
  /** Repetitions of each measurement; the report gives medians over them. */
  repetitions: number;
  /** Overrides the number of records the case would choose (a throughput case: what its source holds). */
  records: number | null;
}

export interface CaseContext {
  readonly options: CaseOptions;
  /** A line of progress for the person watching (stderr of the run). */
  progress(line: string): void;
  /**
   * Records the OS process ids of workers a job started, so that the run can check afterwards
   * that none of them is still alive.
   */
  workerPids(pids: readonly number[]): void;
}

export interface ResultRow {
  /** What is compared, as "case / baseline": `process / direct`. */
  figure: string;
  /** Median over repetitions of the per-repetition ratio. */
  ratio: number;
  /** Smallest and largest per-repetition ratio. */
  range: [number, number];
  /** Median absolute figure of the case side, with its unit (machine-dependent). */
  caseAbsolute: string;
  /** Median absolute figure of the baseline side, with its unit (machine-dependent). */
  baselineAbsolute: string;
}

export interface CaseReport {
  id: string;
  title: string;
  /** The workload in one or two sentences, with what the ratios compare. */
  workload: string;
  rows: ResultRow[];
  /** Record counts, measured durations, and anything odd seen while measuring. */
  notes: string[];
  /** Problems that make the figures suspect (a short window, records lost, a lingering worker). */
  warnings: string[];
  /** Process ids of every worker process the case started (checked again by the run). */
  workerPids: number[];
}

export interface BenchmarkCase {
  /** Short human title, e.g. "stateless int64 → int64 map". */
  title: string;
  run(ctx: CaseContext): Promise<Omit<CaseReport, 'id' | 'workerPids'>>;
  /**
   * One job of the case in one mode, nothing else (no baseline, no repetitions), for
   * benchmarks/profile.ts to record CPU profiles of. Cases without it cannot be profiled.
   */
  profileJob?(mode: ExecutionMode, records: number | null, onWorkerPids: (pids: readonly number[]) => void): Promise<TimedJob>;
}
