/**
 * Prefetch: before a keyed batch runs, the head's value-like states are read for the batch's
 * keys in one request (as many keys as the cache can hold), and its rows run once the answers
 * are in, so reads cost a round trip per segment of the batch rather than per key and none of
 * them blocks.
 */
import { describe, expect, it } from 'vitest';
import { ListStateDescriptor, ValueStateDescriptor } from '../host/index.ts';
import { FakeStateHost, jsonCodec, workerOver } from './worker-state-fake-host.ts';

const keys = (n: number): Uint8Array[] => Array.from({ length: n }, (_, k) => jsonCodec.encode(k));

describe('state prefetch', () => {
  it('reads every key of a batch in one request; the function then hits the cache', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 100 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    const batch = keys(10);
    const { count, ready } = w.op.prefetch(batch, 0);
    expect(count).toBe(10);
    expect(host.requests).toHaveLength(1);
    // The declaration, then one GET per key.
    expect(host.requests[0]!.operations).toHaveLength(11);
    await ready;
    for (let k = 0; k < 10; k++) {
      w.setKey(k);
      expect(s.value()).toBe(null);
    }
    expect(host.requests).toHaveLength(1);
    expect(host.blockingRequests).toBe(0);
    expect(w.keyed.stats()).toMatchObject({ cacheHits: 10, cacheMisses: 10 });
  });

  it('covers only as many keys as half the cache holds, per state', () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 8 });
    w.op.getState(new ValueStateDescriptor<number>('a'));
    w.op.getState(new ValueStateDescriptor<number>('b'));
    // 8 entries, two states: 2 keys at a time.
    expect(w.op.prefetch(keys(10), 0).count).toBe(2);
    expect(w.op.prefetch(keys(10), 2).count).toBe(2);
    expect(host.requests).toHaveLength(2);
  });

  it('repeated keys count once; known keys are not read again', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 100 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    w.setKey(1);
    s.update(5);
    const batch = [1, 2, 2, 1, 3].map((k) => jsonCodec.encode(k));
    expect(w.op.prefetch(batch, 0).count).toBe(5);
    // The pending write goes first, then the declaration-free GETs for keys 2 and 3 only.
    expect(host.requests).toHaveLength(1);
    expect(host.requests[0]!.operations!.filter((o) => o.op === 1)).toHaveLength(2);
  });

  it('does nothing without value-like states or without a cache', () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 100 });
    w.op.getListState(new ListStateDescriptor<number>('l'));
    expect(w.op.prefetch(keys(5), 0)).toEqual({ count: 5, ready: null });
    const off = workerOver(host, { cacheSize: 0 });
    off.op.getState(new ValueStateDescriptor<number>('s'));
    expect(off.op.prefetch(keys(5), 0)).toEqual({ count: 5, ready: null });
    expect(host.requests).toHaveLength(0);
  });
});
