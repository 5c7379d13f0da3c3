/**
 * Repetitions for the cases whose every measurement costs seconds of wall time whatever the
 * machine (paced sources, fixed time windows, worker start-up per job): they run a share of the
 * repetitions asked for, so that the whole suite stays under ten minutes. The default 5 becomes
 * 3 at a share of 0.6, the least a median of repetitions is worth quoting from; `--reps 10` still
 * buys more (6); a smaller count than 3 asked for (a smoke run) is honoured as it is.
 */
import type { CaseOptions } from './benchmark-case.ts';

export const LEAST_QUOTABLE_REPETITIONS = 3;

export function scaledRepetitions(options: CaseOptions, share: number): number {
  const asked = options.repetitions;
  return Math.max(Math.min(LEAST_QUOTABLE_REPETITIONS, asked), Math.round(asked * share));
}
