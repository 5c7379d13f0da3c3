import { sluice } from '../../shared/generated/protocol.js';
import type { KeyedStateStore } from '../../shared/api/contexts.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../../shared/api/state.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../../shared/api/state-descriptors.ts';
import type { RowKeys } from '../../shared/codec/batch-layout.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import { bytesKey, float64BigEndian, NO_BYTES } from './bytes.ts';
import { SingleValueHandle } from './single-value-handle.ts';
import { WorkerAggregatingState, WorkerReducingState } from './combining-state.ts';
import { WorkerListState } from './list-state.ts';
import { WorkerMapState } from './map-state.ts';
import type { CurrentKey } from './current-key.ts';
import type { StateContext } from './state-context.ts';
import type { HandleSpec, StateHandle } from './state-handle.ts';
import { TtlPolicy } from './ttl-policy.ts';
import { WorkerValueState } from './value-state.ts';

const { StateKind, StateOp } = sluice.fn.v1;

/** The keyed state of one operator, as its user functions reach it (the store), and its timers and prefetch. */
export interface OperatorStateAccess extends KeyedStateStore {
  /** Timers are host-owned keyed state too: register/delete go through the same write-back path. */
  registerTimer(domain: 'event' | 'processing', timestamp: number): void;
  deleteTimer(domain: 'event' | 'processing', timestamp: number): void;
  /**
   * Reads the value-like states (value, reducing, aggregating) the operator has used, for
   * these keys, into the cache, in one request (only states whose host reads have no effect a
   * function could observe: see prefetchable()): `count` is how many keys it covered from `from`
   * (at most what the cache can hold, so that what it reads is not evicted before it is used),
   * `ready` settles once the answers are in the cache (null: nothing needed reading). Rows run
   * after it read their state without blocking.
   */
  prefetch(keys: RowKeys, from: number): Prefetch;
}

export interface Prefetch {
  count: number;
  ready: Promise<unknown> | null;
}

/**
 * State names on the wire are qualified by the operator: `${operatorPrefix}/${descriptor.name}`;
 * timers are the states `${operatorPrefix}/event-time` and `${operatorPrefix}/processing-time`
 * (kind TIMER, map_key the timestamp as big-endian float64; PUT registers, REMOVE deletes).
 * Asking twice for one descriptor name gives the same handle.
 */
export class WorkerOperatorState implements OperatorStateAccess {
  private readonly handles = new Map<string, StateHandle>();
  /** The value-like handles among `handles` that prefetch() reads. */
  private prefetched: SingleValueHandle[] = [];

