import { describe, expect, it } from 'vitest';
import { MapStateDescriptor } from '../shared/api/state-descriptors.ts';
import { sluice } from '../shared/generated/protocol.js';
import { FakeStateHost, jsonCodec, workerOver } from './worker-state-fake-host.ts';

const { StateOp } = sluice.fn.v1;
const letters = (n: number): Array<[string, number]> =>
  Array.from({ length: n }, (_, i) => [String.fromCharCode(97 + i), i + 1]);

function setup(options: Parameters<typeof workerOver>[1] = {}, seed: Array<[string, number]> = []) {
  const host = new FakeStateHost();
  host.seedMap('op/m', 'k', seed);
  const w = workerOver(host, options);
  const m = w.op.getMapState(new MapStateDescriptor<string, number>('m'));
  return { host, m, ...w };
}

describe('map state', () => {
  it('get(k) reads one entry from the host, never the whole map, and caches it', async () => {
    const { host, m } = setup({}, letters(20));
    expect(m.get('g')).toBe(7);
    expect(host.operations.map((o) => [o.op, o.mapKey ? jsonCodec.decode(o.mapKey) : null])).toEqual([
      [StateOp.DECLARE, null],
      [StateOp.MAP_GET, 'g'],
    ]);
    expect(m.get('g')).toBe(7);
    expect(m.contains('g')).toBe(true);
    expect(m.get('nope')).toBe(null);
    expect(m.contains('nope')).toBe(false);
    expect(m.isEmpty()).toBe(false);
    expect(host.countOps(StateOp.MAP_GET)).toBe(2);
    expect(host.countOps(StateOp.MAP_ITERATE)).toBe(0);
    expect(host.requests.length).toBe(2);
  });

  it('a get that misses is sent after the map writes pending before it', async () => {
    const { host, m } = setup({}, letters(3));
    m.put('a', 10);
    m.remove('b');
    expect(m.get('c')).toBe(3);
    expect(host.requests[0]!.operations!.map((o) => o.op)).toEqual([
      StateOp.DECLARE,
      StateOp.PUT,
      StateOp.REMOVE,
      StateOp.MAP_GET,
    ]);
    expect(m.get('a')).toBe(10);
    expect(m.get('b')).toBe(null);
    expect(host.requests.length).toBe(1);
  });

  it('iterates in pages of iterate-response-batch-size, passing continuation tokens', async () => {
    const { host, m } = setup({ iterateBatchSize: 3, mapReadCacheSize: 3 }, letters(7));
    expect(Array.from(m.entries())).toEqual(letters(7));
    const pages = host.requests.map((r) => r.operations!.at(-1)!);
    expect(pages.map((o) => o.op)).toEqual([StateOp.MAP_ITERATE, StateOp.MAP_ITERATE, StateOp.MAP_ITERATE]);
    expect(pages.map((o) => Array.from(o.values![0]!))).toEqual([
      [0, 0, 0, 3],
      [0, 0, 0, 3],
      [0, 0, 0, 3],
    ]);
    expect(pages.map((o) => new TextDecoder().decode(o.continuation!))).toEqual(['', hexKey('c'), hexKey('f')]);
    // Seven entries do not fit a read cache of three: the next walk asks the host again.
    expect(Array.from(m.keys())).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(host.countOps(StateOp.MAP_ITERATE)).toBe(6);
  });

  it('releases the host iteration when the walk stops early', async () => {
    const { host, m, keyed } = setup({ iterateBatchSize: 3 }, letters(7));
    const seen: string[] = [];
    for (const k of m.keys()) {
      seen.push(k);
      if (seen.length === 4) break;
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
    expect(host.countOps(StateOp.MAP_ITERATE)).toBe(2);
    await keyed.finishBundle();
    expect(host.released).toEqual([hexKey('f')]);

    // Stopping inside the last page leaves nothing to release.
    for (const k of m.keys()) if (k === 'g') break;
    await keyed.finishBundle();
    expect(host.released).toEqual([hexKey('f')]);
    expect(host.countOps(StateOp.MAP_ITERATE_RELEASE)).toBe(1);
  });

  it('flushes pending writes when write-cache-size of them collect', async () => {
    const { host, m, keyed } = setup({ mapWriteCacheSize: 3 });
    for (const [k, v] of letters(7)) m.put(k, v);
    expect(host.requests.map((r) => r.operations!.map((o) => o.op))).toEqual([
      [StateOp.DECLARE, StateOp.PUT, StateOp.PUT, StateOp.PUT],
      [StateOp.PUT, StateOp.PUT, StateOp.PUT],
    ]);
    expect(host.map('op/m', 'k')).toEqual(letters(6));
    await keyed.finishBundle();
    expect(host.map('op/m', 'k')).toEqual(letters(7));
    expect(host.requests.length).toBe(3);
    // Written entries stay readable without asking the host.
    expect(m.get('a')).toBe(1);
    expect(host.requests.length).toBe(3);
  });

  it('serves a map read whole from the cache until it is evicted', async () => {
    const { host, m, op, setKey } = setup({ iterateBatchSize: 2, cacheSize: 2 }, letters(5));
    expect(Array.from(m.values())).toEqual([1, 2, 3, 4, 5]);
    const requests = host.requests.length;
    expect(requests).toBe(3);
    expect(m.get('c')).toBe(3);
    expect(m.get('zz')).toBe(null);
    expect(m.contains('e')).toBe(true);
    expect(m.isEmpty()).toBe(false);
    m.put('f', 6);
    m.remove('a');
    expect(Array.from(m.entries())).toEqual(letters(6).slice(1));
    expect(host.requests.length).toBe(requests);

    // Evicted (two other keys used), the map is read from the host again.
    const other = op.getMapState(new MapStateDescriptor<string, number>('other'));
    setKey('x');
    other.put('a', 1);
    setKey('y');
    other.put('a', 1);
    setKey('k');
    expect(Array.from(m.keys())).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(host.countOps(StateOp.MAP_ITERATE)).toBe(6);
  });

  it('an empty MAP_IS_EMPTY answer makes the map known: later reads stay local', async () => {
    const { host, m } = setup();
    expect(m.isEmpty()).toBe(true);
    expect(m.get('a')).toBe(null);
    expect(Array.from(m.keys())).toEqual([]);
    m.put('a', 1);
    expect(m.isEmpty()).toBe(false);
    expect(Array.from(m.entries())).toEqual([['a', 1]]);
    expect(host.requests.length).toBe(1);
  });

  describe.each([0, 1000])('with cache size %i', (cacheSize) => {
    it('iteration merges writes made before it and during it', async () => {
      const { m } = setup({ cacheSize, iterateBatchSize: 1 }, letters(4));
      m.put('b', 20);
      m.remove('c');
      m.put('e', 5);
      const seen: Array<[string, number]> = [];
      for (const [k, v] of m.entries()) {
        seen.push([k, v]);
        if (k === 'a') {
          m.put('b', 200);
          m.remove('d');
        }
      }
      expect(seen).toEqual([
        ['a', 1],
        ['b', 200],
        ['e', 5],
      ]);
      expect(Array.from(m.entries())).toEqual([
        ['a', 1],
        ['b', 200],
        ['e', 5],
      ]);
    });

    it('a clear during an iteration hides the entries not yet reached', async () => {
      const { m } = setup({ cacheSize, iterateBatchSize: 2 }, letters(5));
      const seen: string[] = [];
      for (const k of m.keys()) {
        seen.push(k);
        if (k === 'a') {
          m.clear();
          m.put('b', 22);
        }
      }
      expect(seen).toEqual(['a', 'b']);
      expect(Array.from(m.entries())).toEqual([['b', 22]]);
    });
  });
});

function hexKey(k: string): string {
  return Buffer.from(jsonCodec.encode(k)).toString('hex');
}
