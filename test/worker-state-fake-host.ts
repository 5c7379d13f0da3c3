/**
 * Test support for the worker-state tests: a fake State service host that applies operations to
 * an in-memory model (following the contract in worker/state/ttl-policy.ts and
 * worker/state/map-iteration.ts), counts requests, can hold its responses until released, and
 * can refuse a request. Not a test file itself. `requests` holds what was asked, PUT_BATCHes
 * read into the PUTs they stand for (as the real host reads them); `wireRequests` holds the
 * requests as they came.
 */
import { sluice } from '../shared/generated/protocol.js';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { PUT_BATCH_LAYOUT } from '../shared/protocol/put-batch.ts';
import type { StateChannel } from '../worker/state/state-channel.ts';
import { ElementScope } from '../worker/processor/element-scope.ts';
import { WorkerKeyedState, type StateValueCodec, type WorkerStateOptions } from '../worker/state/index.ts';
import { genericCopy } from '../shared/codec/generic-copy.ts';
import type { GenericWriter } from '../shared/codec/generic-writer.ts';

const { StateKind, StateOp } = sluice.fn.v1;
type Operation = sluice.fn.v1.IStateOperation;
type Result = sluice.fn.v1.IStateResult;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The codec tests use: JSON text. Equal keys (same property order) give equal bytes. */
export const jsonCodec: StateValueCodec = {
  encode: (v: unknown): Uint8Array => encoder.encode(JSON.stringify(v)),
  encodeInto: (v: unknown, writer: GenericWriter): void => writer.writeBytes(jsonCodec.encode(v)),
  decode: (b: Uint8Array): unknown => JSON.parse(decoder.decode(b)),
};

export const DEFAULT_OPTIONS: WorkerStateOptions = {
  cacheSize: 1000,
  cacheMaxBytes: 64 << 20,
  mapReadCacheSize: 1000,
  mapWriteCacheSize: 1000,
  iterateBatchSize: 1000,
};

interface Item {
  bytes: Uint8Array;
  ts: number;
}
interface MapItem extends Item {
  key: Uint8Array;
}
interface Ttl {
  ttlMs: number;
  refreshOnRead: boolean;
  returnExpired: boolean;
}

const hex = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? []).toString('hex');

export class FakeStateHost implements StateChannel {
  readonly requests: sluice.fn.v1.IStateRequest[] = [];
  readonly wireRequests: sluice.fn.v1.IStateRequest[] = [];
  private readonly putBatches = new BatchDecoder(PUT_BATCH_LAYOUT);
  /** Released iteration tokens (MAP_ITERATE_RELEASE). */
  readonly released: string[] = [];
  holding = false;
  private held: Array<() => void> = [];
  private refusal: { name: string; message: string } | null = null;
  private readonly values = new Map<string, Item>();
  private readonly lists = new Map<string, Item[]>();
  private readonly maps = new Map<string, Map<string, MapItem>>();
  private readonly timers = new Map<string, Set<number>>();
  private readonly ttls = new Map<string, Ttl>();

  request(request: sluice.fn.v1.IStateRequest): Promise<sluice.fn.v1.IStateResponse> {
    const response = this.answer(request);
    if (!this.holding) return Promise.resolve(response);
    return new Promise((resolve) => this.held.push(() => resolve(response)));
  }

  /**
   * A blocking request: as the real channel does, it answers every held request first (in
   * order; their waiters run on later microtasks), then this one.
   */
  requestNow(request: sluice.fn.v1.IStateRequest): sluice.fn.v1.IStateResponse {
    this.blockingRequests++;
    this.release();
    return this.answer(request);
  }

  /** How many requests were blocking ones (requestNow). */
  blockingRequests = 0;

  private answer(request: sluice.fn.v1.IStateRequest): sluice.fn.v1.IStateResponse {
    this.wireRequests.push(request);
    const operations = request.operations ?? [];
    const asPuts = operations.map((op) => this.asPuts(op));
    this.requests.push({ ...request, operations: asPuts.flat() });
    let response: sluice.fn.v1.IStateResponse;
    if (this.refusal !== null) {
      response = { id: request.id ?? '', error: this.refusal, results: [] };
      this.refusal = null;
    } else {
      // One result per operation of the request; a PUT_BATCH's is empty.
      const results = operations.map((op, i) => {
        if (op.op !== StateOp.PUT_BATCH) return this.apply(op);
        for (const put of asPuts[i]!) this.apply(put);
        return {};
      });
      response = { id: request.id ?? '', results };
    }
    return response;
  }

  /** A PUT_BATCH read into the PUTs it stands for; any other operation as it is. */
  private asPuts(operation: Operation): Operation[] {
    if (operation.op !== StateOp.PUT_BATCH) return [operation];
    const rows = this.putBatches.decode(operation.batch ?? new Uint8Array());
    const { stateName, kind, namespace } = operation.key ?? {};
    return rows.values.map((value, r) => ({
      key: { stateName, kind, key: rows.keys!.at(r)!, namespace },
      op: StateOp.PUT,
      values: [value as Uint8Array],
      time: rows.timestamps![r] ?? 0,
    }));
  }

