/**
 * The transform kinds of rolling aggregations (reduce, and sum/min/max/minBy/maxBy as
 * 'aggregate'): in BATCH execution they own a timer per key and their output is timestamped at
 * the end of time (worker/processor/operators/keyed-aggregation.ts).
 */
export function isRollingAggregation(kind: string): boolean {
  return kind === 'reduce' || kind === 'aggregate';
}
