/** The partitioners of a task's output (host/runtime/record-writer.ts). */
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { RecordWriter } from '../host/runtime/record-writer.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';

function batch(values: number[], timestamps: number[] | null = null): RowBatch {
  return { length: values.length, values, keys: null, timestamps };
}

/** What each channel received, as [values, timestamps] per batch. */
function drain(channels: StreamChannel[]): [unknown[], unknown][][] {
  return channels.map((c) => {
    const got: [unknown[], unknown][] = [];
    for (let e = c.poll(); e !== null; e = c.poll()) if (e.kind === 'records') got.push([e.batch.values, e.batch.timestamps]);
    return got;
  });
}

describe('rebalance', () => {
  it("gives each consumer a batch's rows as record-by-record round robin would, in one contiguous run", () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000), new StreamChannel(1000)];
    const writer = new RecordWriter([{ partitioning: 'rebalance', channels }], 0);
    // Room in every channel: no emit waits.
    expect(writer.emit(batch([1, 2, 3, 4, 5, 6, 7], [10, 20, 30, 40, 50, 60, 70]))).toBeUndefined();
    expect(writer.emit(batch([8]))).toBeUndefined();
    expect(writer.emit(batch([9, 10]))).toBeUndefined();
    expect(drain(channels)).toEqual([
      [[[1, 2, 3], [10, 20, 30]], [[10], null]],
      [[[4, 5], [40, 50]], [[8], null]],
      [[[6, 7], [60, 70]], [[9], null]],
    ]);
    expect(writer.written).toBe(10);
  });

  it('shares batches of any sizes evenly over the whole stream, as record-by-record round robin does', () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000)];
    const writer = new RecordWriter([{ partitioning: 'rebalance', channels }], 0);
    for (const values of [[1, 2, 3], [4, 5, 6], [7], [8, 9, 10, 11, 12]]) expect(writer.emit(batch(values))).toBeUndefined();
    // Six rows each, as one record at a time would give them.
    expect(drain(channels).map((got) => got.flatMap(([values]) => values))).toEqual([
      [1, 2, 6, 7, 11, 12],
      [3, 4, 5, 8, 9, 10],
    ]);
  });

  it('starts its turns at its own subtask index, so producers do not all load the first consumer', () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000)];
    expect(new RecordWriter([{ partitioning: 'rebalance', channels }], 1).emit(batch([1]))).toBeUndefined();
    expect(drain(channels)).toEqual([[], [[[1], null]]]);
  });

  it('cuts the keys with their rows', () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000)];
    const keys = [1, 2, 3].map((k) => new Uint8Array([k]));
    expect(new RecordWriter([{ partitioning: 'rebalance', channels }], 0).emit({ length: 3, values: ['a', 'b', 'c'], keys, timestamps: null })).toBeUndefined();
    const runs = channels.map((c) => {
      const e = c.poll();
      if (e?.kind !== 'records') throw new Error('no records');
      const k = e.batch.keys!;
      return [e.batch.values, Array.from({ length: k.length + 1 }, (_, i) => k.at(i)?.[0])];
    });
    expect(runs).toEqual([
      [['a', 'b'], [1, 2, undefined]],
      [['c'], [3, undefined]],
    ]);
  });

  it('sends whole batches to a single consumer', () => {
    const channels = [new StreamChannel(1000)];
    expect(new RecordWriter([{ partitioning: 'rebalance', channels }], 0).emit(batch([1, 2, 3]))).toBeUndefined();
    expect(drain(channels)).toEqual([[[[1, 2, 3], null]]]);
  });
});