  /** Answers every held request, in order. */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** The next request is refused with this error (nothing of it applied). */
  refuseNext(name: string, message: string): void {
    this.refusal = { name, message };
  }

  get operations(): Operation[] {
    return this.requests.flatMap((r) => r.operations ?? []);
  }

  /** Operations of one kind, e.g. countOps(StateOp.GET). */
  countOps(op: sluice.fn.v1.StateOp): number {
    return this.operations.filter((o) => o.op === op).length;
  }

  // ---- the model, for assertions and seeding (keys and values as plain JS) ----

  value(stateName: string, key: unknown): unknown {
    const item = this.values.get(slot(stateName, key));
    return item === undefined ? undefined : jsonCodec.decode(item.bytes);
  }

  /** A value's bytes as held (for a codec other than the JSON one). */
  valueBytes(stateName: string, key: unknown): Uint8Array | undefined {
    return this.values.get(slot(stateName, key))?.bytes;
  }

  list(stateName: string, key: unknown): unknown[] | undefined {
    return this.lists.get(slot(stateName, key))?.map((i) => jsonCodec.decode(i.bytes));
  }

  map(stateName: string, key: unknown): Array<[unknown, unknown]> | undefined {
    const m = this.maps.get(slot(stateName, key));
    if (m === undefined) return undefined;
    return [...m.keys()].sort().map((k) => [jsonCodec.decode(m.get(k)!.key), jsonCodec.decode(m.get(k)!.bytes)]);
  }

  timerSet(stateName: string, key: unknown): number[] {
    return [...(this.timers.get(slot(stateName, key)) ?? [])].sort((a, b) => a - b);
  }

  seedMap(stateName: string, key: unknown, entries: Array<[unknown, unknown]>, ts = 0): void {
    const m = new Map<string, MapItem>();
    for (const [k, v] of entries) {
      const kb = jsonCodec.encode(k);
      m.set(hex(kb), { key: kb, bytes: jsonCodec.encode(v), ts });
    }
    this.maps.set(slot(stateName, key), m);
  }

  seedValue(stateName: string, key: unknown, value: unknown, ts = 0): void {
    this.values.set(slot(stateName, key), { bytes: jsonCodec.encode(value), ts });
  }

  private apply(op: Operation): Result {
    const stateName = op.key?.stateName ?? '';
    const where = `${stateName}|${hex(op.key?.key)}`;
    const t = op.time ?? 0;
    const ttl = this.ttls.get(stateName);
    const expired = (item: Item): boolean => ttl !== undefined && item.ts + ttl.ttlMs <= t;
    switch (op.op) {
      case StateOp.DECLARE:
        if (op.ttl && (op.ttl.ttlMs ?? 0) > 0) {
          this.ttls.set(stateName, {
            ttlMs: op.ttl.ttlMs!,
            refreshOnRead: op.ttl.updateType === 'OnReadAndWrite',
            returnExpired: op.ttl.visibility === 'ReturnExpiredIfNotCleanedUp',
          });
        }
        return {};
      case StateOp.GET:
        if (op.key?.kind === StateKind.LIST) return this.getList(where, t, ttl, expired);
        return this.getValue(where, t, ttl, expired);
      case StateOp.PUT:
        if (op.key?.kind === StateKind.TIMER) return this.timer(where, op.mapKey!, true);
        if (op.key?.kind === StateKind.MAP) {
          this.mapAt(where).set(hex(op.mapKey), { key: op.mapKey!, bytes: op.values![0]!, ts: t });
        } else if (op.key?.kind === StateKind.LIST) {
          this.lists.set(where, op.values!.map((bytes) => ({ bytes, ts: t })));
        } else {
          this.values.set(where, { bytes: op.values![0]!, ts: t });
        }
        return {};
      case StateOp.APPEND: {
        const list = this.lists.get(where) ?? [];
        for (const bytes of op.values ?? []) list.push({ bytes, ts: t });
        this.lists.set(where, list);
        return {};
      }
      case StateOp.CLEAR:
        this.values.delete(where);
        this.lists.delete(where);
        this.maps.delete(where);
        return {};
      case StateOp.REMOVE:
        if (op.key?.kind === StateKind.TIMER) return this.timer(where, op.mapKey!, false);
        this.maps.get(where)?.delete(hex(op.mapKey));
        return {};
      case StateOp.MAP_GET: {
        const m = this.maps.get(where);
        const item = m?.get(hex(op.mapKey));
        if (item === undefined) return { found: false };
        if (expired(item)) {
          m!.delete(hex(op.mapKey));
          return ttl!.returnExpired ? { found: true, values: [item.bytes] } : { found: false };
        }
        if (ttl?.refreshOnRead) item.ts = t;
        return { found: true, values: [item.bytes] };
      }
      case StateOp.MAP_IS_EMPTY: {
        const items = [...(this.maps.get(where)?.values() ?? [])];
        return { found: items.some((i) => !expired(i) || ttl!.returnExpired) };
      }
      case StateOp.MAP_ITERATE:
        return this.iterate(where, op, t, ttl, expired);
      case StateOp.MAP_ITERATE_RELEASE:
        this.released.push(decoder.decode(op.continuation ?? new Uint8Array()));
        return {};
      default:
        throw new Error(`fake host: unexpected op ${op.op}`);
    }
  }

