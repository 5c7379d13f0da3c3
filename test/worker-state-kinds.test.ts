import { describe, expect, it } from 'vitest';
import { AggregateFunction } from '../shared/api/functions.ts';
import { StateTtlConfig } from '../shared/api/ttl.ts';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../shared/api/state-descriptors.ts';
import type { WorkerStateOptions } from '../worker/state/index.ts';
import { GENERIC_STATE_CODEC } from '../worker/state/worker-state-options.ts';
import { decodeGeneric } from '../shared/codec/generic-value.ts';
import { FakeStateHost, jsonCodec, jsonCodecWithCopy, seededRandom, workerOver } from './worker-state-fake-host.ts';

class Average extends AggregateFunction<number, { sum: number; n: number }, number> {
  createAccumulator() {
    return { sum: 0, n: 0 };
  }
  add(value: number, acc: { sum: number; n: number }) {
    acc.sum += value;
    acc.n += 1;
    return acc;
  }
  getResult(acc: { sum: number; n: number }) {
    return acc.sum / acc.n;
  }
}

// The cache keeps objects as plain copies when its codec can make them (the workers' generic
// codec can); at cache size 0 it keeps nothing, so the copy makes no difference there.
describe.each([
  [0, 'the JSON codec', jsonCodec],
  [1, 'the JSON codec', jsonCodec],
  [1000, 'the JSON codec', jsonCodec],
  [1, 'the JSON codec with plain copies', jsonCodecWithCopy],
  [1000, 'the JSON codec with plain copies', jsonCodecWithCopy],
])('every state kind with cache size %i and %s', (cacheSize, _codecName, codec) => {
  const setup = () => {
    const host = new FakeStateHost();
    return { host, ...workerOver(host, { cacheSize }, codec) };
  };

  it('ValueState: value, update, update(null), clear', async () => {
    const { host, keyed, op, setKey } = setup();
    const s = op.getState(new ValueStateDescriptor<{ n: number }>('v'));
    const seen: unknown[] = [];
    setKey('a');
    seen.push(s.value());
    s.update({ n: 1 });
    setKey('b');
    s.update({ n: 2 });
    setKey('a');
    const got = s.value();
    seen.push({ ...got });
    got!.n = 99; // mutating what was read does not change the state
    seen.push(s.value());
    await keyed.finishBundle();
    s.update(null as unknown as { n: number });
    seen.push(s.value());
    setKey('b');
    seen.push(s.value());
    s.clear();
    seen.push(s.value());
    await keyed.finishBundle();
    expect(seen).toEqual([null, { n: 1 }, { n: 1 }, null, { n: 2 }, null]);
    expect([host.value('op/v', 'a'), host.value('op/v', 'b')]).toEqual([undefined, undefined]);
  });

  it('ValueState of objects: neither the object written nor what a read returned is the state', async () => {
    const { host, keyed, op, setKey } = setup();
    const s = op.getState(new ValueStateDescriptor<[string, number[], { seen: boolean }]>('tuple'));
    const seen: unknown[] = [];
    setKey('a');
    const written: [string, number[], { seen: boolean }] = ['word', [1, 2], { seen: false }];
    s.update(written);
    written[1].push(3);
    written[2].seen = true;
    written[0] = 'changed';
    const first = s.value()!;
    seen.push(structuredClone(first));
    first[1].push(4);
    first[2].seen = true;
    const second = s.value()!;
    seen.push(structuredClone(second));
    expect(second).not.toBe(first);
    await keyed.finishBundle();
    seen.push(s.value());
    s.update([s.value()![0], [...s.value()![1], 9], { seen: true }]);
    seen.push(s.value());
    await keyed.finishBundle();
    const held = ['word', [1, 2], { seen: false }];
    expect(seen).toEqual([held, held, held, ['word', [1, 2, 9], { seen: true }]]);
    expect(host.value('op/tuple', 'a')).toEqual(['word', [1, 2, 9], { seen: true }]);
  });

  it('ValueState of a flat tuple updated in place: still neither the object written nor the one read', async () => {
    const { host, keyed, op, setKey } = setup();
    const s = op.getState(new ValueStateDescriptor<[string, number]>('pair'));
    setKey('a');
    s.update(['word', 1]);
    const second: [string, number] = ['word', 2];
    s.update(second);
    second[1] = 50;
    const read = s.value()!;
    read[1] = 60;
    const third: [string, number] = [read[0], s.value()![1] + 1];
    s.update(third);
    third[0] = 'changed';
    expect(s.value()).toEqual(['word', 3]);
    await keyed.finishBundle();
    expect(host.value('op/pair', 'a')).toEqual(['word', 3]);
  });

  it('ListState: get, add, addAll, update, clear', async () => {
    const { host, keyed, op, setKey } = setup();
    const l = op.getListState(new ListStateDescriptor<number>('l'));
    const seen: unknown[] = [];
    setKey('a');
    seen.push(l.get());
    l.add(1);
    setKey('b');
    l.addAll([10, 20]);
    setKey('a');
    l.addAll([2, 3]);
    l.addAll([]);
    seen.push(l.get());
    await keyed.finishBundle();
    l.add(4);
    seen.push(l.get());
    setKey('b');
    l.update([7, 8]);
    l.add(9);
    seen.push(l.get());
    l.clear();
    seen.push(l.get());
    l.add(5);
    await keyed.finishBundle();
    setKey('a');
    l.update([]);
    seen.push(l.get());
    await keyed.finishBundle();
    expect(seen).toEqual([[], [1, 2, 3], [1, 2, 3, 4], [7, 8, 9], [], []]);
    expect(host.list('op/l', 'a')).toBe(undefined);
    expect(host.list('op/l', 'b')).toEqual([5]);
    expect(() => l.add(null as unknown as number)).toThrow(
      "list state 'op/l': null and undefined cannot be added to a list",
    );
  });

  it('MapState: get, put, putAll, remove, contains, isEmpty, keys, values, entries, clear', async () => {
    const { host, keyed, op, setKey } = setup();
    const m = op.getMapState(new MapStateDescriptor<string, number>('m'));
    const seen: unknown[] = [];
    setKey('a');
    seen.push(m.get('x'), m.contains('x'), m.isEmpty());
    m.put('x', 1);
    m.putAll([
      ['y', 2],
      ['z', 3],
    ]);
    m.putAll(new Map([['w', 4]]));
    setKey('b');
    m.put('x', 100);
    setKey('a');
    m.remove('y');
    m.remove('absent');
    seen.push(m.get('x'), m.get('y'), m.contains('z'), m.contains('y'), m.isEmpty());
    seen.push(Array.from(m.keys()), Array.from(m.values()), Array.from(m.entries()));
    await keyed.finishBundle();
    seen.push(Array.from(m.entries()));
    m.clear();
    seen.push(m.isEmpty(), Array.from(m.keys()), m.get('x'));
    m.put('q', 5);
    await keyed.finishBundle();
    setKey('b');
    seen.push(Array.from(m.entries()));
    expect(seen).toEqual([
      null,
      false,
      true,
      1,
      null,
      true,
      false,
      false,
      ['w', 'x', 'z'],
      [4, 1, 3],
      [
        ['w', 4],
        ['x', 1],
        ['z', 3],
      ],
      [
        ['w', 4],
        ['x', 1],
        ['z', 3],
      ],
      true,
      [],
      null,
      [['x', 100]],
    ]);
    expect(host.map('op/m', 'a')).toEqual([['q', 5]]);
  });

  it('ReducingState: get, add, clear', async () => {
    const { host, keyed, op, setKey } = setup();
    const r = op.getReducingState(new ReducingStateDescriptor<number>('r', (a, b) => a + b));
    const seen: unknown[] = [];
    setKey('a');
    seen.push(r.get());
    r.add(1);
    r.add(2);
    setKey('b');
    r.add(10);
    setKey('a');
    r.add(3);
    seen.push(r.get());
    await keyed.finishBundle();
    r.add(4);
    seen.push(r.get());
    r.clear();
    seen.push(r.get());
    await keyed.finishBundle();
    expect(seen).toEqual([null, 6, 10, null]);
    expect([host.value('op/r', 'a'), host.value('op/r', 'b')]).toEqual([undefined, 10]);
  });

  it('AggregatingState: get, add, clear', async () => {
    const { host, keyed, op, setKey } = setup();
    const s = op.getAggregatingState(new AggregatingStateDescriptor('avg', new Average()));
    const seen: unknown[] = [];
    setKey('a');
    seen.push(s.get());
    s.add(1);
    s.add(2);
    setKey('b');
    s.add(10);
    setKey('a');
    s.add(6);
    seen.push(s.get());
    await keyed.finishBundle();
    setKey('b');
    s.clear();
    seen.push(s.get());
    await keyed.finishBundle();
    expect(seen).toEqual([null, 3, null]);
    expect(host.value('op/avg', 'a')).toEqual({ sum: 9, n: 3 });
    expect(host.value('op/avg', 'b')).toBe(undefined);
  });
});