describe('shuffle', () => {
  /** The rows each of `n` channels received when a writer of subtask `subtask` shuffles `batches`. */
  function shuffled(batches: number[][], n: number, subtask = 0): number[][] {
    const channels = Array.from({ length: n }, () => new StreamChannel(10_000));
    const writer = new RecordWriter([{ partitioning: 'shuffle', channels }], subtask);
    for (const values of batches) expect(writer.emit(batch(values))).toBeUndefined();
    return drain(channels).map((got) => got.flatMap(([values]) => values as number[]));
  }

  const rows = Array.from({ length: 1000 }, (_, i) => i);

  it('sends every row to one consumer, keeping their order, and reaches every consumer', () => {
    const got = shuffled([rows], 3);
    expect(got.flat().sort((a, b) => a - b)).toEqual(rows);
    for (const part of got) {
      expect(part.length).toBeGreaterThan(0);
      expect(part).toEqual([...part].sort((a, b) => a - b));
    }
  });

  it('picks the same consumer for each row however the rows are batched', () => {
    const batches = Array.from({ length: 100 }, (_, b) => rows.slice(b * 10, b * 10 + 10));
    expect(shuffled(batches, 3)).toEqual(shuffled([rows], 3));
  });

  it('draws differently in each producer subtask', () => {
    expect(shuffled([rows], 2, 1)).not.toEqual(shuffled([rows], 2, 0));
  });

  it('carries timestamps and keys with their rows', () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000)];
    const keys = [10, 11, 12, 13, 14, 15].map((k) => new Uint8Array([k]));
    const values = [0, 1, 2, 3, 4, 5];
    const writer = new RecordWriter([{ partitioning: 'shuffle', channels }], 0);
    expect(writer.emit({ length: 6, values, keys, timestamps: values.map((v) => v * 100) })).toBeUndefined();
    for (const channel of channels) {
      for (let e = channel.poll(); e !== null; e = channel.poll()) {
        if (e.kind !== 'records') continue;
        const b = e.batch;
        const got = (b.values as number[]).map((v, i) => [v, b.keys!.at(i)![0], b.timestamps![i]]);
        expect(got).toEqual((b.values as number[]).map((v) => [v, v + 10, v * 100]));
      }
    }
  });
});

describe('broadcast', () => {
  it('sends every batch to every consumer', () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000), new StreamChannel(1000)];
    const writer = new RecordWriter([{ partitioning: 'broadcast', channels }], 0);
    expect(writer.emit(batch([1, 2], [5, 6]))).toBeUndefined();
    expect(writer.emit(batch([3]))).toBeUndefined();
    const each = [
      [[1, 2], [5, 6]],
      [[3], null],
    ];
    expect(drain(channels)).toEqual([each, each, each]);
    expect(writer.written).toBe(3);
  });
});

describe('rescale', () => {
  it('round-robins over the consumers this producer is connected to', () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000)];
    const writer = new RecordWriter([{ partitioning: 'rescale', channels }], 0);
    for (const values of [[1, 2, 3], [4]]) expect(writer.emit(batch(values))).toBeUndefined();
    expect(drain(channels).map((got) => got.flatMap(([values]) => values))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

describe('custom (partitionCustom)', () => {
  it("sends each row to the partition its key names, in order, with its timestamp", () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000), new StreamChannel(1000)];
    const writer = new RecordWriter([{ partitioning: 'custom', channels }], 0);
    const partitions = [2, 0, 2, 1, 0];
    const values = ['a', 'b', 'c', 'd', 'e'];
    expect(writer.emit({ length: 5, values, keys: partitions.map(encodeKey), timestamps: [1, 2, 3, 4, 5] })).toBeUndefined();
    expect(drain(channels)).toEqual([[[['b', 'e'], [2, 5]]], [[['d'], [4]]], [[['a', 'c'], [1, 3]]]]);
  });

  it('refuses a row whose key is not a partition of the consumers, sending nothing', () => {
    const channels = [new StreamChannel(1000), new StreamChannel(1000)];
    const writer = new RecordWriter([{ partitioning: 'custom', channels }], 0);
    expect(() => writer.emit({ length: 2, values: ['a', 'b'], keys: [0, 2].map(encodeKey), timestamps: null })).toThrow(
      'a custom-partitioned row names partition 2, not one of 0 to 1',
    );
    expect(() => writer.emit({ length: 1, values: ['a'], keys: ['0'].map(encodeKey), timestamps: null })).toThrow(
      "a custom-partitioned row names partition '0', not one of 0 to 1",
    );
    expect(drain(channels)).toEqual([[], []]);
  });
});
