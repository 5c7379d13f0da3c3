/**
 * The broadcast state of one subtask of a broadcast process function (BroadcastConnectedStream
 * .process): Flink's operator state, a map per MapStateDescriptor the second input was broadcast
 * with. The host holds it (the source of truth: checkpointed, restored, given to the worker at
 * registration); the worker holds a copy of the whole map and sends only its writes.
 *
 * Operations (StateKind BROADCAST; the state name is "<transform id>/<descriptor name>", the key
 * and namespace are empty):
 *
 *   PUT      map_key := values[0] (exactly one value)
 *   REMOVE   remove map_key; found iff an entry was stored there
 *   CLEAR    remove every entry
 *
 * Invariant: each map iterates in the worker's order, insertion order: a PUT to a key already
 * there keeps its place, REMOVE then PUT moves it to the end (a JS Map keyed by the key's bytes
 * as latin1 on both sides). Keys and values are the worker's encoding, opaque here.
 *
 * States of the checkpoint that the function no longer declares are kept as they were (carried
 * into the next checkpoint, as Flink keeps an operator's unused broadcast states) but cannot be
 * read or written.
 */
import { CheckpointError } from '../../shared/errors/errors.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { copyBytes, latin1 } from './byte-keys.ts';
import { refusal, type StateOperation } from './request-plan.ts';
import { emptyResult, foundResult, type StateResult } from './state-results.ts';

const Kind = sluice.fn.v1.StateKind;
const Op = sluice.fn.v1.StateOp;

/** One broadcast state's entries, side by side in the store's order (RegisterRequest's Transform.broadcast_states). */
export interface BroadcastStateContents {
  /** The descriptor's name (not qualified with the transform id). */
  name: string;
  keys: Uint8Array[];
  values: Uint8Array[];
}

/** A subtask's broadcast states as a checkpoint holds them: plain data (its arrays its own, the bytes the store's, which nothing changes). */
export interface BroadcastSnapshot {
  states: BroadcastStateContents[];
}

interface Entry {
  key: Uint8Array;
  value: Uint8Array;
}

/** An operation checked against the store, which applying cannot refuse. */
export interface PlannedBroadcastOperation {
  op: sluice.fn.v1.StateOp;
  /** The descriptor's name. */
  state: string;
  mapKey: string;
  key: Uint8Array;
  value: Uint8Array | null;
}

export class BroadcastStateStore {
  /** By descriptor name: the declared ones first (in declaration order), then carried ones. */
  private maps = new Map<string, Map<string, Entry>>();
  /** Wire name ("<operator>/<descriptor name>") to descriptor name, of the declared states. */
  private readonly wireNames = new Map<string, string>();

  /**
   * @param operator the head transform's id (transformId), which qualifies the wire names
   * @param declared the names of its broadcast states, in UdfTransformation.broadcastStates order
   */
  constructor(
    readonly operator: string,
    readonly declared: readonly string[],
  ) {
    for (const name of declared) {
      this.wireNames.set(`${operator}/${name}`, name);
      this.maps.set(name, new Map());
    }
  }

  /**
   * Checks `operations` (each with its index in the request, which refusals name) and resolves
   * them, changing nothing. Throws StateAccessError at the first one refused: another kind or
   * operation, a state that is not one of this operator's declared broadcast states, a key or
   * namespace (broadcast state has none), a PUT without exactly one value, a PUT or REMOVE
   * without a map_key (on the wire an empty one cannot be told from a missing one).
   */
  plan(operations: readonly { index: number; operation: StateOperation }[]): PlannedBroadcastOperation[] {
    const planned = new Array<PlannedBroadcastOperation>(operations.length);
    for (let i = 0; i < operations.length; i++) {
      const { index, operation } = operations[i]!;
      const wireName = operation.key?.stateName ?? '';
      const op = operation.op ?? Op.STATE_OP_UNSPECIFIED;
      if (operation.key?.kind !== Kind.BROADCAST) throw refusal(index, op, wireName, 'it is not an operation on broadcast state');
      const state = this.wireNames.get(wireName);
      if (state === undefined) {
        const names = [...this.wireNames.keys()].map((n) => `'${n}'`).join(', ');
        throw refusal(index, op, wireName, `operator '${this.operator}' has no such broadcast state; its broadcast states are ${names === '' ? 'none' : names}`);
      }
      if ((operation.key.key?.length ?? 0) > 0) throw refusal(index, op, wireName, 'broadcast state is not keyed: its key must be empty');
      if ((operation.key.namespace?.length ?? 0) > 0) throw refusal(index, op, wireName, 'broadcast state has no namespace: it must be empty');
      if (op !== Op.PUT && op !== Op.REMOVE && op !== Op.CLEAR) throw refusal(index, op, wireName, 'broadcast state takes PUT, REMOVE and CLEAR only');
      const key = operation.mapKey ?? new Uint8Array(0);
      if (op !== Op.CLEAR && key.length === 0) throw refusal(index, op, wireName, `${Op[op]} needs a map_key`);
      const values = operation.values ?? [];
      if (op === Op.PUT && values.length !== 1) throw refusal(index, op, wireName, `PUT takes exactly one value, got ${values.length}`);
      planned[i] = { op, state, mapKey: op === Op.CLEAR ? '' : latin1(key), key, value: op === Op.PUT ? values[0]! : null };
    }
    return planned;
  }

