import { sluice } from '../../shared/generated/protocol.js';
import type { MapState } from '../../shared/api/state.ts';
import { bytesKey } from './bytes.ts';
import { MapEntry, type MapItem } from './map-entry.ts';
import { MapIteration, type MapWalkHost } from './map-iteration.ts';
import type { HandleSpec } from './state-handle.ts';
import type { StateId } from './state-id.ts';
import { StateHandle } from './state-handle.ts';

const { StateOp } = sluice.fn.v1;
const MISS: unique symbol = Symbol('map miss');

/**
 * MapState through the cache, read lazily: get(k) asks the host for one entry (MAP_GET), never
 * the whole map; iteration pages (map-iteration.ts). Writes collect per map and are flushed when
 * udf.map-state.write-cache-size of them are pending.
 */
export class WorkerMapState<K, V> extends StateHandle implements MapState<K, V> {
  private readonly readCacheSize: number;
  private readonly writeCacheSize: number;
  private readonly walkHost: MapWalkHost;

  constructor(spec: HandleSpec) {
    super(spec);
    this.readCacheSize = spec.ctx.options.mapReadCacheSize;
    this.writeCacheSize = Math.max(1, spec.ctx.options.mapWriteCacheSize);
    this.walkHost = {
      ctx: spec.ctx,
      ttl: spec.ttl,
      pageSize: spec.ctx.options.iterateBatchSize,
      readCacheSize: this.readCacheSize,
      refreshRead: (id, stateKey, mapKey, item, now) => this.refreshRead(id, stateKey, mapKey, item, now),
      installComplete: (id, stateKey, items) => this.installComplete(id, stateKey, items),
    };
  }

  get(key: K): V | null {
    const value = this.read(key);
    return value === null ? null : (this.ctx.codec.decode(value) as V);
  }

  contains(key: K): boolean {
    return this.read(key) !== null;
  }

  put(key: K, value: V): void {
    this.write(this.begin(), key, this.ctx.codec.encode(value));
  }

  putAll(entries: Iterable<readonly [K, V]> | Map<K, V>): void {
    const id = this.begin();
    for (const [k, v] of entries) this.write(id, k, this.ctx.codec.encode(v));
  }

  remove(key: K): void {
    this.write(this.begin(), key, null);
  }

  clear(): void {
    const id = this.begin();
    const entry = this.entryFor(id);
    entry.clear(this.now());
    for (const log of this.ctx.iterationsOf(id) ?? []) log.clear();
    this.ctx.cache.commit(entry);
  }

  isEmpty(): boolean {
    const id = this.begin();
    const now = this.now();
    const cache = this.ctx.cache;
    const entry = cache.get<MapEntry>(id);
    if (entry !== undefined) {
      const local = this.localIsEmpty(entry, now);
      if (local !== MISS) {
        cache.hits++;
        return local;
      }
    }
    cache.misses++;
    const target = entry ?? this.newEntry(id, this.stateKey(id));
    cache.writeBack(target);
    cache.commit(target);
    const r = this.ctx.wire.readNow({ key: target.stateKey, op: StateOp.MAP_IS_EMPTY, time: now });
    const empty = !r.found;
    if (empty && target.cached) {
      target.installComplete([]);
      cache.commit(target);
    }
    return empty;
  }

  keys(): Iterable<K> {
    return this.walk((k) => this.ctx.codec.decode(k) as K);
  }

  values(): Iterable<V> {
    return this.walk((_k, v) => this.ctx.codec.decode(v) as V);
  }

  entries(): Iterable<[K, V]> {
    return this.walk((k, v) => [this.ctx.codec.decode(k) as K, this.ctx.codec.decode(v) as V]);
  }

  private refreshRead(id: StateId, stateKey: sluice.fn.v1.IStateKey, mapKey: string, item: MapItem, now: number): void {
    const entry = this.ctx.cache.peek<MapEntry>(id);
    const held = entry?.pending.get(mapKey) ?? entry?.clean.get(mapKey);
    if (entry !== undefined && held !== undefined) {
      // The walk's item, or one a read cached after the walk's entry was evicted: the cache
      // answers from that one, so it must carry the refresh (else it expires before the host's).
      // Nothing was written to it since the walk began (the walk would not refresh it), so its
      // value is the walk's. One known absent since is absent on the host: nothing to refresh.
      if (held.value !== null) {
        entry.refresh(mapKey, held, now);
        this.committed(entry);
      }
      return;
    }
    // Not cached any more: the rewrite goes straight to the wire.
    item.stamp = now;
    const value = item.value!;
    this.ctx.wire.push(
      { key: stateKey, op: StateOp.PUT, mapKey: item.key, values: [value], time: now },
      32 + item.key.length + value.length,
    );
  }

