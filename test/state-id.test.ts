import { describe, expect, it } from 'vitest';
import { CacheEntry, StateCache } from '../worker/state/state-cache.ts';
import { StateId, StateNamespace } from '../worker/state/state-id.ts';
import { StateWire } from '../worker/state/state-wire.ts';

/** An entry that records its write-backs instead of sending them. */
class TestEntry extends CacheEntry {
  written = 0;
  constructor(
    id: StateId,
    public pending: boolean,
    private readonly log: string[],
  ) {
    super(id);
  }
  get bytes(): number {
    return 100;
  }
  get dirty(): boolean {
    return this.pending;
  }
  writeBack(): void {
    this.log.push(Buffer.from(this.key).toString('hex'));
    this.pending = false;
  }
}

/** Whether two ids name the same state and key, compared where the cache compares them: an entry made from one, against the other. */
function same(a: StateId, b: StateId): boolean {
  return new TestEntry(a, false, []).is(b);
}

const unusedWire = new StateWire(
  {
    request: () => {
      throw new Error('the cache under test must not send requests');
    },
    requestNow: () => {
      throw new Error('the cache under test must not send requests');
    },
  },
  100,
  1 << 20,
  () => {},
);

/** `length` pseudo-random bytes, the same for the same `n`. */
function bytesOf(n: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (n * 2654435761 + 1) >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/**
 * Two different keys of `length` bytes, both starting with `prefix`, whose ids under `ns` hash
 * alike (found by search: the hash has 30 bits).
 */
function collidingKeys(ns: StateNamespace, length: number, prefix = new Uint8Array(0)): [Uint8Array, Uint8Array] {
  const seen = new Map<number, Uint8Array>();
  for (let n = 0; n < 1 << 22; n++) {
    const key = new Uint8Array(length);
    key.set(prefix);
    key.set(bytesOf(n, length - prefix.length), prefix.length);
    const hash = StateId.of(ns, key).hash;
    const earlier = seen.get(hash);
    if (earlier !== undefined) return [earlier, key];
    seen.set(hash, key);
  }
  throw new Error('no colliding keys found');
}

describe('state ids', () => {
  const ns = new StateNamespace(0, 'count');
  const other = new StateNamespace(1, 'sum');

  it('are equal for the same state and key bytes, and differ by state, length and any byte', () => {
    const key = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    const id = StateId.of(ns, key);
    expect(same(id, StateId.of(ns, key.slice()))).toBe(true);
    expect(same(id, id.owned())).toBe(true);
    expect(same(id, StateId.of(other, key))).toBe(false);
    expect(same(id, StateId.of(ns, key.subarray(0, 9)))).toBe(false);
    for (let i = 0; i < key.length; i++) {
      const changed = key.slice();
      changed[i] = changed[i]! ^ 0x80;
      expect(same(id, StateId.of(ns, changed))).toBe(false);
    }
    // A short key and the same bytes with a leading zero have the same first-8-bytes integers.
    expect(same(StateId.of(ns, Uint8Array.of(7)), StateId.of(ns, Uint8Array.of(0, 7)))).toBe(false);
    // Keys alike in their hash, their length and their first 8 bytes differ by their bytes past those.
    const [a, b] = collidingKeys(ns, 12, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)).map((k) => StateId.of(ns, k));
    expect([a!.hash, a!.k0, a!.k1]).toEqual([b!.hash, b!.k0, b!.k1]);
    expect([same(a!, b!), same(b!, a!), same(a!, a!.owned())]).toEqual([false, false, true]);
    const cache = new StateCache(10, 1 << 20, unusedWire);
    const entryA = new TestEntry(a!, false, []);
    const entryB = new TestEntry(b!, false, []);
    cache.commit(entryA);
    cache.commit(entryB);
    expect([entryB.cached, cache.peek(a!) === entryA, cache.peek(b!) === entryB]).toEqual([true, true, true]);
  });

  it('read a key where it is: an id of bytes inside a larger buffer equals the id of those bytes alone', () => {
    for (const length of [0, 3, 8, 9, 20]) {
      const key = bytesOf(length, length);
      const column = new Uint8Array(5 + length + 4).fill(0xee);
      column.set(key, 5);
      const inColumn = new StateId(ns, column, 5, length);
      const alone = StateId.of(ns, key);
      expect([inColumn.hash, same(inColumn, alone), same(alone, inColumn)]).toEqual([alone.hash, true, true]);
      expect(Array.from(inColumn.key)).toEqual(Array.from(key));
      expect(Array.from(inColumn.copyKey())).toEqual(Array.from(key));
      expect(inColumn.text).toBe(alone.text);
    }
    // Past the first 8 bytes, a difference is found at the other id's offset too.
    const a = new StateId(ns, Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 1, 10);
    expect(same(StateId.of(ns, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), a)).toBe(true);
    expect(same(StateId.of(ns, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 11)), a)).toBe(false);
  });

  it('own a copy of their key: changing the batch the key came from leaves an owned id as it was', () => {
    const batch = Uint8Array.of(9, 9, 9);
    const owned = StateId.of(ns, batch).owned();
    batch[0] = 1;
    expect(Array.from(owned.key)).toEqual([9, 9, 9]);
    expect(owned.text).toBe(StateId.of(ns, Uint8Array.of(9, 9, 9)).text);
  });
});

