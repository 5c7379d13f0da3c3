import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { sequencePosition, type SequencePosition, type SequenceRange } from './sequence-ranges.ts';
import { rows, type SourceReader } from './source-reader.ts';

/**
 * fromSequence: reads its ranges of the sequence in order (sequence-ranges.ts says which a
 * subtask gets). Values are numbers while they are safe integers and bigints beyond (LONG never
 * loses precision).
 */
export class SequenceReader implements SourceReader {
  /** What is left to read, in order; the first range starts at the next value. */
  private readonly ranges: [bigint, bigint][];

  constructor(
    ranges: readonly SequenceRange[],
    private readonly chunk: number,
  ) {
    this.ranges = ranges.map(([from, to]) => [from, to]);
  }

  next(): RowBatch | null {
    const range = this.ranges[0];
    if (range === undefined) return null;
    const [first, last] = range;
    const remaining = last - first + 1n;
    const n = remaining < BigInt(this.chunk) ? Number(remaining) : this.chunk;
    const values: (number | bigint)[] = new Array(n);
    if (first >= BigInt(Number.MIN_SAFE_INTEGER) && first + BigInt(n) <= BigInt(Number.MAX_SAFE_INTEGER)) {
      const base = Number(first);
      for (let k = 0; k < n; k++) values[k] = base + k;
    } else {
      for (let k = 0; k < n; k++) {
        const v = first + BigInt(k);
        values[k] = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
    }
    if (BigInt(n) === remaining) this.ranges.shift();
    else range[0] = first + BigInt(n);
    return rows(values);
  }

  /** The ranges left, as decimal strings (positions must be plain data). */
  checkpoint(): { chunks: RowBatch[]; position: SequencePosition } {
    return { chunks: [], position: sequencePosition(this.ranges) };
  }

  cancel(): void {
    this.ranges.length = 0;
  }
}