  /** Applies operations plan() gave, in order: one result each. */
  apply(planned: readonly PlannedBroadcastOperation[]): StateResult[] {
    const results = new Array<StateResult>(planned.length);
    for (let i = 0; i < planned.length; i++) {
      const p = planned[i]!;
      const map = this.maps.get(p.state)!;
      if (p.op === Op.PUT) {
        const present = map.get(p.mapKey);
        // Set on the entry already there, so that the key keeps its place.
        if (present !== undefined) present.value = copyBytes(p.value!);
        else map.set(p.mapKey, { key: copyBytes(p.key), value: copyBytes(p.value!) });
        results[i] = emptyResult();
      } else if (p.op === Op.REMOVE) {
        results[i] = foundResult(map.delete(p.mapKey));
      } else {
        map.clear();
        results[i] = emptyResult();
      }
    }
    return results;
  }

  /** A declared state's entries in order (empty if it has none), for the worker's registration. */
  contents(name: string): BroadcastStateContents {
    const map = this.maps.get(name);
    if (map === undefined || !this.declared.includes(name)) throw new Error(`operator '${this.operator}' declares no broadcast state '${name}'`);
    return contentsOf(name, map);
  }

  /** Entries over every state (declared or carried). */
  get size(): number {
    let n = 0;
    for (const map of this.maps.values()) n += map.size;
    return n;
  }

  /** Every state, declared and carried, as plain data that later changes do not touch (they replace bytes, never change them). */
  snapshot(): BroadcastSnapshot {
    return { states: [...this.maps].map(([name, map]) => contentsOf(name, map)) };
  }

  /**
   * Replaces every state with the snapshot's (copied): a declared state it does not hold starts
   * empty, a state it holds that is not declared is carried. Throws CheckpointError, changing
   * nothing, if the snapshot is malformed (keys and values not side by side, a key twice, a
   * state twice).
   */
  restore(snapshot: BroadcastSnapshot): void {
    const restored = new Map<string, Map<string, Entry>>();
    for (const name of this.declared) restored.set(name, new Map());
    const seen = new Set<string>();
    for (const state of snapshot.states) {
      if (seen.has(state.name)) throw new CheckpointError(`broadcast state '${state.name}' of operator '${this.operator}' is in the snapshot twice`);
      seen.add(state.name);
      if (state.keys.length !== state.values.length) {
        throw new CheckpointError(
          `broadcast state '${state.name}' of operator '${this.operator}' has ${state.keys.length} keys and ${state.values.length} values`,
        );
      }
      const map = new Map<string, Entry>();
      for (let i = 0; i < state.keys.length; i++) {
        const key = state.keys[i]!;
        const mapKey = latin1(key);
        if (map.has(mapKey)) throw new CheckpointError(`broadcast state '${state.name}' of operator '${this.operator}' holds a key twice`);
        map.set(mapKey, { key: copyBytes(key), value: copyBytes(state.values[i]!) });
      }
      restored.set(state.name, map);
    }
    this.maps = restored;
  }
}

/**
 * A state's entries in order. The bytes are the store's own, not copies: the store never changes
 * bytes it holds (a PUT replaces them), and neither do a snapshot's or a registration's readers,
 * so sharing them costs a barrier no copy of the whole state (with 50,000 entries a subtask,
 * copying them blocked the host for tens of ms at every checkpoint).
 */
function contentsOf(name: string, map: ReadonlyMap<string, Entry>): BroadcastStateContents {
  const keys: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  for (const entry of map.values()) {
    keys.push(entry.key);
    values.push(entry.value);
  }
  return { name, keys, values };
}
