import { describe, expect, it } from 'vitest';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import { ListStateDescriptor, ValueStateDescriptor } from '../shared/api/state-descriptors.ts';
import { StateAccessError } from '../shared/errors/errors.ts';
import { MIN_PUT_BATCH_ROWS, PUT_BATCH_LAYOUT } from '../shared/protocol/put-batch.ts';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import type { PutBatchReader } from '../host/state/put-batches.ts';
import { b, ctxFor, groupOf, keysInGroup, Kind, Op, op, strings, view, type Operation } from './host-state-fixtures.ts';
import { FakeStateHost, workerOver } from './worker-state-fake-host.ts';
import { PutRun, type PutSource } from '../worker/state/put-run.ts';
import { DEFAULT_WRITE_BATCH_SIZE } from '../worker/state/worker-state-options.ts';

const MAX = 128;

/** A PUT_BATCH of `rows` ([key, value, time]) on `stateName`. */
function putBatch(kind: number, stateName: string, rows: [string, string, number][]): Operation {
  const encoder = new BatchEncoder(PUT_BATCH_LAYOUT);
  const batch = encoder.encode({
    length: rows.length,
    keys: rows.map(([k]) => b(k)),
    values: rows.map(([, v]) => b(v)),
    timestamps: rows.map(([, , t]) => t),
  });
  return { key: { stateName, kind }, op: Op.PUT_BATCH, batch };
}

const opsOf = (host: FakeStateHost, i: number) => host.wireRequests[i]!.operations!.map((o) => Op[o.op!]);