/**
 * Calls of every kind while the host holds its answers to the worker's asynchronous requests
 * (write batches) and releases them in bursts; a blocking read releases them first. Returns
 * what every read returned.
 */
async function concurrentWorkload(options: Partial<WorkerStateOptions>, seed: number, ttl: boolean) {
  const host = new FakeStateHost();
  const w = workerOver(host, options);
  const cfg = StateTtlConfig.newBuilder(100).updateTtlOnReadAndWrite().build();
  const d = <T extends { enableTimeToLive(c: StateTtlConfig): T }>(x: T) => (ttl ? x.enableTimeToLive(cfg) : x);
  const v = w.op.getState(d(new ValueStateDescriptor<number>('v')));
  const l = w.op.getListState(d(new ListStateDescriptor<number>('l')));
  const m = w.op.getMapState(d(new MapStateDescriptor<number, number>('m')));
  const r = w.op.getReducingState(d(new ReducingStateDescriptor<number>('r', (a, b) => a * 7 + b)));
  const next = seededRandom(seed);
  const seen: unknown[] = [];
  for (let batch = 0; batch < 100; batch++) {
    host.holding = next(2) === 0;
    const pending: unknown[] = [];
    for (let j = 0; j < 15; j++) {
      w.setKey(next(3));
      const x = next(6);
      const i = batch * 100 + j;
      switch (next(12)) {
        case 0: pending.push(v.value()); break;
        case 1: v.update(i); break;
        case 2: pending.push(l.get()); break;
        case 3: l.add(i); break;
        case 4: if (x === 0) l.clear(); else l.update([i]); break;
        case 5: pending.push(m.get(x)); break;
        case 6: m.put(x, i); break;
        case 7: if (x === 0) m.clear(); else m.remove(x); break;
        case 8: pending.push(m.contains(x), m.isEmpty()); break;
        case 9: r.add(x); pending.push('added'); break;
        case 10: pending.push(r.get()); break;
        default: if (x === 0) v.clear(); if (x === 1) r.clear(); break;
      }
      if (next(5) === 0) w.advance(next(40));
    }
    host.holding = false;
    host.release();
    seen.push(pending);
    if (next(10) === 0) await w.keyed.finishBundle();
  }
  await w.keyed.finishBundle();
  return seen;
}

