/**
 * Rows a processor emits, per output (main output and side outputs), until the data plane
 * takes them after each input batch. A buffer full to its capacity mid-batch (a flatMap that
 * explodes) is handed over at once, so a worker's memory stays bounded by the batch size.
 */
import type { OutputTag } from '../../shared/api/output-tag.ts';
import type { BatchLayout, RowBatch } from '../../shared/codec/batch-layout.ts';
import { KeyColumnBuilder } from '../../shared/codec/key-column.ts';
import type { Downstream } from './downstream.ts';

export class OutputBuffer implements Downstream {
  /**
   * The rows' values: [0, count) are set. Made by a batch's first row at the size the last
   * batch took (a hint) and written by index, then cut to `count` when taken: pushed one at a
   * time from empty, the array's storage grew and was copied a dozen times a batch (perf, a
   * map worker: ~7 % of it).
   */
  private values: unknown[] = [];
  private count = 0;
  private sizeHint = 0;
  private readonly keys: KeyColumnBuilder | null;
  private timestamps: (number | null)[] | null;
  /** Rows emitted since the processor started. */
  emitted = 0;
  onFull: ((buffer: OutputBuffer) => void) | null = null;

  constructor(
    readonly id: string,
    readonly layout: BatchLayout,
    private readonly capacity: number,
  ) {
    this.keys = layout.keyed ? new KeyColumnBuilder() : null;
    this.timestamps = layout.timestamped ? [] : null;
  }

  get size(): number {
    return this.count;
  }

  push(value: unknown, timestamp: number | null): void {
    if (this.keys !== null) throw new Error(`output ${this.id} is keyed: rows need a key`);
    this.makeRoom();
    this.append(value, timestamp);
  }

  /**
   * A row of a keyed output, with the key value the key selector returned, which is encoded
   * here (as encodeKey does). A key that cannot be encoded throws a GenericEncodeError and
   * adds nothing.
   */
  pushKeyed(value: unknown, timestamp: number | null, keyValue: unknown): void {
    if (this.keys === null) throw new Error(`output ${this.id} is not keyed: rows carry no key`);
    this.handOverIfFull();
    this.keys.add(keyValue);
    this.emitted++;
    this.append(value, timestamp);
  }

  /** Adds a row's value and timestamp; a batch's first row makes its values array. */
  private append(value: unknown, timestamp: number | null): void {
    if (this.count === 0) this.values = new Array<unknown>(this.sizeHint);
    this.values[this.count++] = value;
    this.timestamps?.push(timestamp);
  }

  private makeRoom(): void {
    this.handOverIfFull();
    this.emitted++;
  }

  /**
   * Hands a full buffer over before a row is added, not after: a batch whose rows each emit
   * one row then fills the buffer exactly and goes out with the batch's end, in one message
   * instead of two.
   */
  private handOverIfFull(): void {
    if (this.count >= this.capacity && this.onFull !== null) this.onFull(this);
  }

  /** Takes the buffered rows, leaving the buffer empty. */
  take(): RowBatch {
    const { values, count } = this;
    if (values.length !== count) values.length = count;
    const batch: RowBatch = { length: count, values, keys: this.keys?.take() ?? null, timestamps: this.timestamps };
    // The next batch likely emits about as many rows (never more than the capacity at once).
    this.sizeHint = Math.min(count, this.capacity);
    this.values = [];
    this.count = 0;
    this.timestamps = this.layout.timestamped ? [] : null;
    return batch;
  }
}

/**
 * The side outputs one operator may write to, by tag name. Tags nobody consumes are dropped,
 * though counted: an operator's recordsOut counts what it emitted, as Flink's does, whoever reads it.
 *
 * Under the `skip` policy the operator holds a record's rows (holdRecords) until the function
 * has finished the record: release() sends them on, discard() drops them with the record.
 */
export class SideOutputs {
  /** Rows emitted since the processor started (to any valid tag, consumed or not). */
  emitted = 0;
  /** The record's rows, in order, while held; null: rows go out as they are emitted. */
  private held: HeldRow[] | null = null;

  constructor(private readonly byTag: Map<string, OutputBuffer>) {}

  emit(tag: OutputTag<unknown>, value: unknown, timestamp: number | null): void {
    const tagId = (tag as { tagId?: unknown } | null)?.tagId;
    if (typeof tagId !== 'string') throw new TypeError('ctx.output takes an OutputTag as its first argument');
    const buffer = this.byTag.get(tagId);
    if (this.held !== null) {
      this.held.push({ buffer, value, timestamp });
      return;
    }
    this.emitted++;
    buffer?.push(value, timestamp);
  }

  /** From now on every record's rows wait for release() or discard(). */
  holdRecords(): void {
    this.held ??= [];
  }

  /** Sends the held rows on, in the order they were emitted. */
  release(): void {
    const held = this.held;
    if (held === null || held.length === 0) return;
    this.held = [];
    for (const row of held) {
      this.emitted++;
      row.buffer?.push(row.value, row.timestamp);
    }
  }

  /** Drops the held rows: their record failed. */
  discard(): void {
    if (this.held !== null && this.held.length > 0) this.held = [];
  }
}

interface HeldRow {
  /** Undefined for a tag nobody consumes. */
  buffer: OutputBuffer | undefined;
  value: unknown;
  timestamp: number | null;
}
