import { sluice } from '../../shared/generated/protocol.js';
import { StateAccessError } from '../../shared/errors/errors.ts';
import { bytesKey, NO_BYTES, uint32BigEndian } from './bytes.ts';
import type { MapEntry, MapItem } from './map-entry.ts';
import { MapWriteLog } from './map-write-log.ts';
import type { StateContext } from './state-context.ts';
import type { StateId } from './state-id.ts';
import type { TtlPolicy } from './ttl-policy.ts';

const { StateOp } = sluice.fn.v1;

function done(): IteratorReturnResult<undefined> {
  return { done: true, value: undefined };
}

/** What an iteration needs from the map state it walks. */
export interface MapWalkHost {
  readonly ctx: StateContext;
  readonly ttl: TtlPolicy;
  readonly pageSize: number;
  readonly readCacheSize: number;
  /** A read at `now` refreshed this entry (OnReadAndWrite) without the host seeing it. */
  refreshRead(id: StateId, stateKey: sluice.fn.v1.IStateKey, mapKey: string, item: MapItem, now: number): void;
  /** The whole map was read: `items` are all its entries. */
  installComplete(id: StateId, stateKey: sluice.fn.v1.IStateKey, items: Array<[string, MapItem]>): void;
}

/** [bytesKey, key bytes, value bytes] */
type Row = [string, Uint8Array, Uint8Array];

/**
 * One walk over a map (one state, one key), started by the first next().
 *
 *   local   the cache holds the whole map: the walk is answered here, in the host's order
 *           (ascending map-key bytes) and in pages of the host's size, each page judged for
 *           TTL (and refreshed) at the time it is reached, as the host would;
 *   remote  otherwise: pages of udf.map-state.iterate-response-batch-size entries come from
 *           the host (MAP_ITERATE, continuation tokens); pending writes of the map go first.
 *           A walk the user stops early releases the host's iteration (MAP_ITERATE_RELEASE).
 *
 * Writes made to the map during the walk are laid over what it reads (MapWriteLog): an entry
 * removed before it is reached is not yielded, one updated is yielded with its new value.
 * Whether an entry added during the walk is yielded is unspecified. A remote walk that reached
 * the end with nothing written meanwhile, and small enough for the read cache, leaves the whole
 * map cached (served locally afterwards).
 */
export class MapIteration<T> implements IterableIterator<T> {
  private mode: 'start' | 'local' | 'remote' | 'done' = 'start';
  private readonly log = new MapWriteLog();
  private rows: Row[] = [];
  private rowIndex = 0;
  private snapshot: Array<[string, MapItem]> = [];
  private snapshotIndex = 0;
  private continuation: Uint8Array = NO_BYTES;
  private atEnd = false;
  /** Every entry read so far, while the walk may still leave the whole map cached. */
  private collected: Array<[string, MapItem]> | null = [];
  private generation = 0;