  private getValue(where: string, t: number, ttl: Ttl | undefined, expired: (i: Item) => boolean): Result {
    const item = this.values.get(where);
    if (item === undefined) return { found: false };
    if (expired(item)) {
      this.values.delete(where);
      return ttl!.returnExpired ? { found: true, values: [item.bytes] } : { found: false };
    }
    if (ttl?.refreshOnRead) item.ts = t;
    return { found: true, values: [item.bytes] };
  }

  private getList(where: string, t: number, ttl: Ttl | undefined, expired: (i: Item) => boolean): Result {
    const out: Uint8Array[] = [];
    const keep: Item[] = [];
    for (const item of this.lists.get(where) ?? []) {
      if (expired(item)) {
        if (ttl!.returnExpired) out.push(item.bytes);
        continue;
      }
      if (ttl?.refreshOnRead) item.ts = t;
      out.push(item.bytes);
      keep.push(item);
    }
    if (this.lists.has(where)) this.lists.set(where, keep);
    return { found: out.length > 0, values: out };
  }

  /** Pages in ascending key-byte order; the continuation is the hex of the last key examined. */
  private iterate(
    where: string,
    op: Operation,
    t: number,
    ttl: Ttl | undefined,
    expired: (i: Item) => boolean,
  ): Result {
    const pageSize = new DataView(op.values![0]!.buffer, op.values![0]!.byteOffset).getUint32(0, false);
    const after = decoder.decode(op.continuation ?? new Uint8Array());
    const m = this.maps.get(where) ?? new Map<string, MapItem>();
    const keys = [...m.keys()].filter((k) => after === '' || k > after).sort();
    const mapKeys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    let last = '';
    for (const k of keys) {
      if (mapKeys.length === pageSize) break;
      last = k;
      const item = m.get(k)!;
      if (expired(item)) {
        m.delete(k);
        if (!ttl!.returnExpired) continue;
      } else if (ttl?.refreshOnRead) {
        item.ts = t;
      }
      mapKeys.push(item.key);
      values.push(item.bytes);
    }
    const more = keys.some((k) => k > last) && last !== '';
    return { mapKeys, values, continuation: more ? encoder.encode(last) : new Uint8Array() };
  }

  private timer(where: string, mapKey: Uint8Array, register: boolean): Result {
    const ts = new DataView(mapKey.buffer, mapKey.byteOffset).getFloat64(0, false);
    const set = this.timers.get(where) ?? new Set<number>();
    if (register) set.add(ts);
    else set.delete(ts);
    this.timers.set(where, set);
    return {};
  }

  private mapAt(where: string): Map<string, MapItem> {
    let m = this.maps.get(where);
    if (m === undefined) this.maps.set(where, (m = new Map()));
    return m;
  }
}

function slot(stateName: string, key: unknown): string {
  return `${stateName}|${hex(jsonCodec.encode(key))}`;
}

/**
 * The JSON codec with the generic encoding's plain copy (shared/codec/generic-copy.ts), as the
 * workers' codec has it: for values JSON round-trips exactly (strings, finite numbers but -0,
 * booleans, null, arrays and plain objects of them), that copy is the JSON round trip too.
 */
export const jsonCodecWithCopy: StateValueCodec = { ...jsonCodec, copy: genericCopy };

/** A worker state over a fake host, with a settable current key and clock. */
export function workerOver(host: FakeStateHost, options: Partial<WorkerStateOptions> = {}, codec: StateValueCodec = jsonCodec) {
  let now = 1_000;
  const scope = new ElementScope();
  scope.setKey(jsonCodec.encode('k'));
  const keyed = new WorkerKeyedState(host, { ...DEFAULT_OPTIONS, clock: () => now, ...options }, codec);
  const op = keyed.forOperator('op', scope);
  return {
    keyed,
    op,
    setKey(k: unknown): void {
      scope.setKey(jsonCodec.encode(k));
    },
    setTime(t: number): void {
      now = t;
    },
    advance(ms: number): void {
      now += ms;
    },
  };
}

/** A small seeded pseudo-random generator (mulberry32): next(n) is an integer in [0, n). */
export function seededRandom(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