/** A deterministic pseudo-random workload over every kind; returns everything it read. */
async function randomWorkload(options: Partial<WorkerStateOptions>) {
  const host = new FakeStateHost();
  const { keyed, op, setKey } = workerOver(host, options);
  const v = op.getState(new ValueStateDescriptor<number>('v'));
  const l = op.getListState(new ListStateDescriptor<number>('l'));
  const m = op.getMapState(new MapStateDescriptor<number, number>('m'));
  const r = op.getReducingState(new ReducingStateDescriptor<number>('r', (a, b) => a * 31 + b));
  const next = seededRandom(12345);
  const seen: unknown[] = [];
  for (let i = 0; i < 3000; i++) {
    setKey(next(6));
    const x = next(20);
    switch (next(16)) {
      case 0: seen.push(v.value()); break;
      case 1: v.update(x); break;
      case 2: v.clear(); break;
      case 3: seen.push(l.get()); break;
      case 4: l.add(x); break;
      case 5: l.update([x, x + 1]); break;
      case 6: if (x < 3) l.clear(); else l.addAll([x, x]); break;
      case 7: seen.push(m.get(x)); break;
      case 8: m.put(x, i); break;
      case 9: m.remove(x); break;
      case 10: seen.push(m.contains(x), m.isEmpty()); break;
      case 11: {
        const entries: unknown[] = [];
        for (const e of m.entries()) {
          entries.push(e);
          if (entries.length === x) break;
        }
        seen.push(entries);
        break;
      }
      case 12: if (x < 2) m.clear(); else m.put(x, -i); break;
      case 13: r.add(x); break;
      case 14: seen.push(r.get()); break;
      default: if (x < 2) r.clear(); if (x === 19) await keyed.finishBundle(); break;
    }
  }
  await keyed.finishBundle();
  const finalState = [0, 1, 2, 3, 4, 5].map((k) => [
    host.value('op/v', k),
    host.list('op/l', k),
    host.map('op/m', k),
    host.value('op/r', k),
  ]);
  return { seen, finalState, stats: keyed.stats() };
}

