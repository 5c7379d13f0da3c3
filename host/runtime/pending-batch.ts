/** Rows gathered for the next Arrow batch to a worker. */
import type { RowBatch, RowKeys } from '../../shared/codec/batch-layout.ts';
import { keysArray } from '../../shared/codec/key-column.ts';

export class PendingBatch {
  private values: unknown[] = [];
  /** An array of our own unless borrowed. */
  private keys: RowKeys | null;
  private timestamps: (number | null)[] | null;
  /**
   * True while the arrays are an incoming batch's own (taken without copying). Batches may be
   * shared by several consumers, so borrowed arrays are copied before anything is added.
   */
  private borrowed = false;

  constructor(
    private readonly keyed: boolean,
    private readonly timestamped: boolean,
  ) {
    this.keys = keyed ? [] : null;
    this.timestamps = timestamped ? [] : null;
  }

  get length(): number {
    return this.values.length;
  }

  /** Appends rows [from, from + count) of `batch`. */
  append(batch: RowBatch, from: number, count: number): void {
    if (this.keyed && batch.keys === null) throw new Error('a keyed stage received rows without keys');
    if (this.values.length === 0 && from === 0 && count === batch.length && (!this.timestamped || batch.timestamps !== null)) {
      // The common case under load: take whole batches over instead of copying them.
      this.values = batch.values;
      if (this.keyed) this.keys = batch.keys;
      if (this.timestamped) this.timestamps = batch.timestamps;
      this.borrowed = true;
      return;
    }
    if (this.borrowed) {
      this.values = this.values.slice();
      this.keys = this.keys === null ? null : keysArray(this.keys);
      this.timestamps = this.timestamps?.slice() ?? null;
      this.borrowed = false;
    }
    const end = from + count;
    for (let i = from; i < end; i++) this.values.push(batch.values[i]);
    if (this.keys !== null) {
      const keys = this.keys as Uint8Array[];
      for (let i = from; i < end; i++) keys.push(batch.keys!.at(i)!);
    }
    if (this.timestamps !== null) for (let i = from; i < end; i++) this.timestamps.push(batch.timestamps?.[i] ?? null);
  }

  take(): RowBatch {
    const batch: RowBatch = { length: this.values.length, values: this.values, keys: this.keys, timestamps: this.timestamps };
    this.values = [];
    this.keys = this.keyed ? [] : null;
    this.timestamps = this.timestamped ? [] : null;
    this.borrowed = false;
    return batch;
  }
}
