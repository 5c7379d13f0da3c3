/**
 * The host's keyed state backend: the source of truth for keyed state and timers. Workers'
 * StateRequests are applied here (apply), checkpoints snapshot it and restore it.
 *
 * Every operation names its state (already qualified by the worker with its operator, e.g.
 * "3/sum"; opaque here), its key (the generic encoding of the user key) and its namespace
 * (empty: the default). There is no "current key". State values are opaque bytes.
 *
 * Operations and their results (a result always has found, values, mapKeys, continuation):
 *
 *   VALUE, REDUCING, AGGREGATING
 *     GET                  found, values = [value]; or not found, no values
 *     PUT                  value := values[0] (exactly one value)
 *     PUT_BATCH            a PUT per row of `batch` (put-batches.ts); one empty result
 *     CLEAR                remove
 *   LIST
 *     GET                  values = every element in order; found iff there is one
 *     APPEND               add values at the end
 *     PUT                  replace with values (none: clear)
 *     CLEAR                remove
 *   MAP
 *     MAP_GET              found, values = [value under map_key]; or not found
 *     PUT                  map_key := values[0] (exactly one value)
 *     REMOVE               remove map_key; found iff an entry was stored there
 *     MAP_IS_EMPTY         found iff the map HAS entries (found = not empty; see map-state-ops.ts)
 *     MAP_ITERATE          a page of entries: mapKeys and values side by side, found iff the page
 *                          is not empty, continuation = token of the next page or empty at the
 *                          end. Empty continuation starts an iteration. Page size: values[0] as a
 *                          4-byte big-endian uint32 > 0, or 1000 without values. See
 *                          map-iterations.ts for what a page sees of concurrent changes.
 *     MAP_ITERATE_RELEASE  free the iteration of `continuation`; found iff it was still open
 *     CLEAR                remove the whole map
 *   TIMER (see timers.ts)
 *     PUT                  register the timer at map_key's timestamp (values ignored)
 *     REMOVE               delete it; found iff it existed
 *   any kind
 *     DECLARE              set the state's TTL (ttl; none if absent or 0) for the operations
 *                          after it; needs no key. Timers take no TTL.
 *
 * A state name has one kind for the backend's life (first use or DECLARE fixes it); timers
 * are kept apart, so a user state may share a timer state's name.
 *
 * Time for TTL is the operation's `time` when > 0 (the worker's clock), else the backend's
 * clock. State TTL semantics: state-ttl.ts.
 */
import { CheckpointError } from '../../shared/errors/errors.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { checkMaxParallelism, formatRange, type KeyGroupRange } from './key-groups.ts';
import { appendList, clearList, getList, putList } from './list-state-ops.ts';
import { MapIterations } from './map-iterations.ts';
import {
  clearMap,
  getMapEntry,
  mapHasEntries,
  mapIterationPage,
  putMapEntry,
  removeMapEntry,
  startMapIteration,
} from './map-state-ops.ts';
import { PutBatchReader } from './put-batches.ts';
import { planRequest, type PlannedOperation, type StateOperation, type StateRequestContext } from './request-plan.ts';
import { readSnapshots } from './snapshot-reader.ts';
import { writeSnapshot } from './snapshot-writer.ts';
import { emptyResult, foundResult, type StateResult } from './state-results.ts';
import { StateStore, type StateInfo } from './state-store.ts';
import { deleteTimer, earliestTimer, popDueTimers, registerTimer, type FiredTimer } from './timers.ts';
import { clearValue, getValue, putValue, putValues } from './value-state-ops.ts';

export type { KeyGroupRange } from './key-groups.ts';
export type { StateRequestContext } from './request-plan.ts';
export type { FiredTimer, TimeDomain } from './timers.ts';

const Kind = sluice.fn.v1.StateKind;
const Op = sluice.fn.v1.StateOp;

export interface KeyedStateBackendOptions {
  maxParallelism: number;
  /** ms since the epoch; defaults to Date.now. Used for TTL when an operation carries no time, and for snapshots. */
  clock?: () => number;
}

export interface StateBackendStats {
  /** Stored values: value-state values, list elements, map entries, timers. */
  entries: number;
  /** Their payload bytes (keys, namespaces, map keys, values, 8 per timer), not JS overhead. */
  bytes: number;
  openIterations: number;
}

export class KeyedStateBackend {
  readonly maxParallelism: number;
  private readonly clock: () => number;
  private store: StateStore;
  private readonly iterations = new MapIterations();
  private readonly putBatches = new PutBatchReader();
  /** Operations applied since the backend was made, each PUT of a PUT_BATCH counted. */
  operationsApplied = 0;

  constructor(options: KeyedStateBackendOptions) {
    checkMaxParallelism(options.maxParallelism);
    this.maxParallelism = options.maxParallelism;
    this.clock = options.clock ?? Date.now;
    this.store = new StateStore(this.maxParallelism);
  }

