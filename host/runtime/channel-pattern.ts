/**
 * Which producer subtasks of an edge have a channel to which consumer subtasks. Most
 * partitionings connect every producer to every consumer; forward connects subtask i to subtask
 * i; rescale connects them pointwise, as Flink's POINTWISE pattern does:
 *
 *   2 → 4:  0 ─▶ 0, 1      4 → 2:  0, 1 ─▶ 0
 *           1 ─▶ 2, 3              2, 3 ─▶ 1
 *
 * A producer with fewer consumers than producers feeds one; with more, a contiguous run of them.
 */
import type { Partitioning } from '../graph/plan.ts';

/** Whether producer `u` of `producers` has a channel to consumer `s` of `consumers`. */
export function connects(partitioning: Partitioning, u: number, producers: number, s: number, consumers: number): boolean {
  switch (partitioning) {
    case 'forward':
      return u % consumers === s;
    case 'rescale':
      if (producers <= consumers) return s >= Math.floor((u * consumers) / producers) && s < Math.floor(((u + 1) * consumers) / producers);
      return u >= Math.floor((s * producers) / consumers) && u < Math.floor(((s + 1) * producers) / consumers);
    default:
      return true;
  }
}