describe('cache entries', () => {
  it('give back their key bytes, from their own fields for keys of up to 8 bytes', () => {
    const ns = new StateNamespace(0, 's');
    const keys = [[], [0], [255], [1, 2, 3, 4], [255, 0, 255, 0, 1], [0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]];
    for (const key of keys) {
      // The id reads the key inside a larger batch, as a handle's probe does.
      const batch = Uint8Array.from([9, ...key, 9]);
      const entry = new TestEntry(new StateId(ns, batch, 1, key.length), false, []);
      batch.fill(0);
      expect([...entry.key]).toEqual(key);
    }
  });
});

describe('state cache index under hash collisions', () => {
  const ns = new StateNamespace(3, 'count');

  for (const length of [4, 12]) {
    it(`keeps two ${length}-byte keys whose ids hash alike apart, through lookups, eviction and clear`, () => {
      const [a, b] = collidingKeys(ns, length);
      const idA = StateId.of(ns, a);
      const idB = StateId.of(ns, b);
      expect(idA.hash).toBe(idB.hash);
      expect(same(idA, idB)).toBe(false);

      const log: string[] = [];
      const cache = new StateCache(2, 1 << 20, unusedWire);
      const entryA = new TestEntry(idA.owned(), true, log);
      const entryB = new TestEntry(idB.owned(), false, log);
      cache.commit(entryA);
      cache.commit(entryB);
      expect(cache.size).toBe(2);
      expect(cache.peek(StateId.of(ns, a.slice()))).toBe(entryA);
      expect(cache.peek(StateId.of(ns, b.slice()))).toBe(entryB);

      // A third key evicts the least recently used (A, written back), B stays findable.
      const c = bytesOf(0x7fffffff, length);
      const entryC = new TestEntry(StateId.of(ns, c), false, log);
      cache.commit(entryC);
      expect(log).toEqual([Buffer.from(a).toString('hex')]);
      expect(entryA.cached).toBe(false);
      expect(cache.peek(idA)).toBeUndefined();
      expect(cache.peek(idB)).toBe(entryB);
      expect(cache.peek(StateId.of(ns, c))).toBe(entryC);

      // A again, now chained behind B in the same bucket; evicting B must leave it reachable.
      const entryA2 = new TestEntry(idA.owned(), false, log);
      cache.commit(entryA2);
      expect(entryB.cached).toBe(false);
      expect(cache.peek(idA)).toBe(entryA2);
      expect(cache.peek(idB)).toBeUndefined();

      // A second entry of A's key is not cached beside the one that is: its write goes out at once.
      const duplicate = new TestEntry(StateId.of(ns, a.slice()), true, log);
      cache.commit(duplicate);
      expect([duplicate.cached, cache.size, cache.peek(idA) === entryA2, log.length]).toEqual([false, 2, true, 2]);
      expect(log[1]).toBe(Buffer.from(a).toString('hex'));

      cache.clear();
      expect(cache.size).toBe(0);
      expect(cache.peek(idA)).toBeUndefined();
      expect(cache.peek(StateId.of(ns, c))).toBeUndefined();
    });
  }
});
