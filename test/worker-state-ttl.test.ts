import { describe, expect, it } from 'vitest';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../shared/api/state-descriptors.ts';
import { StateTtlConfig } from '../shared/api/ttl.ts';
import { sluice } from '../shared/generated/protocol.js';
import { FakeStateHost, seededRandom, workerOver } from './worker-state-fake-host.ts';

const { StateOp } = sluice.fn.v1;

function ttlConfig(update: 'create' | 'read', visibility: 'never' | 'returnExpired'): StateTtlConfig {
  const b = StateTtlConfig.newBuilder(100);
  if (update === 'read') b.updateTtlOnReadAndWrite();
  if (visibility === 'returnExpired') b.returnExpiredIfNotCleanedUp();
  return b.build();
}

function setup(cacheSize: number, config: StateTtlConfig, options = {}) {
  const host = new FakeStateHost();
  const w = workerOver(host, { cacheSize, ...options });
  w.setTime(1000);
  const v = w.op.getState(new ValueStateDescriptor<number>('v').enableTimeToLive(config));
  const l = w.op.getListState(new ListStateDescriptor<number>('l').enableTimeToLive(config));
  const m = w.op.getMapState(new MapStateDescriptor<string, number>('m').enableTimeToLive(config));
  return { host, v, l, m, ...w };
}