  /**
   * Applies one request's operations in order and returns one result per operation. Throws
   * StateAccessError, having applied none of them, if any operation is refused: a key outside
   * `ctx.owned`, an operation its state's kind does not have, a malformed argument, or a
   * continuation token that is not open.
   */
  apply(operations: readonly StateOperation[], ctx: StateRequestContext): StateResult[] {
    const plan = planRequest(operations, ctx, {
      maxParallelism: this.maxParallelism,
      states: this.store.states,
      iterations: this.iterations,
      putBatches: this.putBatches,
    });
    // A request is applied at one instant: its operations without a time of their own share one reading of the clock.
    this.requestTime = null;
    const results = new Array<StateResult>(plan.length);
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i]!;
      this.operationsApplied += p.puts === null ? 1 : p.puts.length;
      results[i] = this.execute(p, ctx.instructionId);
    }
    return results;
  }

  /** The host's time for the request being applied, read once. */
  private requestTime: number | null = null;

  private hostNow(): number {
    return (this.requestTime ??= this.clock());
  }

  /** Frees the map iterations opened during that bundle; their tokens are refused from now on. */
  endBundle(instructionId: string): void {
    this.iterations.endBundle(instructionId);
  }

  /** All state and timers of `range` (default: every key group); see snapshot-format.ts. */
  snapshot(range?: KeyGroupRange): Uint8Array {
    return writeSnapshot(this.store, this.checkRange(range), this.clock());
  }

  /**
   * Replaces everything (state, state declarations, timers; open iterations are freed) with the
   * union of the snapshots, keeping only key groups in `range` (default: all). Throws
   * CheckpointError and changes nothing if a snapshot is refused.
   */
  restore(snapshots: readonly Uint8Array[], range?: KeyGroupRange): void {
    const store = new StateStore(this.maxParallelism);
    readSnapshots(store, snapshots, this.checkRange(range));
    this.store = store;
    this.iterations.clear();
    // A kept plan would hold the old store's tables until replaced.
    this.putBatches.clear();
  }

  /** Removes and returns `operator`'s event-time timers in `range` with timestamp <= watermark, by (timestamp, registration). */
  popEventTimers(range: KeyGroupRange, watermark: number, operator: string): FiredTimer[] {
    return popDueTimers(this.store, operator, 'event', range, watermark);
  }

  /** Removes and returns `operator`'s processing-time timers in `range` with timestamp <= now, by (timestamp, registration). */
  popProcessingTimers(range: KeyGroupRange, now: number, operator: string): FiredTimer[] {
    return popDueTimers(this.store, operator, 'processing', range, now);
  }

  /** The earliest processing-time timer of `operator` in `range`, or null. */
  nextProcessingTimer(range: KeyGroupRange, operator: string): number | null {
    return earliestTimer(this.store, operator, 'processing', range);
  }

  /** The earliest event-time timer of `operator` in `range`, or null. */
  nextEventTimer(range: KeyGroupRange, operator: string): number | null {
    return earliestTimer(this.store, operator, 'event', range);
  }

  stats(): StateBackendStats {
    return { entries: this.store.entries, bytes: this.store.bytes, openIterations: this.iterations.size };
  }

  private checkRange(range: KeyGroupRange | undefined): KeyGroupRange {
    if (range === undefined) return { start: 0, end: this.maxParallelism - 1 };
    const { start, end } = range;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end || end >= this.maxParallelism) {
      throw new CheckpointError(
        `key-group range ${formatRange(range)} is not within [0, ${this.maxParallelism - 1}] (the max parallelism)`,
      );
    }
    return { start, end };
  }

  private stateInfo(p: PlannedOperation): StateInfo {
    const name = p.target.stateName;
    let info = this.store.states.get(name);
    if (info === undefined) {
      info = { kind: p.kind, ttl: null };
      this.store.states.set(name, info);
    }
    return info;
  }

  private execute(p: PlannedOperation, instructionId: string): StateResult {
    const store = this.store;
    const t = p.target;
    if (p.op === Op.DECLARE) {
      if (p.kind !== Kind.TIMER) this.store.states.set(t.stateName, { kind: p.kind, ttl: p.ttl });
      return emptyResult();
    }
    if (p.kind === Kind.TIMER) {
      if (p.op === Op.PUT) {
        registerTimer(store, t, p.timestamp);
        return emptyResult();
      }
      return foundResult(deleteTimer(store, t, p.timestamp));
    }
    t.ttl = this.stateInfo(p).ttl;
    if (p.puts !== null) {
      putValues(store, t.stateName, p.puts, this.hostNow());
      return emptyResult();
    }
    const time = p.operation.time;
    const now = time != null && time > 0 ? time : this.hostNow();
    const values = p.operation.values ?? [];
    switch (p.kind) {
      case Kind.LIST:
        if (p.op === Op.GET) return getList(store, t, now);
        if (p.op === Op.APPEND) return appendList(store, t, values, now);
        if (p.op === Op.PUT) return putList(store, t, values, now);
        return clearList(store, t);
      case Kind.MAP:
        switch (p.op) {
          case Op.MAP_GET:
            return getMapEntry(store, t, p.mapKey, now);
          case Op.PUT:
            return putMapEntry(store, t, p.mapKey, values[0]!, now);
          case Op.REMOVE:
            return removeMapEntry(store, t, p.mapKey);
          case Op.MAP_IS_EMPTY:
            return mapHasEntries(store, t, now);
          case Op.MAP_ITERATE:
            return p.iteration === undefined
              ? startMapIteration(store, this.iterations, instructionId, t, p.pageSize, now)
              : mapIterationPage(store, this.iterations, p.iteration, t, p.token!.position, p.pageSize, now);
          case Op.MAP_ITERATE_RELEASE:
            return foundResult(p.iteration !== undefined && this.iterations.release(p.iteration.id));
          default:
            return clearMap(store, t);
        }
      default:
        if (p.op === Op.GET) return getValue(store, t, now);
        if (p.op === Op.PUT) return putValue(store, t, values[0]!, now);
        return clearValue(store, t);
    }
  }
}
