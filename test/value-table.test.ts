import { describe, expect, it } from 'vitest';
import { latin1, recordKeyOf } from '../host/state/byte-keys.ts';
import { murmur3x86_32 } from '../host/state/murmur3.ts';
import { entryHash, namespaceHash, ValueTable } from '../host/state/value-table.ts';
import { seededRandom } from './worker-state-fake-host.ts';

const NO_NAMESPACE = new Uint8Array(0);
const bytes = (...xs: number[]) => Uint8Array.from(xs);
/** The record key (byte-keys.ts) of a key and namespace. */
const rk = (key: Uint8Array, ns: Uint8Array) => recordKeyOf(latin1(key), ns);
const hashOf = (key: Uint8Array, ns: Uint8Array) => entryHash(murmur3x86_32(key), namespaceHash(ns));

/** Puts `value` under `key` with the table's own hash, or `hash` when given (to force collisions). */
function put(table: ValueTable, key: Uint8Array, value: Uint8Array, ts: number, ns = NO_NAMESPACE, hash = hashOf(key, ns)): number {
  return table.put(hash, key, 0, key.length, ns, value, 0, value.length, ts);
}

function valueOf(table: ValueTable, key: Uint8Array, ns = NO_NAMESPACE, hash = hashOf(key, ns)): number[] | null {
  const entry = table.find(hash, key, 0, key.length, ns);
  return entry < 0 ? null : [...table.copyValue(entry)];
}

