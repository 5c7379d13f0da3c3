/**
 * Broadcast state on the worker (BroadcastConnectedStream.process): for each MapStateDescriptor
 * the stream was broadcast with, this subtask's whole map, as the host gave it at registration
 * (Transform.broadcast_states). No read crosses the process. A write changes the map at once
 * and goes to the host through the wire like a keyed state's write (StateKind BROADCAST, state
 * name `${transformId}/${descriptor name}`, an empty key): a bundle is done only when the host
 * holds it.
 *
 *   processBroadcastElement: put(k, v) ─▶ map (now) ─▶ wire: PUT mapKey=k values=[v] ─▶ host
 *   processElement, onTimer:  get(k)   ─▶ map, decoded (read only: writes are refused)
 *
 * Order is the host's: a JS Map by the key's bytes, in insertion order, where a put to a present
 * key keeps its place and a remove then a put moves it to the end; so entries() iterates after
 * a restart as it did before.
 *
 * Entries are kept encoded (the StateContext's codec, as MapState's) and decoded on every read:
 * an object a function gets and changes is its own, never what the host holds.
 */
import { sluice } from '../../shared/generated/protocol.js';
import type { BroadcastState, ReadOnlyBroadcastState } from '../../shared/api/state.ts';
import type { MapStateDescriptor } from '../../shared/api/state-descriptors.ts';
import { JobDefinitionError, ProtocolError } from '../../shared/errors/errors.ts';
import { bytesKey, NO_BYTES } from './bytes.ts';
import type { StateContext } from './state-context.ts';

const { StateKind, StateOp } = sluice.fn.v1;

type Contents = sluice.fn.v1.IBroadcastStateContents;

interface Entry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** One broadcast state of one subtask, read and written (what processBroadcastElement gets). */
export class WorkerBroadcastState<K, V> implements BroadcastState<K, V> {
  /** By bytesKey(key bytes); the bytes are this object's own, never changed. */
  private readonly map = new Map<string, Entry>();
  private readonly wireKey: sluice.fn.v1.IStateKey;
  /** The same state as processElement and onTimer get it. */
  readonly readOnly: ReadOnlyBroadcastState<K, V>;

  constructor(
    private readonly ctx: StateContext,
    transformId: string,
    /** The descriptor's name. */
    readonly name: string,
    contents: Contents,
  ) {
    const keys = contents.keys ?? [];
    const values = contents.values ?? [];
    if (keys.length !== values.length) {
      throw new ProtocolError(`broadcast state '${name}' of transform '${transformId}' came with ${keys.length} keys and ${values.length} values`);
    }
    for (const [i, key] of keys.entries()) {
      const k = owned(key);
      this.map.set(bytesKey(k), { key: k, value: owned(values[i]!) });
    }
    this.wireKey = { stateName: `${transformId}/${name}`, kind: StateKind.BROADCAST, key: NO_BYTES };
    this.readOnly = new ReadOnlyView(this);
  }

  get(key: K): V | null {
    const entry = this.map.get(bytesKey(this.ctx.codec.encode(key)));
    return entry === undefined ? null : (this.ctx.codec.decode(entry.value) as V);
  }

  contains(key: K): boolean {
    return this.map.has(bytesKey(this.ctx.codec.encode(key)));
  }

  keys(): Iterable<K> {
    return this.walk((e) => this.ctx.codec.decode(e.key) as K);
  }

  values(): Iterable<V> {
    return this.walk((e) => this.ctx.codec.decode(e.value) as V);
  }

  entries(): Iterable<[K, V]> {
    return this.walk((e) => [this.ctx.codec.decode(e.key) as K, this.ctx.codec.decode(e.value) as V]);
  }

  isEmpty(): boolean {
    return this.map.size === 0;
  }

  put(key: K, value: V): void {
    this.write(this.encoded(key, value));
  }

  /** Puts every entry, in order; none when one of them cannot be encoded. */
  putAll(entries: Iterable<readonly [K, V]> | Map<K, V>): void {
    const encoded: Entry[] = [];
    for (const [key, value] of entries) encoded.push(this.encoded(key, value));
    for (const entry of encoded) this.write(entry);
  }

  remove(key: K): void {
    const k = owned(this.ctx.codec.encode(key));
    this.map.delete(bytesKey(k));
    this.ctx.wire.push({ key: this.wireKey, op: StateOp.REMOVE, mapKey: k }, 32 + k.length);
  }

