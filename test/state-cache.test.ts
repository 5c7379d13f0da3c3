import { describe, expect, it } from 'vitest';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../shared/api/state-descriptors.ts';
import { ConfigError } from '../shared/errors/errors.ts';
import { sluice } from '../shared/generated/protocol.js';
import { WorkerKeyedState } from '../worker/state/index.ts';
import { DEFAULT_OPTIONS, FakeStateHost, jsonCodec, workerOver } from './worker-state-fake-host.ts';

const { StateOp } = sluice.fn.v1;

describe('state cache', () => {
  it('serves 100 keys x 1,000 records of value()+update() with 100 reads and one batch of writes', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    const count = w.op.getState(new ValueStateDescriptor<number>('count'));
    w.keyed.beginBundle('b1');
    for (let record = 0; record < 1000; record++) {
      for (let k = 0; k < 100; k++) {
        w.setKey(k);
        const c = count.value();
        count.update((c ?? 0) + 1);
      }
    }
    expect(host.requests.length).toBe(100);
    await w.keyed.finishBundle();

    expect(host.requests.length).toBe(101);
    expect(host.countOps(StateOp.DECLARE)).toBe(1);
    expect(host.countOps(StateOp.GET)).toBe(100);
    expect(host.countOps(StateOp.PUT)).toBe(100);
    expect(host.operations.length).toBe(201);
    expect(host.requests[0]!.operations!.map((o) => o.op)).toEqual([StateOp.DECLARE, StateOp.GET]);
    expect(host.requests[100]!.operations!.length).toBe(100);
    expect(host.requests.every((r) => r.instructionId === 'b1')).toBe(true);
    for (let k = 0; k < 100; k++) expect(host.value('op/count', k)).toBe(1000);
    expect(w.keyed.stats()).toMatchObject({
      requests: 101,
      operations: 201,
      cacheHits: 99_900,
      cacheMisses: 100,
      cachedEntries: 100,
    });
  });

  it('writes back at the end of a bundle each entry still dirty once, whatever was evicted before', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 100 });
    const count = w.op.getState(new ValueStateDescriptor<number>('count'));
    w.keyed.beginBundle('b1');
    // 300 keys through 100 entries, three times: every key is evicted (written back) twice.
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 300; k++) {
        w.setKey(k);
        count.update((count.value() ?? 0) + 1);
      }
    }
    const before = host.requests.length;
    await w.keyed.finishBundle();
    expect(host.requests.length).toBe(before + 1);
    const last = host.requests.at(-1)!.operations!.map((o) => jsonCodec.decode(o.key!.key!));
    expect([...new Set(last)].length).toBe(last.length);
    expect(last.slice(-100)).toEqual(Array.from({ length: 100 }, (_, i) => 200 + i));
    expect(Array.from({ length: 300 }, (_, k) => host.value('op/count', k))).toEqual(Array<number>(300).fill(3));
  });

  it('survives across bundles: a second bundle reads nothing from the host', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    const count = w.op.getState(new ValueStateDescriptor<number>('count'));
    for (const bundle of ['b1', 'b2']) {
      w.keyed.beginBundle(bundle);
      for (let k = 0; k < 10; k++) {
        w.setKey(k);
        count.update((count.value() ?? 0) + 1);
      }
      await w.keyed.finishBundle();
    }
    expect(host.countOps(StateOp.GET)).toBe(10);
    expect(host.requests.map((r) => [r.instructionId, r.operations!.length])).toEqual([
      ...Array.from({ length: 10 }, (_, i) => ['b1', i === 0 ? 2 : 1]),
      ['b1', 10],
      ['b2', 10],
    ]);
    for (let k = 0; k < 10; k++) expect(host.value('op/count', k)).toBe(2);
  });

  it('is bounded by entries; eviction writes back into the next request, not one of its own', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 3 });
    const s = w.op.getState(new ValueStateDescriptor<string>('s'));
    w.keyed.beginBundle('b1');
    for (let k = 0; k < 8; k++) {
      w.setKey(k);
      s.update(`v${k}`);
    }
    expect(w.keyed.stats().cachedEntries).toBe(3);
    // Keys 0..4 were evicted: their writes wait in the batch with nothing sent yet.
    expect(host.requests.length).toBe(0);
    await w.keyed.finishBundle();
    // One request: the declaration, the five evicted writes, then the three still cached.
    expect(host.requests.length).toBe(1);
    expect(host.requests[0]!.operations).toHaveLength(9);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((k) => host.value('op/s', k))).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
    // Recently used keys are hits; an evicted one is read back from the host.
    w.setKey(7);
    expect(s.value()).toBe('v7');
    w.setKey(0);
    expect(s.value()).toBe('v0');
    expect(w.keyed.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1 });
  });

  it('allocates nothing up front for its capacity: a cache of 2^40 entries holds what it is given', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 2 ** 40 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    w.keyed.beginBundle('b1');
    for (let k = 0; k < 5; k++) {
      w.setKey(k);
      s.update(k * 10);
    }
    expect(w.keyed.stats().cachedEntries).toBe(5);
    await w.keyed.finishBundle();
    expect([0, 1, 2, 3, 4].map((k) => host.value('op/s', k))).toEqual([0, 10, 20, 30, 40]);
  });

  it('never evicts a key used every third access, while the cache fills from empty and once it churns', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 10 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    w.keyed.beginBundle('b1');
    // Each round reads and writes the hot key, then writes two keys never seen before: 200
    // keys go through 10 entries, and the hot key, first in, must never be the one evicted.
    for (let round = 0; round < 100; round++) {
      w.setKey('hot');
      s.update((s.value() ?? 0) + 1);
      for (const k of [2 * round, 2 * round + 1]) {
        w.setKey(k);
        s.update(k);
      }
    }
    expect(w.keyed.stats()).toMatchObject({ cacheHits: 99, cacheMisses: 1, cachedEntries: 10 });
    await w.keyed.finishBundle();
    expect(host.value('op/s', 'hot')).toBe(100);
    expect([0, 100, 199].map((k) => host.value('op/s', k))).toEqual([0, 100, 199]);
  });

  it('counts an entry rewritten many times in a bundle as the value it ends with', async () => {
    const rewritten = workerOver(new FakeStateHost());
    const once = workerOver(new FakeStateHost());
    const a = rewritten.op.getState(new ValueStateDescriptor<unknown>('v'));
    const b = once.op.getState(new ValueStateDescriptor<unknown>('v'));
    for (const v of [1, 2, 3, 'a string longer than a number', 4, 5, 'short', 'a string of another length', 6]) a.update(v);
    b.update(6);
    expect(rewritten.keyed.stats().cachedBytes).toBe(once.keyed.stats().cachedBytes);
    a.update(7);
    b.update('x'.repeat(40));
    expect(rewritten.keyed.stats().cachedBytes).toBeLessThan(once.keyed.stats().cachedBytes);
    await rewritten.keyed.finishBundle();
    expect(a.value()).toBe(7);
  });

  it('is bounded by bytes as well as entries', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 1000, cacheMaxBytes: 4_000 });
    const s = w.op.getState(new ValueStateDescriptor<string>('s'));
    for (let k = 0; k < 20; k++) {
      w.setKey(k);
      s.update('x'.repeat(1_000));
    }
    const { cachedEntries, cachedBytes } = w.keyed.stats();
    expect(cachedBytes).toBeLessThanOrEqual(4_000);
    expect(cachedEntries).toBe(3);
    expect(host.requests.length).toBe(0);
    await w.keyed.finishBundle();
    for (let k = 0; k < 20; k++) expect(host.value('op/s', k)).toBe('x'.repeat(1_000));
  });

  it('with cache size 0 keeps nothing but still batches writes until a read or the bundle end', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 0 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    for (let k = 0; k < 10; k++) {
      w.setKey(k);
      s.update(k);
    }
    expect(host.requests.length).toBe(0);
    w.setKey(3);
    expect(s.value()).toBe(3);
    expect(s.value()).toBe(3);
    expect(host.requests.map((r) => r.operations!.length)).toEqual([12, 1]);
    expect(w.keyed.stats()).toMatchObject({ cachedEntries: 0, cachedBytes: 0, cacheHits: 0, cacheMisses: 2 });
    s.update(30);
    await w.keyed.finishBundle();
    expect(host.requests.length).toBe(3);
    expect(host.value('op/s', 3)).toBe(30);
  });

  it('reset() drops the cache and the writes not yet sent', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    s.update(1);
    await w.keyed.finishBundle();
    s.update(2);
    w.keyed.reset();
    expect(w.keyed.stats()).toMatchObject({ cachedEntries: 0, cachedBytes: 0 });
    expect(s.value()).toBe(1);
    await w.keyed.finishBundle();
    expect(host.value('op/s', 'k')).toBe(1);
    // The state is declared again after a reset.
    expect(host.countOps(StateOp.DECLARE)).toBe(2);
  });

  it('answers a hit at once, without a request', () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    const v = w.op.getState(new ValueStateDescriptor<number>('v'));
    const l = w.op.getListState(new ListStateDescriptor<number>('l'));
    const m = w.op.getMapState(new MapStateDescriptor<string, number>('m'));
    v.update(1);
    l.update([1, 2]);
    m.clear();
    m.put('a', 1);
    expect([v.value(), l.get(), m.get('a'), m.contains('b'), m.isEmpty()]).toEqual([1, [1, 2], 1, false, false]);
    expect(host.requests.length).toBe(0);
  });

  it('a miss blocks for one request; a second read of it is a hit', () => {
    const host = new FakeStateHost();
    host.seedValue('op/v', 'k', 5);
    const w = workerOver(host);
    const v = w.op.getState(new ValueStateDescriptor<number>('v'));
    const l = w.op.getListState(new ListStateDescriptor<number>('l'));
    const before = l.get();
    l.add(1);
    expect(v.value()).toBe(5);
    expect(v.value()).toBe(5);
    const after = l.get();
    expect([before, after]).toEqual([[], [1]]);
    expect(host.countOps(StateOp.GET)).toBe(2);
    expect(host.blockingRequests).toBe(2);
    // The second request is v's: its declaration and its GET. The list's append stays in the
    // cache (the list is known whole there); the second value() is a hit.
    expect(host.requests[1]!.operations!.map((o) => o.op)).toEqual([StateOp.DECLARE, StateOp.GET]);
  });

  it('refuses bad settings, naming the key', () => {
    const make = (o: object) => () =>
      new WorkerKeyedState(new FakeStateHost(), { ...DEFAULT_OPTIONS, ...o }, jsonCodec);
    expect(make({ cacheSize: -1 })).toThrow(ConfigError);
    expect(make({ cacheSize: -1 })).toThrow('udf.state.cache-size must be a non-negative integer, got -1');
    expect(make({ cacheMaxBytes: 0 })).toThrow('udf.state.cache-max-bytes must be a positive number of bytes, got 0');
    expect(make({ iterateBatchSize: 0 })).toThrow(
      'udf.map-state.iterate-response-batch-size must be a positive integer, got 0',
    );
    expect(make({ mapWriteCacheSize: 1.5 })).toThrow(
      'udf.map-state.write-cache-size must be a non-negative integer, got 1.5',
    );
    expect(make({ cacheSize: 0, cacheMaxBytes: 0 })).not.toThrow();
  });

  it('an answer arriving after its entry was evicted does not undo newer writes', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 1 });
    const l = w.op.getListState(new ListStateDescriptor<number>('l'));
    const v = w.op.getState(new ValueStateDescriptor<number>('v'));
    w.setKey(1);
    l.update([1]);
    w.setKey(2);
    v.update(0);
    w.setKey(1);
    const read = l.get(); // a miss: the answer comes after the synchronous code below
    w.setKey(2);
    v.update(1); // evicts the list entry waiting for that answer
    w.setKey(1);
    l.update([2]); // a newer entry for the same list...
    w.setKey(2);
    v.update(2); // ...evicted (written back) in turn
    expect(read).toEqual([1]);
    w.setKey(1);
    expect(l.get()).toEqual([2]);
  });
});