describe('PUT_BATCH: runs of value PUTs travel as one Arrow batch', () => {
  it("a bundle's write-back of many keys is one PUT_BATCH, which the host applies as PUTs", async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 5000 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    for (let k = 0; k < 20; k++) {
      w.setKey(k);
      s.update(k * 10);
    }
    await w.keyed.finishBundle();
    expect(opsOf(host, 0)).toEqual(['DECLARE', 'PUT_BATCH']);
    expect(host.requests[0]!.operations!.length).toBe(21);
    for (let k = 0; k < 20; k++) expect(host.value('op/s', k)).toBe(k * 10);
    // Counted as the 20 PUTs it stands for.
    expect(w.keyed.stats().operations).toBe(21);
  });

  it(`by default a request carries ${DEFAULT_WRITE_BATCH_SIZE} operations: the state's declaration and the write-back of all but one key`, async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 20_000 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    for (let k = 0; k <= DEFAULT_WRITE_BATCH_SIZE; k++) {
      w.setKey(k);
      s.update(k + 1);
    }
    await w.keyed.finishBundle();
    expect(host.wireRequests.map((r) => r.operations!.map((o) => Op[o.op!]))).toEqual([['DECLARE', 'PUT_BATCH'], ['PUT', 'PUT']]);
    expect(host.requests.map((r) => r.operations!.length)).toEqual([DEFAULT_WRITE_BATCH_SIZE, 2]);
    expect(host.countOps(Op.PUT)).toBe(DEFAULT_WRITE_BATCH_SIZE + 1);
    expect(host.value('op/s', DEFAULT_WRITE_BATCH_SIZE)).toBe(DEFAULT_WRITE_BATCH_SIZE + 1);
  });

  it('writes back keys of every length, short ones (up to 8 bytes) from the entry, bytes above 0x7f included', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    // JSON-encoded (the fake host's codec): 1 to 14 bytes, "ÿ" two bytes of 0xc3 0xbf.
    const keys: unknown[] = [7, 42, 'a', 'ÿ', 'ab', 'ÿÿ', 'abcd', 'abcde', 'ÿÿÿ', 'abcdefg', 'abcdefgh', 'abcdefghijkl', 'ÿÿÿÿÿÿ'];
    keys.forEach((k, i) => {
      w.setKey(k);
      s.update(i + 1);
    });
    await w.keyed.finishBundle();
    expect(opsOf(host, 0)).toEqual(['DECLARE', 'PUT_BATCH']);
    expect(keys.map((k) => host.value('op/s', k))).toEqual(keys.map((_, i) => i + 1));
  });

  it(`a run of fewer than ${MIN_PUT_BATCH_ROWS} PUTs goes as plain PUTs`, async () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    const s = w.op.getState(new ValueStateDescriptor<string>('s'));
    for (let k = 0; k < MIN_PUT_BATCH_ROWS - 1; k++) {
      w.setKey(k);
      s.update(`v${k}`);
    }
    await w.keyed.finishBundle();
    expect(opsOf(host, 0)).toEqual(['DECLARE', ...Array<string>(MIN_PUT_BATCH_ROWS - 1).fill('PUT')]);
    expect(host.value('op/s', 3)).toBe('v3');
  });

  it('a run ends at another operation or another state; order is kept and a read gets its own result', async () => {
    const host = new FakeStateHost();
    // No cache: every write goes to the wire as it is made, in the order made.
    const w = workerOver(host, { cacheSize: 0 });
    const a = w.op.getState(new ValueStateDescriptor<number>('a'));
    const other = w.op.getState(new ValueStateDescriptor<number>('other'));
    const list = w.op.getListState(new ListStateDescriptor<number>('l'));
    for (let k = 0; k < 10; k++) {
      w.setKey(k);
      a.update(k);
    }
    w.setKey(3);
    other.update(-1);
    list.add(7);
    for (let k = 0; k < 10; k++) {
      w.setKey(k);
      a.update(100 + k);
    }
    w.setKey(5);
    // The read goes out with every write before it, after them.
    expect(a.value()).toBe(105);
    expect(opsOf(host, 0)).toEqual(['DECLARE', 'PUT_BATCH', 'DECLARE', 'PUT', 'DECLARE', 'APPEND', 'PUT_BATCH', 'GET']);
    w.setKey(3);
    expect(other.value()).toBe(-1);
    expect(list.get()).toEqual([7]);
  });

  it('the host applies the rows in order, with their times, and answers one result per operation', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const results = be.apply(
      [
        putBatch(Kind.VALUE, '3/v', [
          ['a', 'one', 5],
          ['b', 'two', 6],
          ['a', 'three', 7],
        ]),
        op(Kind.VALUE, '3/v', Op.GET, { key: 'a' }),
        op(Kind.VALUE, '3/v', Op.GET, { key: 'b' }),
      ],
      ctxFor(MAX),
    );
    expect(results.map(view)).toEqual([
      { found: false, values: [], mapKeys: [], more: false },
      { found: true, values: ['three'], mapKeys: [], more: false },
      { found: true, values: ['two'], mapKeys: [], more: false },
    ]);
    expect(be.operationsApplied).toBe(5);
  });

  it("applies rows by key group, each key's rows still in their order: every key ends with its last row's value", () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX });
    const keys = Array.from({ length: 10 }, (_, k) => `key-${k}`);
    expect(new Set(keys.map((k) => groupOf(k, MAX))).size).toBeGreaterThanOrEqual(5);
    const rows: [string, string, number][] = Array.from({ length: 40 }, (_, i) => [keys[(i * 7) % 10]!, `v${i}`, 100 + i]);
    be.apply([putBatch(Kind.VALUE, '3/v', rows)], ctxFor(MAX));
    const last = new Map(rows.map(([k, v]) => [k, v]));
    const got = be.apply(keys.map((k) => op(Kind.VALUE, '3/v', Op.GET, { key: k })), ctxFor(MAX));
    expect(got.map((r) => strings(r.values))).toEqual(keys.map((k) => [last.get(k)!]));
  });

  it('files a row under its namespace as a single PUT, GET and CLEAR of the key there find it', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const inWindow = (rows: [string, string, number][]) => ({ ...putBatch(Kind.VALUE, '3/v', rows), key: { stateName: '3/v', kind: Kind.VALUE, namespace: b('w1') } });
    be.apply([op(Kind.VALUE, '3/v', Op.PUT, { key: 'a', ns: 'w1', values: ['single'] }), inWindow([['b', 'two', 0], ['c', 'three', 0]])], ctxFor(MAX));
    be.apply([inWindow([['a', 'batched', 0]]), op(Kind.VALUE, '3/v', Op.CLEAR, { key: 'c', ns: 'w1' })], ctxFor(MAX));
    const got = be.apply(
      ['a', 'b', 'c'].flatMap((key) => [op(Kind.VALUE, '3/v', Op.GET, { key, ns: 'w1' }), op(Kind.VALUE, '3/v', Op.GET, { key })]),
      ctxFor(MAX),
    );
    expect(got.map((r) => (r.found ? strings(r.values)[0] : null))).toEqual(['batched', null, 'two', null, null, null]);
    expect(be.stats()).toEqual({ entries: 2, bytes: 1 + 2 + 7 + (1 + 2 + 3), openIterations: 0 });
  });

  it('writes a value of the same size over the stored one, never into an answer already given', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    be.apply([putBatch(Kind.VALUE, '3/v', [['a', 'one', 0], ['b', 'two', 0]])], ctxFor(MAX));
    const [before] = be.apply([op(Kind.VALUE, '3/v', Op.GET, { key: 'a' })], ctxFor(MAX));
    be.apply([putBatch(Kind.VALUE, '3/v', [['a', 'uno', 0], ['b', 'three', 0]])], ctxFor(MAX));
    const after = be.apply([op(Kind.VALUE, '3/v', Op.GET, { key: 'a' }), op(Kind.VALUE, '3/v', Op.GET, { key: 'b' })], ctxFor(MAX));
    expect([view(before!), ...after.map(view)]).toEqual([
      { found: true, values: ['one'], mapKeys: [], more: false },
      { found: true, values: ['uno'], mapKeys: [], more: false },
      { found: true, values: ['three'], mapKeys: [], more: false },
    ]);
    expect(be.stats()).toEqual({ entries: 2, bytes: 1 + 3 + 1 + 5, openIterations: 0 });
  });

  it('stores values of every size from the batch, long ones and ones that change size included', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const long = 'x'.repeat(40);
    const longer = 'y'.repeat(41);
    be.apply([putBatch(Kind.VALUE, '3/v', [['a', long, 0], ['b', 'ab', 0], ['c', '', 0]])], ctxFor(MAX));
    be.apply([putBatch(Kind.VALUE, '3/v', [['a', longer, 0], ['b', 'cd', 0], ['c', 'z'.repeat(33), 0]])], ctxFor(MAX));
    const read = be.apply(['a', 'b', 'c'].map((key) => op(Kind.VALUE, '3/v', Op.GET, { key })), ctxFor(MAX));
    expect(read.map((r) => view(r).values)).toEqual([[longer], ['cd'], ['z'.repeat(33)]]);
    expect(be.stats()).toEqual({ entries: 3, bytes: 3 + 41 + 2 + 33, openIterations: 0 });
  });

  it("a batch with the keys of the last one writes each key's own entry, after removals renumbered them and after their table went", () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const group = 17;
    // One key group: one table, whose entries a removal renumbers (its last entry takes the hole).
    const keys = keysInGroup(group, MAX, 4);
    const batch = (tag: string) => putBatch(Kind.VALUE, '3/v', keys.map((k, i): [string, string, number] => [k, `${tag}${i}`, 0]));
    const read = () => be.apply(keys.map((key) => op(Kind.VALUE, '3/v', Op.GET, { key })), ctxFor(MAX)).map((r) => (r.found ? strings(r.values)[0] : null));
    be.apply([batch('a')], ctxFor(MAX));
    be.apply([batch('b')], ctxFor(MAX));
    expect(read()).toEqual(['b0', 'b1', 'b2', 'b3']);
    be.apply([op(Kind.VALUE, '3/v', Op.CLEAR, { key: keys[0]! })], ctxFor(MAX));
    expect(read()).toEqual([null, 'b1', 'b2', 'b3']);
    be.apply([batch('c')], ctxFor(MAX));
    expect(read()).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(be.stats()).toEqual({ entries: 4, bytes: keys.reduce((n, k) => n + k.length + 2, 0), openIterations: 0 });
    // Every key cleared: the key group's table is dropped, and the next batch makes a new one.
    be.apply(keys.map((key) => op(Kind.VALUE, '3/v', Op.CLEAR, { key })), ctxFor(MAX));
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
    be.apply([batch('d')], ctxFor(MAX));
    expect(read()).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(be.stats()).toEqual({ entries: 4, bytes: keys.reduce((n, k) => n + k.length + 2, 0), openIterations: 0 });
    // The same keys in another namespace are other entries.
    be.apply([{ ...batch('e'), key: { stateName: '3/v', kind: Kind.VALUE, namespace: b('w') } }], ctxFor(MAX));
    expect(read()).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(be.stats().entries).toBe(8);
  });

  it('keeps plans for at most 64 batches, and none past a restore, which then applies batches to the restored state', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const kept = () => (be as unknown as { putBatches: PutBatchReader }).putBatches.keptPlans;
    const batchOf = (key: string, value: string) => putBatch(Kind.VALUE, '3/v', [[key, value, 0]]);
    for (let i = 0; i < 70; i++) be.apply([batchOf(`k${i}`, 'a')], ctxFor(MAX));
    expect(kept()).toBe(64);
    const snapshot = be.snapshot();
    be.apply([batchOf('k69', 'b')], ctxFor(MAX));
    be.restore([snapshot]);
    expect(kept()).toBe(0);
    be.apply([batchOf('k69', 'c')], ctxFor(MAX));
    const read = be.apply([op(Kind.VALUE, '3/v', Op.GET, { key: 'k69' }), op(Kind.VALUE, '3/v', Op.GET, { key: 'k0' })], ctxFor(MAX));
    expect(read.map((r) => strings(r.values))).toEqual([['c'], ['a']]);
    expect(be.stats().entries).toBe(70);
  });

  it('refuses a batch its worker does not own the keys of, though the same batch was applied for a worker that did', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const keys = ['p', 'q', 'r'];
    const groups = keys.map((k) => groupOf(k, MAX));
    const batch = putBatch(Kind.VALUE, '3/v', keys.map((k): [string, string, number] => [k, 'v', 0]));
    be.apply([batch], ctxFor(MAX));
    const other = (Math.max(...groups) + 1) % MAX;
    expect(() => be.apply([batch], ctxFor(MAX, { start: other, end: other }))).toThrow(
      new StateAccessError(
        `state request refused, nothing in it was applied: operation 0, row 0 of its PUT_BATCH (PUT on state '3/v'): ` +
          `its key is in key group ${groups[0]}, outside the key groups this worker owns [${other}, ${other}]`,
      ),
    );
  });

  it('refuses a batch with a row without a value, applying none of it', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const batch = new BatchEncoder(PUT_BATCH_LAYOUT).encode({ length: 2, keys: [b('a'), b('b')], values: [b('one'), null], timestamps: [0, 0] });
    const request: Operation[] = [{ key: { stateName: '3/v', kind: Kind.VALUE }, op: Op.PUT_BATCH, batch }];
    expect(() => be.apply(request, ctxFor(MAX))).toThrow(
      new StateAccessError(
        "state request refused, nothing in it was applied: operation 0 (PUT_BATCH on state '3/v'): malformed Arrow batch: the value column has nulls",
      ),
    );
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
  });

  it('reads the clock once per request, for every operation without a time of its own', () => {
    let reads = 0;
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 + 10 * reads++ });
    const ttl = { ttlMs: 15, updateType: 'OnCreateAndWrite', visibility: 'NeverReturnExpired' };
    be.apply(
      [
        op(Kind.VALUE, '3/v', Op.DECLARE, { ttl }),
        putBatch(Kind.VALUE, '3/v', [['a', 'one', 0], ['b', 'two', 0]]),
        op(Kind.VALUE, '3/v', Op.PUT, { key: 'c', values: ['three'] }),
      ],
      ctxFor(MAX),
    );
    expect(reads).toBe(1);
    // All three were written at 1000: at 1010 (the next request's clock) they live, at 1020 none does.
    const read = (): string[][] =>
      be.apply(['a', 'b', 'c'].map((key) => op(Kind.VALUE, '3/v', Op.GET, { key })), ctxFor(MAX)).map((r) => view(r).values);
    expect(read()).toEqual([['one'], ['two'], ['three']]);
    expect(read()).toEqual([[], [], []]);
    expect(reads).toBe(3);
  });

  it('refuses a whole request whose batch has a key the worker does not own, naming the row', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const group = groupOf('inside', MAX);
    const outsider = ['x0', 'x1', 'x2', 'x3', 'x4', 'x5'].find((k) => groupOf(k, MAX) !== group)!;
    const request = [
      op(Kind.VALUE, '3/v', Op.PUT, { key: 'inside', values: ['before'] }),
      putBatch(Kind.VALUE, '3/v', [
        ['inside', 'new', 0],
        [outsider, 'stolen', 0],
      ]),
    ];
    expect(() => be.apply(request, ctxFor(MAX, { start: group, end: group }))).toThrow(
      new StateAccessError(
        `state request refused, nothing in it was applied: operation 1, row 1 of its PUT_BATCH (PUT on state '3/v'): ` +
          `its key is in key group ${groupOf(outsider, MAX)}, outside the key groups this worker owns [${group}, ${group}]`,
      ),
    );
    const read = be.apply([op(Kind.VALUE, '3/v', Op.GET, { key: 'inside' })], ctxFor(MAX, { start: group, end: group }));
    expect(read.map(view)).toEqual([{ found: false, values: [], mapKeys: [], more: false }]);
  });

  it('refuses a batch that is not an Arrow stream, one on a list state, and one with a key of its own', () => {
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
    const garbage: Operation = { key: { stateName: '3/v', kind: Kind.VALUE }, op: Op.PUT_BATCH, batch: b('not arrow') };
    expect(() => be.apply([garbage], ctxFor(MAX))).toThrow(
      /^state request refused, nothing in it was applied: operation 0 \(PUT_BATCH on state '3\/v'\): malformed Arrow batch: /,
    );
    expect(() => be.apply([putBatch(Kind.LIST, '3/l', [['a', 'x', 0]])], ctxFor(MAX))).toThrow(
      "operation 0 (PUT_BATCH on state '3/l'): PUT_BATCH is for value, reducing and aggregating state, not LIST",
    );
    const keyed = { ...putBatch(Kind.VALUE, '3/v', [['a', 'x', 0]]), key: { stateName: '3/v', kind: Kind.VALUE, key: b('a') } };
    expect(() => be.apply([keyed], ctxFor(MAX))).toThrow("operation 0 (PUT_BATCH on state '3/v'): key.key must be empty: the batch carries the keys");
    expect(be.operationsApplied).toBe(0);
  });
});

