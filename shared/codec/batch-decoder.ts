/**
 * One Arrow IPC stream -> rows (proto/data.md). Each column is read from its raw buffers
 * in one pass. Uint8Array values and keys are views into the input bytes (or into an
 * aligned copy of them, when the input did not start on an 8-byte boundary): keep the
 * input unchanged while they are in use. Keys are made when asked for (KeyColumn).
 */
import type { Schema } from 'apache-arrow/schema';
import { ProtocolError } from '../errors/errors.ts';
import { layoutSchema, schemaMismatch } from './arrow-schema.ts';
import { KEY_COLUMN, TIMESTAMP_COLUMN, VALUE_COLUMN, valueType, type BatchLayout, type RowBatch } from './batch-layout.ts';
import { BodyReader } from './body.ts';
import { columnDecoder, type ColumnDecoder } from './column-codec.ts';
import { Float64Decoder } from './fixed-width-decoders.ts';
import { decodeSchema, encodeSchemaMessage, readStream } from './ipc-stream.ts';
import { KeyColumnDecoder, type KeyColumn } from './key-column.ts';
import { sameBytes } from './same-bytes.ts';

/**
 * A batch whose values are BYTES without nulls, read as one column (decodeColumns): no view
 * per row. A PUT_BATCH is read so; its values are copied into the host's records.
 */
export interface ColumnRows {
  readonly length: number;
  readonly keys: KeyColumn | null;
  readonly timestamps: (number | null)[] | null;
  readonly values: KeyColumn;
}

export class BatchDecoder {
  private readonly schema: Schema;
  /** Schema flatbuffers known to match: ours, and the last foreign one that did. */
  private readonly ownSchema: Uint8Array;
  private acceptedSchema: Uint8Array | null = null;
  private readonly keys: KeyColumnDecoder | null;
  private readonly timestamps: ColumnDecoder | null;
  private readonly values: ColumnDecoder;
  /** The value column read whole (decodeColumns), for a BYTES layout. */
  private readonly valueColumn: KeyColumnDecoder | null;

  constructor(readonly layout: BatchLayout) {
    this.schema = layoutSchema(layout);
    this.ownSchema = encodeSchemaMessage(this.schema).subarray(8);
    this.keys = layout.keyed ? new KeyColumnDecoder(KEY_COLUMN) : null;
    this.timestamps = layout.timestamped ? new Float64Decoder(TIMESTAMP_COLUMN) : null;
    this.values = columnDecoder(valueType(layout), VALUE_COLUMN);
    this.valueColumn = layout.value?.kind === 'BYTES' ? new KeyColumnDecoder(VALUE_COLUMN) : null;
  }

  /** Throws a ProtocolError on malformed bytes or a schema that does not match the layout. */
  decode(bytes: Uint8Array): RowBatch {
    const { n, body, keys, timestamps } = this.open(bytes);
    const values = this.column(this.values, body, n, VALUE_COLUMN);
    body.finish();
    return { length: n, values, keys, timestamps };
  }

  /**
   * As decode, for a layout whose values are BYTES: the values as one column. Throws a
   * ProtocolError as decode does, and also when a value is null.
   */
  decodeColumns(bytes: Uint8Array): ColumnRows {
    if (this.valueColumn === null) throw new TypeError('decodeColumns reads BYTES values only');
    const { n, body, keys, timestamps } = this.open(bytes);
    const values = this.column(this.valueColumn, body, n, VALUE_COLUMN);
    body.finish();
    return { length: n, values, keys, timestamps };
  }

  /** The stream's rows up to their values: the key and timestamp columns, and the body to read the values from. */
  private open(bytes: Uint8Array): { n: number; body: BodyReader; keys: KeyColumn | null; timestamps: (number | null)[] | null } {
    // Typed views need aligned buffers; protobuf hands out views at any offset.
    if (bytes.byteOffset % 8 !== 0) {
      const aligned = new Uint8Array(bytes.byteLength);
      aligned.set(bytes);
      bytes = aligned;
    }
    // Values are subarrays of the input: of a Node Buffer they would be Buffers.
    if (bytes.constructor !== Uint8Array) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const received = readStream(bytes);
    this.checkSchema(received.schemaMetadata);
    const n = received.length;
    const body = new BodyReader(received.body, received.nodes, received.regions);
    const keys = this.keys === null ? null : this.column(this.keys, body, n, KEY_COLUMN);
    const timestamps = this.timestamps === null ? null : this.column(this.timestamps, body, n, TIMESTAMP_COLUMN);
    return { n, body, keys, timestamps: timestamps as (number | null)[] | null };
  }

  private column<T extends { readonly length: number }>(decoder: { decode(body: BodyReader): T }, body: BodyReader, n: number, name: string): T {
    const values = decoder.decode(body);
    if (values.length !== n) {
      throw new ProtocolError(`malformed Arrow batch: column ${name} has ${values.length} rows, the batch ${n}`);
    }
    return values;
  }

  private checkSchema(metadata: Uint8Array): void {
    if (sameBytes(metadata, this.ownSchema) || (this.acceptedSchema !== null && sameBytes(metadata, this.acceptedSchema))) return;
    const why = schemaMismatch(this.schema, decodeSchema(metadata));
    if (why !== null) throw new ProtocolError(`Arrow batch does not match its layout: ${why}`);
    this.acceptedSchema = metadata.slice();
  }
}
