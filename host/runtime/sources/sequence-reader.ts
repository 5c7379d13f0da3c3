import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { rows, type SourceReader } from './source-reader.ts';

/**
 * fromSequence: start..end inclusive, split into one contiguous range per subtask. Values are
 * numbers while they are safe integers and bigints beyond (LONG never loses precision).
 */
export class SequenceReader implements SourceReader {
  private next_: bigint;
  private readonly end: bigint;

  constructor(start: bigint, end: bigint, subtask: number, parallelism: number, private readonly chunk: number, position: unknown) {
    const count = end - start + 1n;
    const p = BigInt(parallelism);
    const i = BigInt(subtask);
    const from = start + (count * i) / p;
    this.end = start + (count * (i + 1n)) / p - 1n;
    this.next_ = typeof position === 'string' ? BigInt(position) : from;
  }

  next(): RowBatch | null {
    if (this.next_ > this.end) return null;
    const remaining = this.end - this.next_ + 1n;
    const n = remaining < BigInt(this.chunk) ? Number(remaining) : this.chunk;
    const values: (number | bigint)[] = new Array(n);
    const first = this.next_;
    if (first >= BigInt(Number.MIN_SAFE_INTEGER) && first + BigInt(n) <= BigInt(Number.MAX_SAFE_INTEGER)) {
      const base = Number(first);
      for (let k = 0; k < n; k++) values[k] = base + k;
    } else {
      for (let k = 0; k < n; k++) {
        const v = first + BigInt(k);
        values[k] = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
    }
    this.next_ = first + BigInt(n);
    return rows(values);
  }

  /** The next value, as a decimal string (positions must be plain data). */
  checkpoint(): { chunks: RowBatch[]; position: string } {
    return { chunks: [], position: this.next_.toString() };
  }

  cancel(): void {
    this.next_ = this.end + 1n;
  }
}