  private installComplete(id: StateId, stateKey: sluice.fn.v1.IStateKey, items: Array<[string, MapItem]>): void {
    const entry = this.ctx.cache.peek<MapEntry>(id) ?? this.newEntry(id, stateKey);
    entry.installComplete(items);
    this.ctx.cache.commit(entry);
  }

  /** The value under `key` (null: absent), from the cache or from the host (blocking). */
  private read(key: K): Uint8Array | null {
    const id = this.begin();
    const now = this.now();
    const mapKeyBytes = this.ctx.codec.encode(key);
    const mapKey = bytesKey(mapKeyBytes);
    const cache = this.ctx.cache;
    const entry = cache.get<MapEntry>(id);
    if (entry !== undefined) {
      const local = this.localGet(entry, mapKey, now);
      if (local !== MISS) {
        cache.hits++;
        return local;
      }
    }
    cache.misses++;
    const target = entry ?? this.newEntry(id, this.stateKey(id));
    cache.writeBack(target);
    cache.commit(target);
    const r = this.ctx.wire.readNow({ key: target.stateKey, op: StateOp.MAP_GET, mapKey: mapKeyBytes, time: now });
    const value = r.found ? (r.values?.[0] ?? null) : null;
    // An absent entry is certain under every policy; a present one only if cacheable.
    if ((value === null || this.ttl.cachesLoaded) && target.cached) {
      target.install(mapKey, { key: mapKeyBytes, value, stamp: now, exact: this.ttl.loadedExact });
      cache.commit(target);
    }
    return value;
  }

  /** The cached value of one map key at `now`, or MISS; a hit may refresh it (TTL). */
  private localGet(entry: MapEntry, mapKey: string, now: number): Uint8Array | null | typeof MISS {
    const item = entry.lookup(mapKey);
    if (item === undefined) return entry.complete ? null : MISS;
    if (item.value === null) return null;
    const freshness = this.ttl.check(item.stamp, item.exact, now);
    if (freshness === 'unknown') return MISS;
    if (freshness === 'absent') {
      entry.expire(mapKey);
      this.ctx.cache.commit(entry);
      return null;
    }
    if (this.ttl.refreshes() && item.stamp !== now) {
      entry.refresh(mapKey, item, now);
      this.committed(entry);
    }
    return item.value;
  }

  private localIsEmpty(entry: MapEntry, now: number): boolean | typeof MISS {
    let unknown = false;
    for (const items of [entry.pending, entry.clean]) {
      for (const item of items.values()) {
        if (item.value === null) continue;
        const freshness = this.ttl.check(item.stamp, item.exact, now);
        if (freshness === 'live') return false;
        if (freshness === 'unknown') unknown = true;
      }
    }
    return entry.complete && !unknown ? true : MISS;
  }

  private write(id: StateId, key: K, value: Uint8Array | null): void {
    const now = this.now();
    const mapKeyBytes = this.ctx.codec.encode(key);
    const mapKey = bytesKey(mapKeyBytes);
    const entry = this.entryFor(id);
    entry.put(mapKey, { key: mapKeyBytes, value, stamp: now, exact: true });
    for (const log of this.ctx.iterationsOf(id) ?? []) log.put(mapKey, value, now);
    this.committed(entry);
  }

  /** Commits a changed entry; flushes its writes once udf.map-state.write-cache-size are pending. */
  private committed(entry: MapEntry): void {
    const cache = this.ctx.cache;
    cache.commit(entry);
    if (entry.pending.size >= this.writeCacheSize && entry.cached) {
      cache.writeBack(entry);
      this.ctx.wire.flush();
    }
  }

  private entryFor(id: StateId): MapEntry {
    return this.ctx.cache.get<MapEntry>(id) ?? this.newEntry(id, this.stateKey(id));
  }

  private newEntry(id: StateId, stateKey: sluice.fn.v1.IStateKey): MapEntry {
    return new MapEntry(id, stateKey, this.ttl, this.readCacheSize);
  }

  private walk<T>(project: (key: Uint8Array, value: Uint8Array) => T): Iterable<T> {
    // The walk outlives the element: its id must own the key bytes.
    const id = this.begin().owned();
    const key = this.stateKey(id);
    return { [Symbol.iterator]: () => new MapIteration(this.walkHost, id, key, project) };
  }
}
