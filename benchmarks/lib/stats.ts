/** Order statistics for a handful of repetitions. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The q-quantile (0 ≤ q ≤ 1), interpolating linearly between the two nearest values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function range(values: readonly number[]): [number, number] {
  if (values.length === 0) throw new Error('range of no values');
  return [Math.min(...values), Math.max(...values)];
}

/**
 * How far the middle half of the values spreads, relative to their median: (Q3 - Q1) / median.
 * One outlier among five repetitions (a neighbour's burst of work) does not move it, which is
 * what matters for a median.
 */
export function interquartileSpread(values: readonly number[]): number {
  return (quantile(values, 0.75) - quantile(values, 0.25)) / median(values);
}