  constructor(
    private readonly ctx: StateContext,
    private readonly operatorPrefix: string,
    private readonly currentKey: CurrentKey,
  ) {}

  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.handle(d, StateKind.VALUE, (spec) => new WorkerValueState<T>(spec));
  }

  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.handle(d, StateKind.LIST, (spec) => new WorkerListState<T>(spec));
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.handle(d, StateKind.MAP, (spec) => new WorkerMapState<K, V>(spec));
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.handle(d, StateKind.REDUCING, (spec) => new WorkerReducingState<T>(spec, d.reduceFunction));
  }

  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.handle(
      d,
      StateKind.AGGREGATING,
      (spec) => new WorkerAggregatingState<IN, ACC, OUT>(spec, d.aggregateFunction),
    );
  }

  prefetch(keys: RowKeys, from: number): Prefetch {
    // A namespaced handle (the window operator's) would be read in whichever namespace it was
    // last used in, of no use to the next rows: it is not prefetched.
    if (this.prefetched.some((h) => h.namespaced)) this.prefetched = this.prefetched.filter((h) => !h.namespaced);
    const values = this.prefetched;
    const budget = Math.floor(this.ctx.cache.capacity / (2 * Math.max(1, values.length)));
    if (values.length === 0 || budget === 0) return { count: keys.length - from, ready: null };
    // Once the keys are all cached, prefetching only costs: after two prefetches in a row that
    // found nothing to read, it waits for a miss (a key the cache did not hold) to resume.
    const missesBefore = this.ctx.cache.misses;
    if (this.quietPrefetches >= 2 && missesBefore === this.missesAfterPrefetch) return { count: keys.length - from, ready: null };
    const seen = new Set<string>();
    const reads: Promise<unknown>[] = [];
    let i = from;
    this.ctx.wire.gatherReads(() => {
      for (; i < keys.length; i++) {
        const key = keys.at(i);
        if (key === undefined) continue;
        const id = bytesKey(key);
        if (!seen.has(id)) {
          if (seen.size === budget) break;
          seen.add(id);
          for (const h of values) {
            const read = h.warm(key);
            if (read !== null) reads.push(read);
          }
        }
      }
    });
    this.quietPrefetches = this.ctx.cache.misses === missesBefore ? this.quietPrefetches + 1 : 0;
    this.missesAfterPrefetch = this.ctx.cache.misses;
    return { count: i - from, ready: reads.length === 0 ? null : Promise.all(reads) };
  }

  private quietPrefetches = 0;
  private missesAfterPrefetch = -1;

  registerTimer(domain: 'event' | 'processing', timestamp: number): void {
    this.timer(domain, timestamp, StateOp.PUT);
  }

  deleteTimer(domain: 'event' | 'processing', timestamp: number): void {
    this.timer(domain, timestamp, StateOp.REMOVE);
  }

  private timer(domain: 'event' | 'processing', timestamp: number, op: sluice.fn.v1.StateOp): void {
    if (typeof timestamp !== 'number' || Number.isNaN(timestamp)) {
      throw new TypeError(`a timer's timestamp must be a number of milliseconds, got ${String(timestamp)}`);
    }
    const stateName = `${this.operatorPrefix}/${domain}-time`;
    this.ctx.declare(stateName, StateKind.TIMER, TtlPolicy.NONE);
    // A copy: the op may wait in the batch, the caller's bytes may be a view into an input batch.
    const key = this.currentKey.keyBytes().slice();
    this.ctx.wire.push(
      {
        key: { stateName, kind: StateKind.TIMER, key },
        op,
        mapKey: float64BigEndian(timestamp),
        values: op === StateOp.PUT ? [NO_BYTES] : [],
        time: this.ctx.clock(),
      },
      48 + key.length,
    );
  }

  private handle<H extends StateHandle>(
    descriptor: StateDescriptor,
    kind: sluice.fn.v1.StateKind,
    create: (spec: HandleSpec) => H,
  ): H {
    const existing = this.handles.get(descriptor.name);
    if (existing !== undefined) {
      if (existing.kind === kind) return existing as H;
      throw new JobDefinitionError(
        `state '${descriptor.name}' of operator '${this.operatorPrefix}' is already ` +
          `a ${describeKind(existing.kind)} state; it cannot also be a ${describeKind(kind)} state`,
      );
    }
    const ttl = TtlPolicy.of(descriptor.ttlConfig);
    const handle = create({
      ctx: this.ctx,
      stateName: `${this.operatorPrefix}/${descriptor.name}`,
      kind,
      ttl,
      currentKey: this.currentKey,
    });
    this.handles.set(descriptor.name, handle);
    if (handle instanceof SingleValueHandle && prefetchable(ttl)) this.prefetched.push(handle);
    return handle;
  }
}

/**
 * Whether a state may be read ahead of its use (prefetch): a prefetch reads every key of a batch,
 * whether or not its row reads the state, and earlier than the row would, so it must not change
 * what a function can observe. Under TTL a host read does (ttl-policy.ts): with OnReadAndWrite
 * it refreshes the value, which then outlives a value the function last touched before; with
 * ReturnExpiredIfNotCleanedUp it removes an expired value a later read would still have
 * returned (and a present value it reads is not cached, so the read would be of no use).
 */
function prefetchable(ttl: TtlPolicy): boolean {
  return !ttl.enabled || (!ttl.refreshOnRead && !ttl.returnExpired);
}

function describeKind(kind: sluice.fn.v1.StateKind): string {
  return (StateKind[kind] ?? 'unknown').toLowerCase();
}