describe('PutRun', () => {
  const encoder = new BatchEncoder(PUT_BATCH_LAYOUT);
  const ns = b('window-1');
  const key = (k: string, namespace?: Uint8Array) => ({ stateName: '3/v', kind: Kind.VALUE, key: b(k), namespace });
  /** A PUT's source writing `k` and `v` as they are. */
  const put = (k: string, v: string): PutSource => ({ writeKey: (w) => w.writeBytes(b(k)), writeValue: (w) => w.writeBytes(b(v)) });

  it('keeps its namespace, in a PUT_BATCH and in plain PUTs, and takes no key of another', () => {
    const long = new PutRun(key('k0', ns), put('k0', 'v0'), 1);
    for (let i = 1; i < MIN_PUT_BATCH_ROWS; i++) {
      expect(long.accepts(key(`k${i}`, b('window-1')))).toBe(true);
      long.add(put(`k${i}`, `v${i}`), 1);
    }
    expect(long.accepts(key('x', b('window-2')))).toBe(false);
    expect(long.accepts(key('x'))).toBe(false);
    const [batch] = long.operations(encoder);
    expect(batch!.op).toBe(Op.PUT_BATCH);
    expect(batch!.key).toEqual({ stateName: '3/v', kind: Kind.VALUE, namespace: ns });
    const short = new PutRun(key('k0', ns), put('k0', 'v0'), 1);
    expect(short.operations(encoder)).toEqual([{ key: key('k0', ns), op: Op.PUT, values: [b('v0')], time: 1 }]);
  });

  it('carries each row\'s key, value and time, in order, empty values included', () => {
    const rows: [string, string, number][] = Array.from({ length: 12 }, (_, i) => [`key-${'x'.repeat(i)}`, i % 3 === 0 ? '' : `value ${i}`, 100 + i]);
    const run = new PutRun(key(rows[0]![0]), put(rows[0]![0], rows[0]![1]), rows[0]![2]);
    for (const [k, v, t] of rows.slice(1)) run.add(put(k, v), t);
    const [operation] = run.operations(encoder);
    const be = new KeyedStateBackend({ maxParallelism: MAX });
    be.apply([operation!], ctxFor(MAX));
    const got = be.apply(
      rows.map(([k]) => op(Kind.VALUE, '3/v', Op.GET, { key: k })),
      ctxFor(MAX),
    );
    expect(got.map((r) => strings(r.values ?? []))).toEqual(rows.map(([, v]) => [v]));
  });

  it('adds nothing when a value cannot be encoded', () => {
    const run = new PutRun(key('a'), put('a', '1'), 1);
    const failing: PutSource = { writeKey: (w) => w.writeBytes(b('b')), writeValue: () => { throw new TypeError('is a symbol'); } };
    expect(() => run.add(failing, 2)).toThrow('is a symbol');
    expect(run.length).toBe(1);
    expect(run.operations(encoder)).toEqual([{ key: key('a'), op: Op.PUT, values: [b('1')], time: 1 }]);
  });
});
