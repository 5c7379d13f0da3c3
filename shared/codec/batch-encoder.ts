/**
 * Rows -> one Arrow IPC stream (proto/data.md). Columns are built straight into reused
 * typed arrays; the only fresh memory per batch is the returned bytes, which the caller
 * owns (they may be transferred to another thread).
 */
import { VALUE_COLUMN, KEY_COLUMN, TIMESTAMP_EXPECTED, TIMESTAMP_PATH, valueType, type BatchLayout, type RowBatch, type RowKeys } from './batch-layout.ts';
import { KeyColumnEncoder, type KeyColumn } from './key-column.ts';
import { layoutSchema } from './arrow-schema.ts';
import { BodyWriter } from './body.ts';
import { columnEncoder, type ColumnEncoder } from './column-codec.ts';
import { Float64Encoder } from './fixed-width-encoders.ts';
import { encodeSchemaMessage, StreamWriter } from './ipc-stream.ts';
import { CellMismatch, ValueEncodeError } from './value-encode-error.ts';

export { ValueEncodeError } from './value-encode-error.ts';


export class BatchEncoder {
  private readonly schemaMessage: Uint8Array;
  private readonly keys: KeyColumnEncoder | null;
  private readonly timestamps: ColumnEncoder | null;
  private readonly values: ColumnEncoder;
  /** The value column written from a column of encoded bytes (encodeColumns; layouts whose value is BYTES). */
  private readonly valueBytes: KeyColumnEncoder | null;
  private readonly body = new BodyWriter();
  private readonly stream = new StreamWriter();

  constructor(readonly layout: BatchLayout) {
    this.schemaMessage = encodeSchemaMessage(layoutSchema(layout));
    this.keys = layout.keyed ? new KeyColumnEncoder() : null;
    this.timestamps = layout.timestamped
      ? new Float64Encoder(TIMESTAMP_EXPECTED)
      : null;
    const value = valueType(layout);
    this.values = columnEncoder(value);
    this.valueBytes = value.kind === 'BYTES' ? new KeyColumnEncoder() : null;
  }

  /**
   * A keyed batch whose keys and values are already columns of bytes (the value column must be
   * BYTES, and holds no nulls): each column is copied in one piece, no row is looked at.
   */
  encodeColumns(keys: KeyColumn, timestamps: (number | null)[] | null, values: KeyColumn): Uint8Array {
    const n = keys.length;
    if (this.keys === null || this.valueBytes === null) throw new TypeError('encodeColumns needs a keyed layout whose value column is BYTES');
    checkShape(n, values.length, keys, timestamps, this.layout);
    const body = this.body;
    body.reset();
    this.keys.encode(keys, n, body);
    if (this.timestamps !== null) {
      try {
        this.timestamps.encode(timestamps!, n, body);
      } catch (e) {
        if (e instanceof CellMismatch) throw new ValueEncodeError(e.index, e.path(TIMESTAMP_PATH), e.expected, e.found);
        throw e;
      }
    }
    this.valueBytes.encode(values, n, body);
    return this.stream.write(this.schemaMessage, n, body);
  }

  /** Throws a ValueEncodeError naming the row and the path of a value that does not fit. */
  encode(batch: RowBatch): Uint8Array {
    const n = batch.length;
    checkShape(n, batch.values.length, batch.keys, batch.timestamps, this.layout);
    const body = this.body;
    body.reset();
    let column = VALUE_COLUMN;
    try {
      if (this.keys !== null) {
        column = KEY_COLUMN;
        this.keys.encode(batch.keys!, n, body);
      }
      if (this.timestamps !== null) {
        column = TIMESTAMP_PATH;
        this.timestamps.encode(batch.timestamps!, n, body);
      }
      column = VALUE_COLUMN;
      this.values.encode(batch.values, n, body);
    } catch (e) {
      if (e instanceof CellMismatch) throw new ValueEncodeError(e.index, e.path(column), e.expected, e.found);
      throw e;
    }
    return this.stream.write(this.schemaMessage, n, body);
  }
}

/** Throws a TypeError unless a batch of `n` rows has `valueCount` values, and keys and timestamps as `layout` says. */
function checkShape(n: number, valueCount: number, keys: RowKeys | null, timestamps: readonly unknown[] | null, layout: BatchLayout): void {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new TypeError(`batch length must be a non-negative integer, got ${n}`);
  if (valueCount !== n) throw new TypeError(`batch of length ${n} has ${valueCount} values`);
  if (layout.keyed !== (keys !== null) || (keys !== null && keys.length !== n)) {
    throw new TypeError(`batch keys must be ${layout.keyed ? `an array of ${n} keys` : 'null'} for this layout`);
  }
  if (layout.timestamped !== (timestamps !== null) || (timestamps !== null && timestamps.length !== n)) {
    throw new TypeError(`batch timestamps must be ${layout.timestamped ? `an array of ${n} timestamps` : 'null'} for this layout`);
  }
}