describe.each([0, 1, 1000])('primitives the encoding changes or refuses, with the generic codec at cache size %i', (cacheSize) => {
  const setup = () => {
    const host = new FakeStateHost();
    return { host, ...workerOver(host, { cacheSize }, GENERIC_STATE_CODEC) };
  };

  it('a string with a lone surrogate reads back as UTF-8 leaves it (U+FFFD), and the host holds the same', async () => {
    const { host, keyed, op } = setup();
    const s = op.getState(new ValueStateDescriptor<string>('v'));
    s.update('a\ud83d');
    const read = s.value()!;
    s.update(read + '\ude00');
    const r = op.getReducingState(new ReducingStateDescriptor<string>('r', (a, b) => a + b));
    r.add('\ud83d');
    r.add('\ude00');
    expect([s.value(), r.get()]).toEqual(['a\ufffd\ufffd', '\ufffd\ufffd']);
    await keyed.finishBundle();
    expect(decodeGeneric(host.valueBytes('op/v', 'k')!)).toBe('a\ufffd\ufffd');
    expect(decodeGeneric(host.valueBytes('op/r', 'k')!)).toBe('\ufffd\ufffd');
  });

  it('update(symbol) throws at once and changes nothing, here or in the host', async () => {
    const { host, keyed, op, setKey } = setup();
    const s = op.getState(new ValueStateDescriptor<unknown>('v'));
    setKey('a');
    s.update(1);
    expect(() => s.update(Symbol('s'))).toThrow('value is a symbol');
    expect(s.value()).toBe(1);
    setKey('b');
    s.update(2);
    await keyed.finishBundle();
    setKey('a');
    expect(s.value()).toBe(1);
    expect([decodeGeneric(host.valueBytes('op/v', 'a')!), decodeGeneric(host.valueBytes('op/v', 'b')!)]).toEqual([1, 2]);
  });
});

describe('results do not depend on cache settings', () => {
  it('gives identical reads and host state at cache sizes 0, 1 and the default, and with tiny map caches', async () => {
    const reference = await randomWorkload({ cacheSize: 0 });
    expect(reference.seen.length).toBeGreaterThan(1000);
    expect(reference.stats.cacheHits).toBe(0);
    expect((await randomWorkload({ cacheSize: 1000 })).stats.requests).toBe(35);
    for (const options of [
      { cacheSize: 1 },
      { cacheSize: 1000 },
      { cacheSize: 3, mapReadCacheSize: 1, mapWriteCacheSize: 1, iterateBatchSize: 1 },
      { cacheSize: 1000, mapReadCacheSize: 4, mapWriteCacheSize: 2, iterateBatchSize: 3, writeBatchSize: 5 },
      { cacheSize: 1000, cacheMaxBytes: 600 },
    ]) {
      const run = await randomWorkload(options);
      expect(run.stats.cacheHits).toBeGreaterThan(0);
      expect({ options, seen: run.seen }).toEqual({ options, seen: reference.seen });
      expect({ options, finalState: run.finalState }).toEqual({ options, finalState: reference.finalState });
    }
  });
  it.each([false, true])('gives identical results to calls that do not await each other (TTL: %s)', async (ttl) => {
    for (let seed = 1; seed <= 8; seed++) {
      const reference = await concurrentWorkload({ cacheSize: 0 }, seed, ttl);
      for (const options of [
        { cacheSize: 1 },
        { cacheSize: 1000 },
        { cacheSize: 1000, mapReadCacheSize: 1, mapWriteCacheSize: 1 },
      ]) {
        expect({ seed, options, seen: await concurrentWorkload(options, seed, ttl) }).toEqual({
          seed,
          options,
          seen: reference,
        });
      }
    }
  });
});