describe.each([0, 1000])('state TTL with cache size %i', (cacheSize) => {
  it('NeverReturnExpired + OnCreateAndWrite: an expired value is never returned, reads do not refresh', async () => {
    const { v, setTime, keyed } = setup(cacheSize, ttlConfig('create', 'never'));
    v.update(1);
    const seen = [];
    for (const t of [1050, 1099, 1100]) {
      setTime(t);
      seen.push(v.value());
    }
    await keyed.finishBundle();
    expect(seen).toEqual([1, 1, null]);
  });

  it('NeverReturnExpired + OnCreateAndWrite: values read from the host are judged again once time moves', async () => {
    const { host, v, setTime } = setup(cacheSize, ttlConfig('create', 'never'));
    host.seedValue('op/v', 'k', 7, 1000);
    const seen = [];
    for (const t of [1050, 1050, 1060, 1099, 1100]) {
      setTime(t);
      seen.push(v.value());
    }
    expect(seen).toEqual([7, 7, 7, 7, null]);
    // Cached, only the second read (same instant) is answered locally.
    expect(host.countOps(StateOp.GET)).toBe(cacheSize === 0 ? 5 : 4);
  });

  it('NeverReturnExpired + OnReadAndWrite: reads refresh, and the refreshed time reaches the host', async () => {
    const { host, v, setTime, keyed } = setup(cacheSize, ttlConfig('read', 'never'));
    v.update(1);
    const seen = [];
    for (const t of [1080, 1170, 1269]) {
      setTime(t);
      seen.push(v.value());
    }
    await keyed.finishBundle();
    // The cache is dropped: only the host's timestamp (1269) keeps the value alive now.
    keyed.reset();
    setTime(1368);
    seen.push(v.value());
    setTime(1468);
    seen.push(v.value());
    expect(seen).toEqual([1, 1, 1, 1, null]);
    if (cacheSize > 0) {
      // Hits were refreshed locally; the last refresh went to the host as a rewrite.
      const puts = host.operations.filter((o) => o.op === StateOp.PUT).map((o) => o.time);
      expect(puts).toEqual([1269]);
    }
  });

  it('ReturnExpiredIfNotCleanedUp + OnCreateAndWrite: an expired value is returned while the host has it', async () => {
    const { v, setTime, keyed } = setup(cacheSize, ttlConfig('create', 'returnExpired'));
    v.update(1);
    await keyed.finishBundle();
    const seen = [];
    for (const t of [1099, 1100, 1100, 1200]) {
      setTime(t);
      seen.push(v.value());
    }
    expect(seen).toEqual([1, 1, null, null]);
  });

  it('ReturnExpiredIfNotCleanedUp + OnReadAndWrite: refreshed while read, returned once after expiry', async () => {
    const { v, setTime } = setup(cacheSize, ttlConfig('read', 'returnExpired'));
    v.update(1);
    const seen = [];
    for (const t of [1050, 1149, 1249, 1249]) {
      setTime(t);
      seen.push(v.value());
    }
    expect(seen).toEqual([1, 1, 1, null]);
  });

  it.each([false, true])('list elements expire one by one (list written whole first: %s)', async (whole) => {
    const { l, setTime, advance } = setup(cacheSize, ttlConfig('create', 'never'));
    if (whole) l.clear();
    l.add(1);
    advance(50);
    l.addAll([2, 3]);
    const seen = [];
    for (const t of [1099, 1100, 1150]) {
      setTime(t);
      seen.push(l.get());
    }
    expect(seen).toEqual([[1, 2, 3], [2, 3], []]);
  });

  it('list reads refresh every element (OnReadAndWrite)', async () => {
    const { l, setTime, advance } = setup(cacheSize, ttlConfig('read', 'never'));
    l.add(1);
    advance(50);
    l.add(2);
    const seen = [];
    for (const t of [1090, 1180, 1280]) {
      setTime(t);
      seen.push(l.get());
    }
    expect(seen).toEqual([[1, 2], [1, 2], []]);
  });

  it('map entries expire one by one', async () => {
    const { m, setTime } = setup(cacheSize, ttlConfig('create', 'never'));
    m.clear();
    m.put('a', 1);
    setTime(1050);
    m.put('b', 2);
    setTime(1100);
    expect([m.get('a'), m.get('b'), m.contains('a')]).toEqual([null, 2, false]);
    expect(Array.from(m.entries())).toEqual([['b', 2]]);
    expect(m.isEmpty()).toBe(false);
    setTime(1150);
    expect(m.isEmpty()).toBe(true);
    expect(Array.from(m.keys())).toEqual([]);
  });

  it('a map walk refreshes whole pages, as the host does, even when stopped early', async () => {
    const { m, setTime } = setup(cacheSize, ttlConfig('read', 'never'), { iterateBatchSize: 2 });
    m.clear();
    m.putAll([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    setTime(1090);
    for (const k of m.keys()) if (k === 'a') break;
    setTime(1150);
    expect(Array.from(m.entries())).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    setTime(1249);
    expect(m.get('b')).toBe(2);
    setTime(1250);
    expect(m.get('a')).toBe(null);
  });

  it('map entries read from the host under ReturnExpiredIfNotCleanedUp are returned once after expiry', async () => {
    const { host, m, setTime } = setup(cacheSize, ttlConfig('create', 'returnExpired'));
    host.seedMap('op/m', 'k', [['a', 1]], 1000);
    setTime(1050);
    expect(m.get('a')).toBe(1);
    setTime(1100);
    expect(m.get('a')).toBe(1);
    expect(m.get('a')).toBe(null);
  });
});

describe('TTL and the cache', () => {
  it('never serves an expired cached value (FLINK-24105), and needs no request to know it', async () => {
    const { host, v, setTime, keyed } = setup(1000, ttlConfig('create', 'never'));
    v.update(1);
    await keyed.finishBundle();
    const before = host.requests.length;
    setTime(1100);
    expect(v.value()).toBe(null);
    expect(host.requests.length).toBe(before);
  });

  it('operations carry the clock', async () => {
    const { host, v, setTime, keyed } = setup(1000, ttlConfig('create', 'never'));
    setTime(4242);
    v.update(1);
    await keyed.finishBundle();
    expect(host.operations.map((o) => o.time)).toEqual([4242, 4242]);
  });
});

/** A deterministic pseudo-random workload under TTL with a moving clock; returns all it read. */
async function randomTtlWorkload(config: StateTtlConfig, options: object) {
  const host = new FakeStateHost();
  const w = workerOver(host, options);
  const v = w.op.getState(new ValueStateDescriptor<number>('v').enableTimeToLive(config));
  const l = w.op.getListState(new ListStateDescriptor<number>('l').enableTimeToLive(config));
  const m = w.op.getMapState(new MapStateDescriptor<number, number>('m').enableTimeToLive(config));
  const next = seededRandom(777);
  const seen: unknown[] = [];
  for (let i = 0; i < 3000; i++) {
    w.advance(next(4) === 0 ? next(60) : 0);
    w.setKey(next(4));
    const x = next(8);
    switch (next(13)) {
      case 0: seen.push(v.value()); break;
      case 1: v.update(i); break;
      case 2: seen.push(l.get()); break;
      case 3: l.add(i); break;
      case 4: if (x === 0) l.clear(); else l.update([i]); break;
      case 5: seen.push(m.get(x)); break;
      case 6: m.put(x, i); break;
      case 7: m.remove(x); break;
      case 8: seen.push(m.contains(x), m.isEmpty()); break;
      case 9: {
        const entries: unknown[] = [];
        for (const e of m.entries()) {
          entries.push(e);
          if (entries.length === x + 1) break;
        }
        seen.push(entries);
        break;
      }
      case 10: if (x === 0) m.clear(); break;
      case 11: if (x === 0) await w.keyed.finishBundle(); break;
      default: if (x === 0) v.clear(); break;
    }
  }
  await w.keyed.finishBundle();
  return { seen, stats: w.keyed.stats() };
}

describe('TTL results do not depend on cache settings', () => {
  it.each([
    ['create', 'never'],
    ['read', 'never'],
    ['create', 'returnExpired'],
    ['read', 'returnExpired'],
  ] as const)('%s / %s: identical reads at cache sizes 0, 1 and the default', async (update, visibility) => {
    const config = ttlConfig(update, visibility);
    const reference = await randomTtlWorkload(config, { cacheSize: 0, iterateBatchSize: 3 });
    for (const options of [
      { cacheSize: 1, iterateBatchSize: 3 },
      { cacheSize: 1000, iterateBatchSize: 3 },
      { cacheSize: 1000, iterateBatchSize: 3, mapReadCacheSize: 2, mapWriteCacheSize: 2 },
    ]) {
      const run = await randomTtlWorkload(config, options);
      expect({ options, seen: run.seen }).toEqual({ options, seen: reference.seen });
    }
  });
});

/**
 * Regressions: a map entry learnt during a walk (a read made in the loop body) must survive the
 * walk's end as the host holds it. TTL 10 ms, OnReadAndWrite, NeverReturnExpired, pages of one
 * entry; x written at t=0, y at t=8.
 */
describe.each([0, 1, 1000])('map entries read during a walk, cache size %i', (cacheSize) => {
  function walkSetup() {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize, iterateBatchSize: 1 });
    const config = StateTtlConfig.newBuilder(10).updateTtlOnReadAndWrite().build();
    const m = w.op.getMapState(new MapStateDescriptor<string, string>('m').enableTimeToLive(config));
    const other = w.op.getMapState(new MapStateDescriptor<string, string>('other').enableTimeToLive(config));
    w.setKey('K');
    return { host, m, other, ...w };
  }

  /** x and y written, then walked from t=5 with a read of x at t=15 in the loop; then read at t=16. */
  async function walkPastExpiry(w: ReturnType<typeof walkSetup>, forget: () => void): Promise<unknown[]> {
    const { keyed, m, setTime } = w;
    setTime(0);
    m.put('x', 'X');
    setTime(8);
    m.put('y', 'Y');
    await keyed.finishBundle();
    forget();
    setTime(5);
    const seen: unknown[] = [];
    for (const [k, v] of m.entries()) {
      seen.push([k, v]);
      if (k === 'x') {
        // The walk refreshed x at t=5: it expires at t=15, and this read has the host remove it.
        setTime(15);
        seen.push(m.get('x'));
      }
    }
    setTime(16);
    seen.push(m.get('x'), Array.from(m.entries()));
    await keyed.finishBundle();
    // What the host answers now, without the cache.
    keyed.reset();
    seen.push(m.get('x'), Array.from(m.entries()));
    return seen;
  }

  const expected = [['x', 'X'], null, ['y', 'Y'], null, [['y', 'Y']], null, [['y', 'Y']]];

  it('an entry found expired in the loop stays absent after a walk that started with nothing cached', async () => {
    const w = walkSetup();
    expect(await walkPastExpiry(w, () => w.keyed.reset())).toEqual(expected);
    expect(w.host.map('op/m', 'K')).toEqual([['y', 'Y']]);
  });

  it('an entry found expired in the loop stays absent after a walk that started with the map evicted', async () => {
    const w = walkSetup();
    const evict = (): void => {
      // Another key's state takes the only slot at cache size 1.
      w.setKey('L');
      expect(w.other.get('z')).toBe(null);
      w.setKey('K');
    };
    expect(await walkPastExpiry(w, evict)).toEqual(expected);
  });

  it('a walk answered from the cache refreshes an entry cached again by a read in the loop', async () => {
    const { host, keyed, m, other, setKey, setTime } = walkSetup();
    setTime(0);
    m.clear();
    m.putAll([
      ['x', 'X'],
      ['y', 'Y'],
    ]);
    const seen: unknown[] = [];
    for (const [k, v] of m.entries()) {
      seen.push([k, v]);
      if (k === 'x') {
        // At cache size 1 this evicts the map the walk started from; the read of y caches y again.
        setKey('L');
        seen.push(other.get('z'));
        setKey('K');
        setTime(5);
        seen.push(m.get('y'));
        // The walk reaches y at t=7 and refreshes it: it expires at t=17, not at t=15.
        setTime(7);
      }
    }
    setTime(15);
    seen.push(m.get('y'));
    await keyed.finishBundle();
    // What the host holds: y read at t=15 (alive until t=25), x last read at t=0.
    keyed.reset();
    setTime(24);
    seen.push(Array.from(m.entries()));
    expect(seen).toEqual([['x', 'X'], null, 'Y', ['y', 'Y'], 'Y', [['y', 'Y']]]);
    expect(host.map('op/m', 'K')).toEqual([['y', 'Y']]);
  });
});
