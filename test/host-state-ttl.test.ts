import { describe, expect, it } from 'vitest';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { ctxFor, Kind, Op, op, u32, view, type Operation } from './host-state-fixtures.ts';

const MAX = 8;
type UpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
type Visibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/** A backend whose clock the test sets; states 'v', 'l', 'm' declared with a TTL of 100 ms. */
function ttlBackend(updateType: UpdateType, visibility: Visibility) {
  const clock = { now: 0 };
  const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => clock.now });
  const declare = (stateName: string, kind: number): Operation => ({
    key: { stateName, kind },
    op: Op.DECLARE,
    ttl: { ttlMs: 100, updateType, visibility },
  });
  be.apply([declare('v', Kind.VALUE), declare('l', Kind.LIST), declare('m', Kind.MAP)], ctxFor(MAX));
  const at = (now: number, ...ops: Operation[]) => {
    clock.now = now;
    return be.apply(ops, ctxFor(MAX)).map(view);
  };
  const values = (now: number, o: Operation) => at(now, o)[0]!.values;
  return { be, clock, at, values };
}

const getV = op(Kind.VALUE, 'v', Op.GET);
const putV = (v: string) => op(Kind.VALUE, 'v', Op.PUT, { values: [v] });
const getL = op(Kind.LIST, 'l', Op.GET);
const appendL = (...v: string[]) => op(Kind.LIST, 'l', Op.APPEND, { values: v });
const getM = (k: string) => op(Kind.MAP, 'm', Op.MAP_GET, { mapKey: k });
const putM = (k: string, v: string) => op(Kind.MAP, 'm', Op.PUT, { mapKey: k, values: [v] });
const mapHasEntries = op(Kind.MAP, 'm', Op.MAP_IS_EMPTY);

describe('value state TTL', () => {
  it('OnCreateAndWrite + NeverReturnExpired: expires ttl after the last write; reads do not refresh; expired is cleaned up', () => {
    const { be, at, values } = ttlBackend('OnCreateAndWrite', 'NeverReturnExpired');
    at(0, putV('a'));
    expect(values(50, getV)).toEqual(['a']);
    expect(values(99, getV)).toEqual(['a']);
    expect(values(100, getV)).toEqual([]);
    expect(be.stats().entries).toBe(0);
    at(200, putV('b'));
    at(250, putV('c'));
    expect(values(349, getV)).toEqual(['c']);
    expect(values(350, getV)).toEqual([]);
  });

  it('OnReadAndWrite: a read that returns the value refreshes it', () => {
    const { values, at } = ttlBackend('OnReadAndWrite', 'NeverReturnExpired');
    at(0, putV('a'));
    expect(values(90, getV)).toEqual(['a']);
    expect(values(189, getV)).toEqual(['a']);
    expect(values(288, getV)).toEqual(['a']);
    expect(values(388, getV)).toEqual([]);
  });

  it('ReturnExpiredIfNotCleanedUp: the read that finds it expired still returns it, and cleans it up', () => {
    const { be, values, at } = ttlBackend('OnCreateAndWrite', 'ReturnExpiredIfNotCleanedUp');
    at(0, putV('a'));
    expect(values(150, getV)).toEqual(['a']);
    expect(be.stats().entries).toBe(0);
    expect(values(150, getV)).toEqual([]);
  });

  it("OnReadAndWrite does not revive an expired value it returns", () => {
    const { values, at } = ttlBackend('OnReadAndWrite', 'ReturnExpiredIfNotCleanedUp');
    at(0, putV('a'));
    expect(values(100, getV)).toEqual(['a']);
    expect(values(101, getV)).toEqual([]);
  });

  it("uses the operation's time when set, the backend's clock otherwise", () => {
    const { values, at } = ttlBackend('OnCreateAndWrite', 'NeverReturnExpired');
    at(1000, { ...putV('a'), time: 10 });
    expect(values(0, { ...getV, time: 109 })).toEqual(['a']);
    expect(values(0, { ...getV, time: 110 })).toEqual([]);
  });

  it('applies a DECLARE to the operations after it, and never expires a state without TTL', () => {
    const clock = { now: 0 };
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => clock.now });
    be.apply([op(Kind.VALUE, 'plain', Op.PUT, { values: ['x'] })], ctxFor(MAX));
    clock.now = 1e12;
    const declare: Operation = { key: { stateName: 'plain', kind: Kind.VALUE }, op: Op.DECLARE, ttl: { ttlMs: 100 } };
    const get = op(Kind.VALUE, 'plain', Op.GET);
    expect(be.apply([get, declare, get], ctxFor(MAX)).map((r) => view(r).values)).toEqual([['x'], [], []]);
  });
});