  constructor(
    private readonly host: MapWalkHost,
    private readonly id: StateId,
    private readonly stateKey: sluice.fn.v1.IStateKey,
    private readonly project: (key: Uint8Array, value: Uint8Array) => T,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<T> {
    try {
      for (;;) {
        if (this.mode === 'done') return done();
        if (this.mode === 'start') this.start();
        const row = this.nextRow();
        if (row !== undefined) return { done: false, value: this.project(row[1], row[2]) };
        if (this.mode === 'local') {
          if (!this.fillLocalPage()) this.finish();
          continue;
        }
        if (this.atEnd) {
          this.installIfWhole();
          this.finish();
          continue;
        }
        this.fetchPage();
      }
    } catch (thrown) {
      this.finish();
      throw thrown;
    }
  }

  /** The user stopped early (break, return, throw in the loop body). */
  return(): IteratorResult<T> {
    if (this.mode === 'remote' && !this.atEnd && this.continuation.length > 0) {
      this.host.ctx.wire.push(
        {
          key: this.stateKey,
          op: StateOp.MAP_ITERATE_RELEASE,
          continuation: this.continuation,
          time: this.host.ctx.clock(),
        },
        32 + this.continuation.length,
      );
    }
    this.finish();
    return done();
  }

  private start(): void {
    const ctx = this.host.ctx;
    this.generation = ctx.generation;
    let logs = ctx.mapIterations.get(this.id.text);
    if (logs === undefined) ctx.mapIterations.set(this.id.text, (logs = new Set()));
    logs.add(this.log);
    const entry = ctx.cache.get<MapEntry>(this.id);
    if (entry !== undefined && entry.walkable()) {
      ctx.cache.hits++;
      this.mode = 'local';
      this.snapshot = entry.sortedItems();
    } else {
      this.mode = 'remote';
    }
  }

  private finish(): void {
    if (this.mode === 'done') return;
    this.mode = 'done';
    this.rows = [];
    this.snapshot = [];
    const logs = this.host.ctx.mapIterations.get(this.id.text);
    logs?.delete(this.log);
    if (logs?.size === 0) this.host.ctx.mapIterations.delete(this.id.text);
  }

  /** The next row of the current page, with the writes made since laid over it. */
  private nextRow(): Row | undefined {
    while (this.rowIndex < this.rows.length) {
      const row = this.rows[this.rowIndex++]!;
      const written = this.log.writes.get(row[0]);
      if (written !== undefined) {
        if (written.value === null) continue;
        return [row[0], row[1], written.value];
      }
      if (this.log.cleared) continue;
      return row;
    }
    return undefined;
  }

  /** Builds the next local page as the host would answer MAP_ITERATE now. */
  private fillLocalPage(): boolean {
    const { ctx, ttl, pageSize } = this.host;
    const now = ctx.clock();
    this.rows = [];
    this.rowIndex = 0;
    while (this.rows.length < pageSize && this.snapshotIndex < this.snapshot.length) {
      const [mapKey, item] = this.snapshot[this.snapshotIndex++]!;
      if (this.log.writes.has(mapKey) || this.log.cleared) {
        const written = this.log.writes.get(mapKey);
        if (written === undefined || written.value === null) continue;
        this.rows.push([mapKey, item.key, written.value]);
        continue;
      }
      if (item.value === null || ttl.check(item.stamp, item.exact, now) !== 'live') continue;
      if (ttl.refreshes()) this.host.refreshRead(this.id, this.stateKey, mapKey, item, now);
      this.rows.push([mapKey, item.key, item.value]);
    }
    return this.rows.length > 0;
  }

  /** Reads the next page from the host (blocking). */
  private fetchPage(): void {
    const { ctx, ttl, pageSize, readCacheSize } = this.host;
    const cache = ctx.cache;
    const now = ctx.clock();
    const cached = cache.peek<MapEntry>(this.id);
    if (cached !== undefined) cache.writeBack(cached);
    cache.misses++;
    const r = ctx.wire.readNow({
      key: this.stateKey,
      op: StateOp.MAP_ITERATE,
      continuation: this.continuation,
      values: [uint32BigEndian(pageSize)],
      time: now,
    });
    const keys = r.mapKeys ?? [];
    const values = r.values ?? [];
    if (keys.length !== values.length) {
      throw new StateAccessError(
        `map state '${this.stateKey.stateName}': the host sent ${keys.length} keys ` +
          `and ${values.length} values in one page`,
      );
    }
    this.continuation = r.continuation ?? NO_BYTES;
    this.atEnd = this.continuation.length === 0;
    this.rows = keys.map((k, i) => [bytesKey(k), k, values[i]!]);
    this.rowIndex = 0;
    const entry = cache.peek<MapEntry>(this.id);
    if (ttl.enabled && entry !== undefined) {
      // The page removed the expired entries it met and refreshed the others (OnReadAndWrite):
      // cached copies of them must change as the host's did.
      for (const [mapKey] of this.rows) {
        const item = entry.clean.get(mapKey);
        if (item === undefined || item.value === null) continue;
        if (ttl.expired(item.stamp, item.exact, now)) {
          entry.expire(mapKey);
        } else if (ttl.refreshes()) {
          item.stamp = now;
          item.exact = true;
        }
      }
      cache.commit(entry);
    }
    if (this.collected !== null) {
      if (this.collected.length + this.rows.length > readCacheSize) {
        this.collected = null;
      } else {
        for (const [mapKey, key, value] of this.rows) {
          this.collected.push([mapKey, { key, value, stamp: now, exact: ttl.loadedExact }]);
        }
      }
    }
  }

  private installIfWhole(): void {
    const collected = this.collected;
    if (collected === null || !this.log.empty || this.host.ctx.generation !== this.generation) return;
    if (collected.length > 0 && !this.host.ttl.cachesLoaded) return;
    this.host.installComplete(this.id, this.stateKey, collected);
  }
}
