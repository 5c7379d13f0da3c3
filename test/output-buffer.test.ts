import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
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
});
