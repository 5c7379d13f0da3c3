/**
 * What each subtask of a fromSequence source reads: ranges of the sequence, inclusive. A fresh
 * run gives each subtask one contiguous share; a checkpoint stores what a subtask has left, and a
 * resume at another parallelism pools what every old subtask had left and shares it out again
 * (as Flink reassigns a NumberSequenceSource's splits), so nothing is read twice or skipped.
 */
import type { SourcePosition } from '../../checkpoint/completed-checkpoint.ts';

/** From, to: both included, from ≤ to. */
export type SequenceRange = readonly [bigint, bigint];

/**
 * A subtask's position as checkpoints hold it: the ranges it has still to read, as decimal
 * strings (positions are plain data). Checkpoints written before ranges were stored hold a
 * string instead: the next value of the subtask's own share.
 */
export interface SequencePosition {
  readonly ranges: readonly (readonly [string, string])[];
}

/** Subtask `subtask`'s share of start..end at `parallelism`: empty when it has none. */
export function ownShare(start: bigint, end: bigint, subtask: number, parallelism: number): SequenceRange[] {
  const count = end - start + 1n;
  const p = BigInt(parallelism);
  const i = BigInt(subtask);
  const from = start + (count * i) / p;
  const to = start + (count * (i + 1n)) / p - 1n;
  return from <= to ? [[from, to]] : [];
}

/** What a subtask restored from `position` (or starting afresh, when undefined) has to read. */
export function rangesToRead(start: bigint, end: bigint, subtask: number, parallelism: number, position: unknown): SequenceRange[] {
  const share = ownShare(start, end, subtask, parallelism);
  if (position === undefined || position === null) return share;
  if (typeof position === 'string') {
    const next = BigInt(position);
    return share.filter(([, to]) => next <= to).map(([from, to]) => [next > from ? next : from, to]);
  }
  if (isSequencePosition(position)) return position.ranges.map(([from, to]) => [BigInt(from), BigInt(to)]);
  throw new Error(`not a position of a sequence source: ${JSON.stringify(position)}`);
}

/** The position of a reader that has `ranges` left. */
export function sequencePosition(ranges: readonly SequenceRange[]): SequencePosition {
  return { ranges: ranges.map(([from, to]) => [from.toString(), to.toString()]) };
}

/**
 * The positions of `parallelism` subtasks that together read what the subtasks of `positions`
 * (a checkpoint's, one per old subtask) had left: the remaining values, in order, cut into
 * `parallelism` runs of (nearly) equal counts. A subtask left with nothing starts finished.
 */
export function rescaleSequence(start: bigint, end: bigint, positions: readonly SourcePosition[], parallelism: number): SourcePosition[] {
  const left: SequenceRange[] = [];
  positions.forEach((p, subtask) => {
    if (!p.done) left.push(...rangesToRead(start, end, subtask, positions.length, p.position));
  });
  left.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = left.reduce((n, [from, to]) => n + (to - from + 1n), 0n);
  const out: SourcePosition[] = [];
  let at = 0;
  let used = 0n; // of left[at]
  for (let s = 0; s < parallelism; s++) {
    let want = (total * BigInt(s + 1)) / BigInt(parallelism) - (total * BigInt(s)) / BigInt(parallelism);
    const mine: SequenceRange[] = [];
    while (want > 0n) {
      const [from, to] = left[at]!;
      const first = from + used;
      const take = to - first + 1n < want ? to - first + 1n : want;
      mine.push([first, first + take - 1n]);
      want -= take;
      if (first + take - 1n === to) {
        at++;
        used = 0n;
      } else {
        used += take;
      }
    }
    out.push(mine.length === 0 ? { done: true, position: null } : { done: false, position: sequencePosition(mine) });
  }
  return out;
}

function isSequencePosition(position: unknown): position is SequencePosition {
  const ranges = (position as { ranges?: unknown }).ranges;
  return (
    Array.isArray(ranges) &&
    ranges.every((r) => Array.isArray(r) && r.length === 2 && typeof r[0] === 'string' && typeof r[1] === 'string')
  );
}
