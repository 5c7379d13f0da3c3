/**
 * The host's State service for a UDF subtask (serveState): a request may mix keyed operations
 * and broadcast state writes, in the worker's order. It is checked whole before any of it is
 * applied (a refused one changes neither kind of state), its results come in its order, and
 * each kind goes only where the stage has it.
 */
import { describe, expect, it } from 'vitest';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { ProtocolError, StateAccessError } from '../shared/errors/errors.ts';
import { fnProto, type StateOperation, type StateRequest } from '../shared/protocol/messages.ts';
import { serveState, type SubtaskState } from '../host/runtime/state-service.ts';
import { BroadcastStateStore } from '../host/state/broadcast-state-store.ts';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { keyGroupOf } from '../host/state/key-groups.ts';

const Kind = fnProto.StateKind;
const Op = fnProto.StateOp;
const MAX = 128;
const KEY = encodeKey('user-1');
const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

const putValue = (value: Uint8Array, key = KEY): StateOperation => ({ key: { stateName: '7/count', kind: Kind.VALUE, key }, op: Op.PUT, values: [value] });
const getValue = (key = KEY): StateOperation => ({ key: { stateName: '7/count', kind: Kind.VALUE, key }, op: Op.GET });
const putRule = (key: number, value: number): StateOperation => ({
  key: { stateName: '7/rules', kind: Kind.BROADCAST },
  op: Op.PUT,
  mapKey: bytes(key),
  values: [bytes(value)],
});
const removeRule = (key: number): StateOperation => ({ key: { stateName: '7/rules', kind: Kind.BROADCAST }, op: Op.REMOVE, mapKey: bytes(key) });

function subtask(keyed: boolean, broadcast: boolean): SubtaskState & { backend: KeyedStateBackend; store: BroadcastStateStore } {
  const backend = new KeyedStateBackend({ maxParallelism: MAX });
  const store = new BroadcastStateStore('7', ['rules']);
  return {
    operator: 'Rules',
    keyed: keyed ? { backend, owned: { start: 0, end: MAX - 1 }, maxParallelism: MAX } : null,
    broadcast: broadcast ? store : null,
    stats: { requests: 0, operations: 0 },
    backend,
    store,
  };
}

const request = (...operations: StateOperation[]): StateRequest => ({ id: '1', instructionId: 'b1', operations });

/** Each result as found and its values. */
function served(state: SubtaskState, ...operations: StateOperation[]): [boolean, number[][]][] {
  return (serveState(request(...operations), state).results ?? []).map((r) => [r.found ?? false, (r.values ?? []).map((v) => [...v])]);
}

function rules(store: BroadcastStateStore): [number[], number[]][] {
  const c = store.contents('rules');
  return c.keys.map((k, i) => [[...k], [...c.values[i]!]]);
}

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

describe('serving a state request with keyed and broadcast operations', () => {
  it('applies both kinds and answers in the request order', () => {
    const state = subtask(true, true);
    expect(served(state, putRule(1, 10), putValue(bytes(5)), putRule(2, 20), getValue(), removeRule(1), removeRule(1), getValue(encodeKey('other')))).toEqual([
      [false, []],
      [false, []],
      [false, []],
      [true, [[5]]],
      [true, []],
      [false, []],
      [false, []],
    ]);
    expect(rules(state.store)).toEqual([[[2], [20]]]);
    expect(state.stats).toEqual({ requests: 1, operations: 7 });
    // A request of one kind alone.
    expect(served(state, getValue())).toEqual([[true, [[5]]]]);
    expect(served(state, putRule(2, 21))).toEqual([[false, []]]);
    expect(rules(state.store)).toEqual([[[2], [21]]]);
    expect(state.stats).toEqual({ requests: 3, operations: 9 });
  });

  it('applies nothing of a request whose broadcast operation is refused', () => {
    const state = subtask(true, true);
    const bad: StateOperation = { key: { stateName: '7/unknown', kind: Kind.BROADCAST }, op: Op.CLEAR };
    const error = errorOf(() => served(state, putValue(bytes(5)), putRule(1, 10), bad));
    expect(error).toBeInstanceOf(StateAccessError);
    expect((error as Error).message).toBe(
      "state request refused, nothing in it was applied: operation 2 (CLEAR on state '7/unknown'): operator '7' has no such broadcast state; its broadcast states are '7/rules'",
    );
    expect(served(state, getValue())).toEqual([[false, []]]);
    expect(rules(state.store)).toEqual([]);
  });

  it('applies nothing of a request whose keyed operation is refused', () => {
    const state = subtask(true, true);
    // A key of a key group this subtask does not own.
    const group = keyGroupOf(KEY, MAX);
    state.keyed!.owned = group === 0 ? { start: 1, end: MAX - 1 } : { start: 0, end: group - 1 };
    const error = errorOf(() => served(state, putRule(1, 10), putValue(bytes(5))));
    expect(error).toBeInstanceOf(StateAccessError);
    expect(rules(state.store)).toEqual([]);
    expect(state.backend.stats().entries).toBe(0);
  });

  it('serves broadcast state on a stage that is not keyed, and refuses keyed state there', () => {
    const state = subtask(false, true);
    expect(served(state, putRule(1, 10))).toEqual([[false, []]]);
    expect(rules(state.store)).toEqual([[[1], [10]]]);
    const error = errorOf(() => served(state, putRule(2, 20), getValue()));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toBe("operator 'Rules' is not keyed: it has no keyed state");
    expect(rules(state.store)).toEqual([[[1], [10]]]);
  });

  it('refuses broadcast operations on a stage that is not a broadcast process function, applying nothing', () => {
    const state = subtask(true, false);
    const error = errorOf(() => served(state, putValue(bytes(5)), putRule(1, 10)));
    expect(error).toBeInstanceOf(StateAccessError);
    expect((error as Error).message).toBe(
      "state request refused, nothing in it was applied: operation 1 (PUT on state '7/rules'): operator 'Rules' has no broadcast state",
    );
    expect(served(state, getValue())).toEqual([[false, []]]);
  });
});