describe('ValueTable: a value-like state\'s values in one key group', () => {
  it('stores, rewrites and finds values by key, reading keys and values where a batch holds them', () => {
    const table = new ValueTable();
    // Key bytes 2..4 of a column, value bytes 1..3 of another: ranges, not whole arrays.
    const column = bytes(9, 9, 1, 2, 3, 9);
    const values = bytes(7, 10, 20, 30, 7);
    const hash = hashOf(bytes(1, 2, 3), NO_NAMESPACE);
    expect(table.put(hash, column, 2, 5, NO_NAMESPACE, values, 1, 4, 100)).toBe(3);
    expect(table.inserted).toBe(true);
    expect(table.size).toBe(1);
    expect(valueOf(table, bytes(1, 2, 3))).toEqual([10, 20, 30]);
    // The same length is written in place; another length moves the value.
    expect(put(table, bytes(1, 2, 3), bytes(11, 21, 31), 200)).toBe(0);
    expect(table.inserted).toBe(false);
    expect(put(table, bytes(1, 2, 3), bytes(5), 300)).toBe(-2);
    expect(put(table, bytes(1, 2, 3), bytes(), 400)).toBe(-1);
    expect(valueOf(table, bytes(1, 2, 3))).toEqual([]);
    expect(put(table, bytes(1, 2, 3), bytes(1, 2, 3, 4, 5), 500)).toBe(5);
    const entry = table.find(hash, bytes(1, 2, 3), 0, 3, NO_NAMESPACE);
    expect([...table.copyValue(entry)]).toEqual([1, 2, 3, 4, 5]);
    expect(table.timestamp(entry)).toBe(500);
    table.setTimestamp(entry, 600);
    expect(table.timestamp(entry)).toBe(600);
    expect(table.size).toBe(1);
    // A copy: changing it changes nothing stored.
    table.copyValue(entry).fill(0);
    expect(valueOf(table, bytes(1, 2, 3))).toEqual([1, 2, 3, 4, 5]);
    expect(valueOf(table, bytes(1, 2))).toBe(null);
    expect(valueOf(table, bytes(1, 2, 3, 0))).toBe(null);
  });

  it('keeps a key apart in each namespace, and (key "ab", namespace "c") apart from (key "a", namespace "bc")', () => {
    const table = new ValueTable();
    put(table, bytes(1, 2), bytes(1), 0, bytes(3));
    put(table, bytes(1), bytes(2), 0, bytes(2, 3));
    put(table, bytes(1, 2), bytes(3), 0);
    put(table, bytes(1, 2), bytes(4), 0, bytes(4));
    expect(table.size).toBe(4);
    expect(valueOf(table, bytes(1, 2), bytes(3))).toEqual([1]);
    expect(valueOf(table, bytes(1), bytes(2, 3))).toEqual([2]);
    expect(valueOf(table, bytes(1, 2))).toEqual([3]);
    expect(valueOf(table, bytes(1, 2), bytes(4))).toEqual([4]);
    // Even filed under one hash, they stay apart.
    const same = new ValueTable();
    put(same, bytes(1, 2), bytes(1), 0, bytes(3), 5);
    put(same, bytes(1), bytes(2), 0, bytes(2, 3), 5);
    expect(valueOf(same, bytes(1, 2), bytes(3), 5)).toEqual([1]);
    expect(valueOf(same, bytes(1), bytes(2, 3), 5)).toEqual([2]);
  });

  it('answers by record key as the PUT_BATCH path does by bytes, and lists record keys in order', () => {
    const table = new ValueTable();
    const keys = [bytes(3), bytes(1, 1), bytes(1), bytes(200, 7, 0)];
    keys.forEach((k, i) => put(table, k, bytes(i), i));
    table.putRecord(rk(bytes(2), bytes(9)), bytes(50), 7);
    expect(table.has(rk(bytes(1, 1), NO_NAMESPACE))).toBe(true);
    expect(table.has(rk(bytes(1, 1), bytes(0)))).toBe(false);
    expect(valueOf(table, bytes(2), bytes(9))).toEqual([50]);
    const entry = table.findRecord(rk(bytes(200, 7, 0), NO_NAMESPACE));
    expect([...table.copyValue(entry)]).toEqual([3]);
    expect(table.sortedByRecordKey().map(([recordKey, e]) => [recordKey, table.timestamp(e)])).toEqual(
      [
        [rk(bytes(1), NO_NAMESPACE), 2],
        [rk(bytes(2), bytes(9)), 7],
        [rk(bytes(3), NO_NAMESPACE), 0],
        [rk(bytes(1, 1), NO_NAMESPACE), 1],
        [rk(bytes(200, 7, 0), NO_NAMESPACE), 3],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
  });

  // Hashes from a space of 1 and 4 force every probe chain and every backward shift on removal.
  for (const [name, hashSpace] of [['its own hashes', 0], ['4 hashes', 4], ['1 hash', 1]] as const) {
    it(`agrees with a Map under seeded random puts and removals (${name})`, () => {
      const next = seededRandom(hashSpace + 17);
      const table = new ValueTable();
      const model = new Map<number, number[]>();
      const keyOf = (k: number) => bytes(k & 0xff, k >> 8);
      const hashFor = (k: number) => (hashSpace === 0 ? hashOf(keyOf(k), NO_NAMESPACE) : k % hashSpace);
      for (let step = 0; step < 3000; step++) {
        const k = next(hashSpace === 1 ? 40 : 400);
        if (next(4) === 0) {
          const entry = table.find(hashFor(k), keyOf(k), 0, 2, NO_NAMESPACE);
          expect(entry >= 0).toBe(model.has(k));
          if (entry >= 0) table.remove(entry);
          model.delete(k);
        } else {
          const value = Array.from({ length: next(12) }, () => next(256));
          put(table, keyOf(k), Uint8Array.from(value), step, NO_NAMESPACE, hashFor(k));
          expect(table.inserted).toBe(!model.has(k));
          model.set(k, value);
        }
        if (step % 100 === 99) {
          expect(table.size).toBe(model.size);
          for (let key = 0; key < 400; key++) expect(valueOf(table, keyOf(key), NO_NAMESPACE, hashFor(key))).toEqual(model.get(key) ?? null);
        }
      }
    });
  }

  it('reclaims the bytes of rewritten and removed values instead of growing without bound', () => {
    const table = new ValueTable();
    for (let k = 0; k < 100; k++) put(table, bytes(k), new Uint8Array(8), 0);
    const held = table.heldBytes;
    // Every value changes length 1,000 times: each move leaves its old bytes behind.
    for (let round = 0; round < 1000; round++) {
      for (let k = 0; k < 100; k++) put(table, bytes(k), new Uint8Array(round % 2 === 0 ? 9 : 8).fill(round & 0xff), round);
    }
    expect(table.heldBytes).toBeLessThanOrEqual(4 * held);
    for (let k = 0; k < 100; k++) expect(valueOf(table, bytes(k))).toEqual(new Array(8).fill(999 & 0xff));
    for (let k = 0; k < 100; k++) table.remove(table.find(hashOf(bytes(k), NO_NAMESPACE), bytes(k), 0, 1, NO_NAMESPACE));
    expect(table.size).toBe(0);
    put(table, bytes(1), bytes(1), 0);
    expect(valueOf(table, bytes(1))).toEqual([1]);
  });
});
