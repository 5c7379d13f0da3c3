/**
 * The host's broadcast state of one subtask: PUT, REMOVE and CLEAR on a declared state, in
 * insertion order (a PUT to a present key keeps its place, REMOVE then PUT moves it to the end),
 * a refused request changing nothing, and snapshots that are copies.
 */
import { describe, expect, it } from 'vitest';
import { StateAccessError } from '../shared/errors/errors.ts';
import { CheckpointError } from '../shared/errors/errors.ts';
import { fnProto, type StateOperation } from '../shared/protocol/messages.ts';
import { BroadcastStateStore, type BroadcastSnapshot } from '../host/state/broadcast-state-store.ts';

const Kind = fnProto.StateKind;
const Op = fnProto.StateOp;

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

function put(state: string, key: Uint8Array, value: Uint8Array): StateOperation {
  return { key: { stateName: state, kind: Kind.BROADCAST }, op: Op.PUT, mapKey: key, values: [value] };
}
function remove(state: string, key: Uint8Array): StateOperation {
  return { key: { stateName: state, kind: Kind.BROADCAST }, op: Op.REMOVE, mapKey: key };
}
function clear(state: string): StateOperation {
  return { key: { stateName: state, kind: Kind.BROADCAST }, op: Op.CLEAR };
}

/** Plans and applies `operations` as one request. */
function run(store: BroadcastStateStore, ...operations: StateOperation[]): boolean[] {
  return store.apply(store.plan(operations.map((operation, index) => ({ index, operation })))).map((r) => r.found ?? false);
}

/** A state's entries as [key, value] byte lists, in order. */
function entries(store: BroadcastStateStore, name: string): [number[], number[]][] {
  const c = store.contents(name);
  return c.keys.map((k, i) => [[...k], [...c.values[i]!]]);
}

const newStore = (): BroadcastStateStore => new BroadcastStateStore('7', ['rules', 'limits']);