  clear(): void {
    this.map.clear();
    this.ctx.wire.push({ key: this.wireKey, op: StateOp.CLEAR }, 32);
  }

  private encoded(key: K, value: V): Entry {
    return { key: owned(this.ctx.codec.encode(key)), value: owned(this.ctx.codec.encode(value)) };
  }

  /** `entry` under its key: the map at once, the host through the wire (the same bytes: neither changes them). */
  private write(entry: Entry): void {
    this.map.set(bytesKey(entry.key), entry);
    this.ctx.wire.push(
      { key: this.wireKey, op: StateOp.PUT, mapKey: entry.key, values: [entry.value] },
      32 + entry.key.length + entry.value.length,
    );
  }

  /**
   * The entries as they are when each iteration starts, each decoded as it comes: changes made
   * during the iteration are not seen by it. (Walking the live map instead, a loop that removes
   * and puts back each key it visits, re-keying the map, met those keys again at the end and
   * never ended; Flink's HashMap throws there.) Every iteration of the result starts anew.
   */
  private walk<T>(project: (entry: Entry) => T): Iterable<T> {
    const map = this.map;
    return {
      *[Symbol.iterator]() {
        for (const entry of [...map.values()]) yield project(entry);
      },
    };
  }
}

/**
 * The broadcast state as processElement and onTimer see it (Flink: read only on the
 * non-broadcast side, so that every subtask's copy changes the same way, from the broadcast
 * elements alone). Its write methods are there only to refuse clearly a function that casts it.
 */
class ReadOnlyView<K, V> implements ReadOnlyBroadcastState<K, V> {
  constructor(private readonly state: WorkerBroadcastState<K, V>) {}

  get(key: K): V | null {
    return this.state.get(key);
  }
  contains(key: K): boolean {
    return this.state.contains(key);
  }
  keys(): Iterable<K> {
    return this.state.keys();
  }
  values(): Iterable<V> {
    return this.state.values();
  }
  entries(): Iterable<[K, V]> {
    return this.state.entries();
  }
  isEmpty(): boolean {
    return this.state.isEmpty();
  }
  put(): never {
    throw readOnlyRefusal(this.state.name, 'put');
  }
  putAll(): never {
    throw readOnlyRefusal(this.state.name, 'putAll');
  }
  remove(): never {
    throw readOnlyRefusal(this.state.name, 'remove');
  }
  clear(): never {
    throw readOnlyRefusal(this.state.name, 'clear');
  }
}

function readOnlyRefusal(name: string, method: string): Error {
  return new Error(
    `${method}() on broadcast state '${name}' refused: it is read-only in processElement and onTimer; only processBroadcastElement may change it`,
  );
}

/**
 * The broadcast states of one transform (one per descriptor the stream was broadcast with), as
 * its contexts' getBroadcastState finds them: the same object for the same name every time.
 */
export class BroadcastStates {
  private readonly states = new Map<string, WorkerBroadcastState<unknown, unknown>>();

  constructor(ctx: StateContext, transformId: string, contents: readonly Contents[]) {
    for (const c of contents) {
      const name = c.name ?? '';
      if (this.states.has(name)) throw new ProtocolError(`transform '${transformId}' was given broadcast state '${name}' twice`);
      this.states.set(name, new WorkerBroadcastState(ctx, transformId, name, c));
    }
  }

  /** The state `descriptor` names, read and written (processBroadcastElement). */
  writable<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return this.find(descriptor) as WorkerBroadcastState<K, V>;
  }

  /** The state `descriptor` names, read only (processElement, onTimer). */
  readOnly<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return this.find(descriptor).readOnly as ReadOnlyBroadcastState<K, V>;
  }

  private find(descriptor: MapStateDescriptor<unknown, unknown>): WorkerBroadcastState<unknown, unknown> {
    const name = (descriptor as { name?: unknown } | null | undefined)?.name;
    const state = typeof name === 'string' ? this.states.get(name) : undefined;
    if (state !== undefined) return state;
    const declared = this.states.size === 0 ? 'none' : [...this.states.keys()].map((n) => `'${n}'`).join(', ');
    const asked = typeof name === 'string' ? `'${name}'` : String(descriptor);
    throw new JobDefinitionError(
      `no broadcast state ${asked}: the stream was broadcast with ${declared} (give broadcast(...) every MapStateDescriptor the function uses)`,
    );
  }
}

/** `bytes` when they are a whole buffer of their own; else a copy (a view may share, or outlive, a larger buffer). */
function owned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
