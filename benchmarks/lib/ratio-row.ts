/** Turns paired measurements into a table row: the median of per-repetition ratios. */
import type { ResultRow } from './benchmark-case.ts';
import { interquartileSpread, median, range } from './stats.ts';

/**
 * Above this interquartile spread of a figure's ratios, the figure is flagged as noisy. These
 * machines jitter by ±15-20 % on a plain loop with nothing else running, so less is normal.
 */
export const NOISY_SPREAD = 0.25;

export interface Pair {
  /** The case side and the baseline side of one repetition, in the same unit. */
  value: number;
  baseline: number;
}

/**
 * One row from one pair per repetition. The ratio of each pair is taken first and the median of
 * the ratios reported, rather than a ratio of medians: a pair shares its moment's machine state,
 * which is the point of interleaving. Pushes a warning into `warnings` when the ratios spread.
 */
export function ratioRow(figure: string, pairs: readonly Pair[], format: (value: number) => string, warnings: string[]): ResultRow {
  const ratios = pairs.map((p) => p.value / p.baseline);
  const spread = ratios.length >= 3 ? interquartileSpread(ratios) : 0;
  if (spread > NOISY_SPREAD) {
    warnings.push(`${figure}: the middle half of the per-repetition ratios spans ${(spread * 100).toFixed(0)}% of their median (a busy machine?)`);
  }
  return {
    figure,
    ratio: median(ratios),
    range: range(ratios),
    caseAbsolute: format(median(pairs.map((p) => p.value))),
    baselineAbsolute: format(median(pairs.map((p) => p.baseline))),
  };
}
