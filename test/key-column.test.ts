import { Binary, Int64, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { BatchLayout, RowBatch } from '../shared/codec/batch-layout.ts';
import { decodeGeneric, encodeKey } from '../shared/codec/generic-value.ts';
import { KeyColumn, KeyColumnBuilder, keysArray } from '../shared/codec/key-column.ts';
import { ProtocolError } from '../shared/errors/errors.ts';

const layout: BatchLayout = { value: { kind: 'LONG' }, keyed: true, timestamped: false };
const keyValues = ['a', 7, 'ü-multi-byte', '', 2n ** 63n - 1n, [1, 'x']];

function received(keys: Uint8Array[]): RowBatch {
  const values = keys.map((_, i) => i);
  return new BatchDecoder(layout).decode(new BatchEncoder(layout).encode({ length: keys.length, values, keys, timestamps: null }));
}

describe('KeyColumn: a received batch keeps its keys as bytes and offsets', () => {
  it('makes each key on demand, as a view of the received bytes', () => {
    const keys = keyValues.map(encodeKey);
    const batch = received(keys);
    expect(batch.keys).toBeInstanceOf(KeyColumn);
    expect(batch.keys!.length).toBe(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = batch.keys!.at(i)!;
      expect(key).toStrictEqual(keys[i]);
      expect(key.constructor).toBe(Uint8Array);
    }
    expect(batch.keys!.at(-1)).toBeUndefined();
    expect(batch.keys!.at(keys.length)).toBeUndefined();
    expect(keysArray(batch.keys!)).toStrictEqual(keys);
  });

  it('is passed on whole: encoding a received batch again gives the same keys', () => {
    const keys = keyValues.map(encodeKey);
    const again = new BatchDecoder(layout).decode(new BatchEncoder(layout).encode(received(keys)));
    expect(keysArray(again.keys!)).toStrictEqual(keys);
    expect(again.values).toStrictEqual([0, 1, 2, 3, 4, 5]);
  });

  it('encodes a column whose offsets do not start at zero (as foreign writers may send)', () => {
    // Bytes "xx" + key "ab" + key "" + key "cde", offsets 2, 4, 4, 7, inside a larger buffer.
    const memory = new Uint8Array([0, 0, 0, 120, 120, 97, 98, 99, 100, 101, 0]);
    const column = new KeyColumn(3, memory.buffer, 3, new Int32Array([2, 4, 4, 7]));
    expect(keysArray(column)).toStrictEqual([new Uint8Array([97, 98]), new Uint8Array([]), new Uint8Array([99, 100, 101])]);
    const batch: RowBatch = { length: 3, values: [1, 2, 3], keys: column, timestamps: null };
    const decoded = new BatchDecoder(layout).decode(new BatchEncoder(layout).encode(batch));
    expect(keysArray(decoded.keys!)).toStrictEqual(keysArray(column));
  });

  it('an empty keyed batch has an empty column', () => {
    const batch = received([]);
    expect(batch.keys!.length).toBe(0);
    expect(keysArray(batch.keys!)).toStrictEqual([]);
    expect(keysArray(new BatchDecoder(layout).decode(new BatchEncoder(layout).encode(batch)).keys!)).toStrictEqual([]);
  });

  it('refuses a key column with nulls (written by another Arrow library)', () => {
    const table = new Table({
      key: vectorFromArray([encodeKey(1), null], new Binary()),
      value: vectorFromArray([1n, 2n], new Int64()),
    });
    const decode = () => new BatchDecoder(layout).decode(tableToIPC(table, 'stream'));
    expect(decode).toThrow(ProtocolError);
    expect(decode).toThrow('malformed Arrow batch: the key column has nulls');
  });
});

describe("KeyColumnBuilder: a key selector's keys, encoded into one column", () => {
  it("gives each take() only the keys added since the last, past the first batch's size and back", () => {
    const builder = new KeyColumnBuilder();
    const columns = [1500, 3, 0, 1100].map((count, round) => {
      const keys = Array.from({ length: count }, (_, i) => (i % 2 === 0 ? `r${round}-${i}` : round * 100_000 + i));
      for (const k of keys) builder.add(k);
      expect(builder.length).toBe(count);
      return { keys, column: builder.take() };
    });
    for (const { keys, column } of columns) {
      expect(column.length).toBe(keys.length);
      expect(Array.from({ length: column.length }, (_, i) => decodeGeneric(column.at(i)!))).toEqual(keys);
    }
    expect(builder.length).toBe(0);
  });

  it('adds nothing for a key it cannot encode', () => {
    const builder = new KeyColumnBuilder();
    builder.add('a');
    expect(() => builder.add(Symbol('s'))).toThrow();
    builder.add('b');
    const column = builder.take();
    expect(Array.from({ length: column.length }, (_, i) => decodeGeneric(column.at(i)!))).toEqual(['a', 'b']);
  });
});

describe('BatchDecoder.decodeColumns: BYTES values read as one column', () => {
  const bytesLayout: BatchLayout = { value: { kind: 'BYTES' }, keyed: true, timestamped: true };
  const encoder = new BatchEncoder(bytesLayout);

  it('gives the same keys, timestamps and values as decode, the values without a view per row', () => {
    const keys = ['a', 'b', 'c'].map(encodeKey);
    const values = [new Uint8Array([1, 2, 3]), new Uint8Array([]), new Uint8Array([255])];
    const bytes = encoder.encode({ length: 3, keys, values, timestamps: [5, 0, -1] });
    const rows = new BatchDecoder(bytesLayout).decodeColumns(bytes);
    expect(rows.length).toBe(3);
    expect(rows.values).toBeInstanceOf(KeyColumn);
    expect(keysArray(rows.values)).toStrictEqual(values);
    expect(keysArray(rows.keys!)).toStrictEqual(keys);
    expect(rows.timestamps).toStrictEqual([5, 0, -1]);
    expect(new BatchDecoder(bytesLayout).decode(bytes).values).toStrictEqual(values);
  });

  it('refuses a null value, naming the value column, and a layout whose values are not BYTES', () => {
    const bytes = encoder.encode({ length: 2, keys: ['a', 'b'].map(encodeKey), values: [new Uint8Array([1]), null], timestamps: [0, 0] });
    expect(() => new BatchDecoder(bytesLayout).decodeColumns(bytes)).toThrow(new ProtocolError('malformed Arrow batch: the value column has nulls'));
    expect(() => new BatchDecoder(layout).decodeColumns(bytes)).toThrow(new TypeError('decodeColumns reads BYTES values only'));
  });
});