describe('list state TTL (per element)', () => {
  it('NeverReturnExpired drops expired elements and keeps the rest in order', () => {
    const { be, at, values } = ttlBackend('OnCreateAndWrite', 'NeverReturnExpired');
    at(0, appendL('a', 'b'));
    at(60, appendL('c'));
    expect(values(110, getL)).toEqual(['c']);
    expect(be.stats()).toEqual({ entries: 1, bytes: 2, openIterations: 0 });
    expect(values(160, getL)).toEqual([]);
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
  });

  it('ReturnExpiredIfNotCleanedUp returns expired elements once', () => {
    const { at, values } = ttlBackend('OnCreateAndWrite', 'ReturnExpiredIfNotCleanedUp');
    at(0, appendL('a'));
    at(60, appendL('b'));
    expect(values(110, getL)).toEqual(['a', 'b']);
    expect(values(110, getL)).toEqual(['b']);
  });

  it('OnReadAndWrite refreshes every element a read returns', () => {
    const { at, values } = ttlBackend('OnReadAndWrite', 'NeverReturnExpired');
    at(0, appendL('a'));
    expect(values(90, getL)).toEqual(['a']);
    at(95, appendL('b'));
    expect(values(180, getL)).toEqual(['a', 'b']);
    expect(values(280, getL)).toEqual([]);
  });

  it('PUT gives every element a fresh timestamp', () => {
    const { at, values } = ttlBackend('OnCreateAndWrite', 'NeverReturnExpired');
    at(0, appendL('a'));
    at(90, op(Kind.LIST, 'l', Op.PUT, { values: ['x', 'y'] }));
    expect(values(150, getL)).toEqual(['x', 'y']);
  });
});

describe('map state TTL (per entry)', () => {
  it('NeverReturnExpired: MAP_GET, MAP_IS_EMPTY and MAP_ITERATE hide and clean up expired entries', () => {
    const { be, at, values } = ttlBackend('OnCreateAndWrite', 'NeverReturnExpired');
    at(0, putM('x', '1'), putM('y', '2'));
    at(50, putM('z', '3'));
    expect(values(120, getM('x'))).toEqual([]);
    expect(be.stats().entries).toBe(2);
    const [page] = at(120, op(Kind.MAP, 'm', Op.MAP_ITERATE, { values: [u32(10)] }));
    expect([page!.mapKeys, page!.values]).toEqual([['z'], ['3']]);
    expect(be.stats().entries).toBe(1);
    expect(at(149, mapHasEntries)[0]!.found).toBe(true);
    expect(at(150, mapHasEntries)[0]!.found).toBe(false);
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
  });

  it('ReturnExpiredIfNotCleanedUp: expired entries count as present and are returned once', () => {
    const { be, at, values } = ttlBackend('OnCreateAndWrite', 'ReturnExpiredIfNotCleanedUp');
    at(0, putM('x', '1'), putM('y', '2'));
    expect(at(500, mapHasEntries)[0]!.found).toBe(true);
    expect(values(500, getM('x'))).toEqual(['1']);
    expect(values(500, getM('x'))).toEqual([]);
    const [page] = at(500, op(Kind.MAP, 'm', Op.MAP_ITERATE));
    expect([page!.mapKeys, page!.values]).toEqual([['y'], ['2']]);
    expect(at(500, mapHasEntries)[0]!.found).toBe(false);
    expect(be.stats().entries).toBe(0);
  });

  it('OnReadAndWrite: MAP_GET and MAP_ITERATE refresh what they return; MAP_IS_EMPTY does not', () => {
    const { at, values } = ttlBackend('OnReadAndWrite', 'NeverReturnExpired');
    at(0, putM('x', '1'), putM('y', '2'));
    expect(values(90, getM('x'))).toEqual(['1']);
    expect(at(95, mapHasEntries)[0]!.found).toBe(true);
    expect(values(150, getM('x'))).toEqual(['1']);
    expect(values(150, getM('y'))).toEqual([]);
    at(200, op(Kind.MAP, 'm', Op.MAP_ITERATE));
    expect(values(299, getM('x'))).toEqual(['1']);
  });
});

describe('TTL and snapshots', () => {
  it('leaves expired values out of a snapshot, as a full-snapshot cleanup', () => {
    const { be, at } = ttlBackend('OnCreateAndWrite', 'ReturnExpiredIfNotCleanedUp');
    at(0, putV('old'), appendL('a'), putM('x', '1'));
    at(60, appendL('b'), putM('y', '2'));
    at(120);
    const restored = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 120 });
    restored.restore([be.snapshot()]);
    expect(restored.stats()).toEqual({ entries: 2, bytes: 1 + 1 + (1 + 1 + 1), openIterations: 0 });
    const results = restored.apply([getV, getL, op(Kind.MAP, 'm', Op.MAP_ITERATE)], ctxFor(MAX)).map(view);
    expect(results.map((r) => [r.mapKeys, r.values])).toEqual([
      [[], []],
      [[], ['b']],
      [['y'], ['2']],
    ]);
    // The live state was not cleaned by the snapshot: it still returns the expired value once.
    expect(at(120, getV)[0]!.values).toEqual(['old']);
  });
});
