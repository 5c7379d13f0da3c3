/**
 * Prefetch: before a keyed batch runs, the head's value-like states are read for the batch's
 * keys in one request (as many keys as the cache can hold), and its rows run once the answers
 * are in, so reads cost a round trip per segment of the batch rather than per key and none of
 * them blocks.
 */
import { describe, expect, it } from 'vitest';
import { ListStateDescriptor, StateTtlConfig, ValueStateDescriptor } from '../host/index.ts';
import { sluice } from '../shared/generated/protocol.js';
import { FakeStateHost, jsonCodec, workerOver } from './worker-state-fake-host.ts';

const { StateOp } = sluice.fn.v1;
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

/**
 * Regressions: a prefetch reads the batch's keys whether or not their rows read the state, and
 * before they do; under a TTL whose host reads have effects (a refresh, the removal of an expired
 * value that would still be returned) it would change what functions observe. TTL 10 ms.
 */
describe.each([0, 1, 1000])('state prefetch and TTL, cache size %i', (cacheSize) => {
  const readRefreshes = StateTtlConfig.newBuilder(10).updateTtlOnReadAndWrite().build();
  const returnsExpired = StateTtlConfig.newBuilder(10).returnExpiredIfNotCleanedUp().build();

  /** A value written at t=0; a batch of key K prefetched at `prefetchAt` (its row does not read); the value read at `readAt`. */
  async function readAfterPrefetch(config: StateTtlConfig, prefetchAt: number, readAt: number) {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize });
    const s = w.op.getState(new ValueStateDescriptor<string>('v').enableTimeToLive(config));
    w.setKey('K');
    w.setTime(0);
    s.update('written at t=0');
    await w.keyed.finishBundle();
    // An empty cache (a restart), as a new bundle begins.
    w.keyed.reset();
    w.setTime(prefetchAt);
    await w.op.prefetch([jsonCodec.encode('K')], 0).ready;
    await w.keyed.finishBundle();
    w.setTime(readAt);
    const seen = [s.value(), s.value()];
    await w.keyed.finishBundle();
    return { seen, host, gets: host.operations.filter((o) => o.op === StateOp.GET).map((o) => o.time) };
  }

  it('OnReadAndWrite: a value only prefetched is not refreshed by it, and expires', async () => {
    const { seen, host, gets } = await readAfterPrefetch(readRefreshes, 9, 15);
    expect(seen).toEqual([null, null]);
    expect(host.value('op/v', 'K')).toBe(undefined);
    // No prefetch GET at t=9: the value's reads are the function's own.
    expect(gets).toEqual(cacheSize === 0 ? [15, 15] : [15]);
  });

  it('ReturnExpiredIfNotCleanedUp: a prefetch does not remove the expired value a read still returns', async () => {
    const { seen, host, gets } = await readAfterPrefetch(returnsExpired, 12, 12);
    expect(seen).toEqual(['written at t=0', null]);
    expect(host.value('op/v', 'K')).toBe(undefined);
    expect(gets).toEqual([12, 12]);
  });
});

describe('state prefetch reads only states whose host reads have no observable effect', () => {
  it('reads states without TTL and with OnCreateAndWrite, NeverReturnExpired; not the others', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 100 });
    w.setTime(0);
    const ttl = (b: ReturnType<typeof StateTtlConfig.newBuilder>): StateTtlConfig => b.build();
    w.op.getState(new ValueStateDescriptor<number>('plain'));
    w.op.getState(new ValueStateDescriptor<number>('created').enableTimeToLive(ttl(StateTtlConfig.newBuilder(10))));
    w.op.getState(
      new ValueStateDescriptor<number>('read').enableTimeToLive(ttl(StateTtlConfig.newBuilder(10).updateTtlOnReadAndWrite())),
    );
    w.op.getState(
      new ValueStateDescriptor<number>('expired').enableTimeToLive(ttl(StateTtlConfig.newBuilder(10).returnExpiredIfNotCleanedUp())),
    );
    // 100 entries, two states read ahead: 25 keys at a time.
    const { count, ready } = w.op.prefetch(keys(30), 0);
    await ready;
    expect(count).toBe(25);
    const gets = host.operations.filter((o) => o.op === StateOp.GET).map((o) => o.key?.stateName);
    expect(gets.slice(0, 4)).toEqual(['op/plain', 'op/created', 'op/plain', 'op/created']);
    expect(gets).toHaveLength(50);
  });
});
