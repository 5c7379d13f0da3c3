/**
 * fromSequence's ranges: each subtask's share, what a checkpointed reader has left, and that a
 * resume at another parallelism shares out exactly the values the old subtasks had left.
 */
import { describe, expect, it } from 'vitest';
import type { SourcePosition } from '../host/checkpoint/completed-checkpoint.ts';
import { ownShare, rangesToRead, rescaleSequence } from '../host/runtime/sources/sequence-ranges.ts';
import { SequenceReader } from '../host/runtime/sources/sequence-reader.ts';

/** Every value the reader gives, in order. */
function readAll(reader: SequenceReader): (number | bigint)[] {
  const out: (number | bigint)[] = [];
  for (let batch = reader.next(); batch !== null; batch = reader.next()) out.push(...(batch.values as (number | bigint)[]));
  return out;
}

/** The reader of subtask `s` restored from `positions` (as the job does: a finished one reads nothing). */
function restored(start: bigint, end: bigint, positions: SourcePosition[], s: number, chunk: number): (number | bigint)[] {
  const p = positions[s]!;
  if (p.done) return [];
  return readAll(new SequenceReader(rangesToRead(start, end, s, positions.length, p.position), chunk));
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('fromSequence ranges', () => {
  it('shares start..end out in contiguous runs, the earlier subtasks getting the smaller', () => {
    expect([0, 1, 2].map((s) => ownShare(1n, 10n, s, 3))).toEqual([[[1n, 3n]], [[4n, 6n]], [[7n, 10n]]]);
    expect([0, 1, 2].map((s) => ownShare(5n, 6n, s, 3))).toEqual([[], [[5n, 5n]], [[6n, 6n]]]);
  });

  it('checkpoints what is left, and a reader restored from it reads exactly that', () => {
    const reader = new SequenceReader(ownShare(0n, 99n, 1, 2), 7);
    expect(readAll(new SequenceReader(ownShare(0n, 99n, 1, 2), 7))).toEqual(range(50, 99));
    reader.next();
    reader.next();
    const { position } = reader.checkpoint();
    expect(position).toEqual({ ranges: [['64', '99']] });
    expect(readAll(new SequenceReader(rangesToRead(0n, 99n, 1, 2, position), 7))).toEqual(range(64, 99));
  });

  it('reads a position of the earlier format (the next value of its own share)', () => {
    expect(rangesToRead(0n, 99n, 1, 2, '90')).toEqual([[90n, 99n]]);
    expect(rangesToRead(0n, 99n, 1, 2, '100')).toEqual([]);
  });

  it('crosses into bigints past 2^53 and reads several ranges in order', () => {
    const top = BigInt(Number.MAX_SAFE_INTEGER);
    const reader = new SequenceReader([[top - 1n, top + 1n], [3n, 4n]], 2);
    expect(readAll(reader)).toEqual([Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER, top + 1n, 3, 4]);
  });

  it.each([
    [2, 3],
    [3, 2],
    [2, 1],
    [1, 4],
    [4, 7],
  ])('rescaled from %i subtasks to %i, reads every value left once', (from, to) => {
    const start = 10n;
    const end = 1009n;
    // Each old subtask has read some of its share (a different amount each), one has finished.
    const positions: SourcePosition[] = Array.from({ length: from }, (_, s) => {
      const reader = new SequenceReader(ownShare(start, end, s, from), 10 + s);
      for (let k = 0; k < s + 1; k++) reader.next();
      return s === from - 1 && from > 1 ? { done: true, position: null } : { done: false, position: reader.checkpoint().position };
    });
    const left = positions.flatMap((_, s) => restored(start, end, positions, s, 1000));
    const rescaled = rescaleSequence(start, end, positions, to);
    expect(rescaled).toHaveLength(to);
    const shares = rescaled.map((_, s) => restored(start, end, rescaled, s, 13));
    expect(shares.flat()).toEqual([...left].sort((a, b) => Number(a) - Number(b)));
    // Nearly equal shares: they differ by one value at most.
    const sizes = shares.map((v) => v.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('rescaled when every old subtask had finished, starts every new one finished', () => {
    const done: SourcePosition[] = [
      { done: true, position: null },
      { done: true, position: null },
    ];
    expect(rescaleSequence(0n, 9n, done, 3)).toEqual([
      { done: true, position: null },
      { done: true, position: null },
      { done: true, position: null },
    ]);
  });
});
