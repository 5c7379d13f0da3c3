import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { GenericEncodeError, encodeKey } from '../shared/codec/generic-value.ts';
import { keysArray } from '../shared/codec/key-column.ts';
import { OutputBuffer } from '../worker/processor/output-buffer.ts';

function bufferOf(capacity: number, timestamped = false) {
  const handed: RowBatch[] = [];
  const buffer = new OutputBuffer('out', { value: null, keyed: false, timestamped }, capacity);
  buffer.onFull = (b) => handed.push(b.take());
  return { buffer, handed };
}

describe('worker output buffer', () => {
  it('hands over a full buffer when one more row comes, so memory stays bounded by its capacity', () => {
    const { buffer, handed } = bufferOf(3, true);
    for (let i = 0; i < 7; i++) buffer.push(i, i * 10);
    expect(handed.map((b) => b.values)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(handed.map((b) => b.timestamps)).toEqual([
      [0, 10, 20],
      [30, 40, 50],
    ]);
    expect(buffer.size).toBe(1);
    expect(buffer.take().values).toEqual([6]);
    expect(buffer.emitted).toBe(7);
  });

  it('keeps exactly a capacity of rows for the batch end: a one-row-per-row batch goes out in one piece', () => {
    const { buffer, handed } = bufferOf(3);
    for (let i = 0; i < 3; i++) buffer.push(i, null);
    expect(handed).toEqual([]);
    expect(buffer.take()).toEqual({ length: 3, values: [0, 1, 2], keys: null, timestamps: null });
    expect(buffer.size).toBe(0);
  });

  it('gives each batch exactly its rows, however many the batch before had', () => {
    const { buffer } = bufferOf(100);
    const taken = [5, 2, 0, 9, 9, 1].map((count, batch) => {
      for (let i = 0; i < count; i++) buffer.push(batch * 10 + i, null);
      return buffer.size === 0 ? [] : buffer.take().values;
    });
    // toStrictEqual: no hole is left where a row was not written.
    expect(taken).toStrictEqual([
      [0, 1, 2, 3, 4],
      [10, 11],
      [],
      [30, 31, 32, 33, 34, 35, 36, 37, 38],
      [40, 41, 42, 43, 44, 45, 46, 47, 48],
      [50],
    ]);
  });

  it('encodes the keys of a keyed output into one column, as encodeKey does', () => {
    const buffer = new OutputBuffer('out', { value: null, keyed: true, timestamped: true }, 2);
    const handed: RowBatch[] = [];
    buffer.onFull = (b) => handed.push(b.take());
    const keys = ['a', -0, 7, ['x', 1], 'ü'];
    keys.forEach((key, i) => buffer.pushKeyed(i, i * 10, key));
    const last = buffer.take();
    expect([...handed, last].map((b) => b.values)).toEqual([[0, 1], [2, 3], [4]]);
    expect([...handed, last].map((b) => b.timestamps)).toEqual([[0, 10], [20, 30], [40]]);
    expect([...handed, last].flatMap((b) => keysArray(b.keys!))).toStrictEqual(keys.map(encodeKey));
    // -0 and 0 are one key.
    expect(keysArray(handed[0]!.keys!)[1]).toStrictEqual(encodeKey(0));
    expect(buffer.emitted).toBe(5);
    expect(() => buffer.push(1, null)).toThrow('output out is keyed: rows need a key');
  });

  it('adds nothing for a key that cannot be encoded', () => {
    const buffer = new OutputBuffer('out', { value: null, keyed: true, timestamped: false }, 10);
    buffer.pushKeyed('first', null, 1);
    expect(() => buffer.pushKeyed('bad', null, { f: () => 1 })).toThrow(GenericEncodeError);
    buffer.pushKeyed('third', null, 3);
    const batch = buffer.take();
    expect(batch.values).toEqual(['first', 'third']);
    expect(keysArray(batch.keys!)).toStrictEqual([encodeKey(1), encodeKey(3)]);
    expect(buffer.emitted).toBe(2);
    expect(buffer.take().keys!.length).toBe(0);
  });
});