describe('broadcast state store', () => {
  it('starts with every declared state empty, in declaration order', () => {
    const store = newStore();
    expect(store.contents('rules')).toEqual({ name: 'rules', keys: [], values: [] });
    expect(store.snapshot()).toEqual({
      states: [
        { name: 'rules', keys: [], values: [] },
        { name: 'limits', keys: [], values: [] },
      ],
    });
    expect(store.size).toBe(0);
  });

  it('PUT adds at the end, a PUT to a present key keeps its place, REMOVE then PUT moves it to the end', () => {
    const store = newStore();
    expect(run(store, put('7/rules', bytes(1), bytes(10)), put('7/rules', bytes(2), bytes(20)), put('7/rules', bytes(3), bytes(30)))).toEqual([
      false,
      false,
      false,
    ]);
    run(store, put('7/rules', bytes(1), bytes(11)));
    expect(entries(store, 'rules')).toEqual([
      [[1], [11]],
      [[2], [20]],
      [[3], [30]],
    ]);
    expect(run(store, remove('7/rules', bytes(1)), put('7/rules', bytes(1), bytes(12)))).toEqual([true, false]);
    expect(entries(store, 'rules')).toEqual([
      [[2], [20]],
      [[3], [30]],
      [[1], [12]],
    ]);
    expect(entries(store, 'limits')).toEqual([]);
  });

  it('REMOVE is found iff the key was there; CLEAR empties one state only', () => {
    const store = newStore();
    run(store, put('7/rules', bytes(1), bytes(10)), put('7/limits', bytes(5), bytes(50)));
    expect(run(store, remove('7/rules', bytes(9)), remove('7/rules', bytes(1)), remove('7/rules', bytes(1)))).toEqual([false, true, false]);
    run(store, put('7/rules', bytes(2), bytes(20)), clear('7/rules'));
    expect(entries(store, 'rules')).toEqual([]);
    expect(entries(store, 'limits')).toEqual([[[5], [50]]]);
    expect(store.size).toBe(1);
  });

  it('keeps copies of the bytes it is given', () => {
    const store = newStore();
    const key = bytes(1);
    const value = bytes(10);
    run(store, put('7/rules', key, value));
    key[0] = 99;
    value[0] = 99;
    expect(entries(store, 'rules')).toEqual([[[1], [10]]]);
  });

  it.each<[string, StateOperation, string]>([
    [
      'a state of another operator',
      put('8/rules', bytes(1), bytes(1)),
      "state request refused, nothing in it was applied: operation 1 (PUT on state '8/rules'): operator '7' has no such broadcast state; " +
        "its broadcast states are '7/rules', '7/limits'",
    ],
    [
      'an undeclared state',
      put('7/other', bytes(1), bytes(1)),
      "state request refused, nothing in it was applied: operation 1 (PUT on state '7/other'): operator '7' has no such broadcast state; " +
        "its broadcast states are '7/rules', '7/limits'",
    ],
    [
      'another operation',
      { key: { stateName: '7/rules', kind: Kind.BROADCAST }, op: Op.MAP_GET, mapKey: bytes(1) },
      "state request refused, nothing in it was applied: operation 1 (MAP_GET on state '7/rules'): broadcast state takes PUT, REMOVE and CLEAR only",
    ],
    [
      'a PUT without a map_key',
      { key: { stateName: '7/rules', kind: Kind.BROADCAST }, op: Op.PUT, values: [bytes(1)] },
      "state request refused, nothing in it was applied: operation 1 (PUT on state '7/rules'): PUT needs a map_key",
    ],
    [
      'a REMOVE with an empty map_key',
      remove('7/rules', bytes()),
      "state request refused, nothing in it was applied: operation 1 (REMOVE on state '7/rules'): REMOVE needs a map_key",
    ],
    [
      'a PUT without a value',
      { key: { stateName: '7/rules', kind: Kind.BROADCAST }, op: Op.PUT, mapKey: bytes(1), values: [] },
      "state request refused, nothing in it was applied: operation 1 (PUT on state '7/rules'): PUT takes exactly one value, got 0",
    ],
    [
      'a PUT with two values',
      { key: { stateName: '7/rules', kind: Kind.BROADCAST }, op: Op.PUT, mapKey: bytes(1), values: [bytes(1), bytes(2)] },
      "state request refused, nothing in it was applied: operation 1 (PUT on state '7/rules'): PUT takes exactly one value, got 2",
    ],
    [
      'a key',
      { key: { stateName: '7/rules', kind: Kind.BROADCAST, key: bytes(4) }, op: Op.CLEAR },
      "state request refused, nothing in it was applied: operation 1 (CLEAR on state '7/rules'): broadcast state is not keyed: its key must be empty",
    ],
    [
      'a namespace',
      { key: { stateName: '7/rules', kind: Kind.BROADCAST, namespace: bytes(4) }, op: Op.CLEAR },
      "state request refused, nothing in it was applied: operation 1 (CLEAR on state '7/rules'): broadcast state has no namespace: it must be empty",
    ],
    [
      'another kind',
      { key: { stateName: '7/rules', kind: Kind.MAP }, op: Op.CLEAR },
      "state request refused, nothing in it was applied: operation 1 (CLEAR on state '7/rules'): it is not an operation on broadcast state",
    ],
  ])('refuses %s, applying none of the request', (_what, refused, message) => {
    const store = newStore();
    run(store, put('7/rules', bytes(1), bytes(10)), put('7/rules', bytes(2), bytes(20)));
    const before = store.snapshot();
    let error: unknown = null;
    try {
      run(store, clear('7/rules'), refused, put('7/limits', bytes(3), bytes(30)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateAccessError);
    expect((error as Error).message).toBe(message);
    expect(store.snapshot()).toEqual(before);
  });

  it('gives snapshots that later changes do not touch, and restores copies of them', () => {
    const store = newStore();
    run(store, put('7/rules', bytes(1), bytes(10)), put('7/rules', bytes(2), bytes(20)));
    const snapshot = store.snapshot();
    run(store, put('7/rules', bytes(1), bytes(11)), remove('7/rules', bytes(2)), put('7/limits', bytes(5), bytes(50)));
    expect(snapshot).toEqual({
      states: [
        { name: 'rules', keys: [bytes(1), bytes(2)], values: [bytes(10), bytes(20)] },
        { name: 'limits', keys: [], values: [] },
      ],
    });
    const restored = newStore();
    restored.restore(snapshot);
    snapshot.states[0]!.keys[0]![0] = 99;
    snapshot.states[0]!.values[0]![0] = 99;
    expect(entries(restored, 'rules')).toEqual([
      [[1], [10]],
      [[2], [20]],
    ]);
    // The order after a restore is the snapshot's: a PUT to a present key keeps its place.
    run(restored, put('7/rules', bytes(1), bytes(12)));
    expect(entries(restored, 'rules')).toEqual([
      [[1], [12]],
      [[2], [20]],
    ]);
  });

  it('restores a declared state the snapshot lacks empty, and carries one no longer declared', () => {
    const store = new BroadcastStateStore('7', ['rules', 'limits']);
    run(store, put('7/limits', bytes(5), bytes(50)));
    store.restore({
      states: [
        { name: 'old', keys: [bytes(8)], values: [bytes(80)] },
        { name: 'rules', keys: [bytes(1)], values: [bytes(10)] },
      ],
    });
    expect(entries(store, 'rules')).toEqual([[[1], [10]]]);
    expect(entries(store, 'limits')).toEqual([]);
    expect(() => store.contents('old')).toThrow("operator '7' declares no broadcast state 'old'");
    expect(() => run(store, clear('7/old'))).toThrow(StateAccessError);
    expect(store.snapshot()).toEqual({
      states: [
        { name: 'rules', keys: [bytes(1)], values: [bytes(10)] },
        { name: 'limits', keys: [], values: [] },
        { name: 'old', keys: [bytes(8)], values: [bytes(80)] },
      ],
    });
  });

  it.each<[string, BroadcastSnapshot, string]>([
    ['keys and values not side by side', { states: [{ name: 'rules', keys: [bytes(1)], values: [] }] }, "broadcast state 'rules' of operator '7' has 1 keys and 0 values"],
    ['a key twice', { states: [{ name: 'rules', keys: [bytes(1), bytes(1)], values: [bytes(1), bytes(2)] }] }, "broadcast state 'rules' of operator '7' holds a key twice"],
    [
      'a state twice',
      {
        states: [
          { name: 'rules', keys: [], values: [] },
          { name: 'rules', keys: [], values: [] },
        ],
      },
      "broadcast state 'rules' of operator '7' is in the snapshot twice",
    ],
  ])('refuses a snapshot with %s, changing nothing', (_what, snapshot, message) => {
    const store = newStore();
    run(store, put('7/rules', bytes(1), bytes(10)));
    expect(() => store.restore(snapshot)).toThrow(new CheckpointError(message));
    expect(entries(store, 'rules')).toEqual([[[1], [10]]]);
  });
});
