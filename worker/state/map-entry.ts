import { sluice } from '../../shared/generated/protocol.js';
import { compareBytes } from './bytes.ts';
import { CacheEntry, ENTRY_OVERHEAD_BYTES } from './state-cache.ts';
import type { StateId } from './state-id.ts';
import type { StateWire } from './state-wire.ts';
import type { TtlPolicy } from './ttl-policy.ts';

const { StateOp } = sluice.fn.v1;
const ITEM_OVERHEAD_BYTES = 64;

/** One map entry as the cache knows it. value null: known absent (or, pending, a REMOVE). */
export interface MapItem {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
  /** See ttl-policy.ts: last access (exact) or a time it was seen unexpired. */
  stamp: number;
  exact: boolean;
}

/**
 * The cached part of a map state under one key. Maps are read lazily, entry by entry, so the
 * entry holds only what was read (`clean`, at most udf.map-state.read-cache-size items, least
 * recently used first) and what was written and not yet sent (`pending`, flushed when it
 * reaches udf.map-state.write-cache-size). Map keys are held as bytesKey strings.
 *
 * Invariants: a key is never in both `clean` and `pending`. When `clearPending`, a CLEAR goes
 * to the host before the pending writes. When `complete`, clean ∪ pending holds every entry of
 * the map (a key in neither is absent): set by a clear(), an empty MAP_IS_EMPTY answer, or an
 * iteration that reached the end with nothing written meanwhile; lost when clean is trimmed.
 */
export class MapEntry extends CacheEntry {
  readonly clean = new Map<string, MapItem>();
  readonly pending = new Map<string, MapItem>();
  clearPending = false;
  clearedAt = 0;
  complete = false;
  private contentBytes = 0;

  constructor(
    id: StateId,
    readonly stateKey: sluice.fn.v1.IStateKey,
    private readonly ttl: TtlPolicy,
    private readonly readCacheSize: number,
  ) {
    super(id);
  }

  get bytes(): number {
    return ENTRY_OVERHEAD_BYTES + this.idBytes + this.contentBytes;
  }

  get dirty(): boolean {
    return this.clearPending || this.pending.size > 0;
  }

  /** The item for `mapKey`, pending writes first; a clean hit becomes most recently used. */
  lookup(mapKey: string): MapItem | undefined {
    const written = this.pending.get(mapKey);
    if (written !== undefined) return written;
    const item = this.clean.get(mapKey);
    if (item !== undefined) {
      this.clean.delete(mapKey);
      this.clean.set(mapKey, item);
    }
    return item;
  }

  put(mapKey: string, item: MapItem): void {
    this.remove(this.clean, mapKey);
    this.remove(this.pending, mapKey);
    this.add(this.pending, mapKey, item);
  }

  clear(now: number): void {
    this.clean.clear();
    this.pending.clear();
    this.contentBytes = 0;
    this.clearPending = true;
    this.clearedAt = now;
    this.complete = true;
  }

  /** A read served from here refreshed `item` (OnReadAndWrite): owe the host a rewrite. */
  refresh(mapKey: string, item: MapItem, now: number): void {
    item.stamp = now;
    item.exact = true;
    if (this.pending.get(mapKey) === item) return;
    this.remove(this.clean, mapKey);
    this.add(this.pending, mapKey, item);
  }

  /** A clean item turned out to be expired for good (NeverReturnExpired). */
  expire(mapKey: string): void {
    if (this.pending.has(mapKey)) return;
    const item = this.clean.get(mapKey);
    if (item === undefined) return;
    this.remove(this.clean, mapKey);
    if (!this.complete) this.install(mapKey, { key: item.key, value: null, stamp: 0, exact: true });
  }

  /** Caches what the host answered about one key. */
  install(mapKey: string, item: MapItem): void {
    if (this.pending.has(mapKey)) return;
    this.remove(this.clean, mapKey);
    if (this.complete && item.value === null) return;
    this.add(this.clean, mapKey, item);
    this.trim();
  }

  /** The map is known to hold exactly `items` (sorted or not) plus the pending writes. */
  installComplete(items: Iterable<[string, MapItem]>): void {
    const previous = new Map(this.clean);
    this.clean.clear();
    this.contentBytes = 0;
    for (const p of this.pending.values()) this.contentBytes += itemBytes(p);
    for (const [mapKey, item] of items) {
      if (this.pending.has(mapKey)) continue;
      const known = previous.get(mapKey);
      // Nothing was written while `items` were read (installs are made only then), so a known
      // absent item the walk found present was learnt after the walk read it: a read made
      // during the walk found it expired and the host removed it. It stays absent (the map is
      // complete: a key in neither clean nor pending is absent).
      if (known !== undefined && known.value === null) continue;
      // A later read may have refreshed the item since: keep the later exact stamp.
      if (known !== undefined && known.exact && item.exact && known.stamp > item.stamp) item.stamp = known.stamp;
      this.add(this.clean, mapKey, item);
    }
    this.complete = this.clean.size <= this.readCacheSize;
    this.trim();
  }

  /**
   * Whether an iteration can be answered from here at `now` and later: the map is complete
   * and no item can become unknown while the walk goes on (see ttl-policy.ts).
   */
  walkable(): boolean {
    if (!this.complete) return false;
    if (!this.ttl.enabled) return true;
    for (const items of [this.pending, this.clean]) {
      for (const item of items.values()) {
        if (item.value === null) continue;
        if (this.ttl.returnExpired || !item.exact) return false;
      }
    }
    return true;
  }

  /** The present items, in the host's iteration order (ascending map-key bytes). */
  sortedItems(): Array<[string, MapItem]> {
    const all: Array<[string, MapItem]> = [];
    for (const [k, item] of this.pending) if (item.value !== null) all.push([k, item]);
    for (const [k, item] of this.clean) if (item.value !== null) all.push([k, item]);
    return all.sort((a, b) => compareBytes(a[1].key, b[1].key));
  }

  writeBack(wire: StateWire): void {
    if (this.clearPending) {
      wire.push({ key: this.stateKey, op: StateOp.CLEAR, time: this.clearedAt }, 32);
      this.clearPending = false;
    }
    if (this.pending.size === 0) return;
    const written = [...this.pending];
    this.pending.clear();
    for (const [, item] of written) this.contentBytes -= itemBytes(item);
    for (const [mapKey, item] of written) {
      if (item.value === null) {
        wire.push({ key: this.stateKey, op: StateOp.REMOVE, mapKey: item.key, time: item.stamp }, 32 + item.key.length);
      } else {
        wire.push(
          { key: this.stateKey, op: StateOp.PUT, mapKey: item.key, values: [item.value], time: item.stamp },
          32 + item.key.length + item.value.length,
        );
      }
      // Sent writes are what the host holds now: they stay readable as clean items.
      this.install(mapKey, item);
    }
  }

  private trim(): void {
    while (this.clean.size > this.readCacheSize) {
      const oldest = this.clean.keys().next().value as string;
      this.remove(this.clean, oldest);
      this.complete = false;
    }
  }

  private add(items: Map<string, MapItem>, mapKey: string, item: MapItem): void {
    items.set(mapKey, item);
    this.contentBytes += itemBytes(item);
  }

  private remove(items: Map<string, MapItem>, mapKey: string): void {
    const item = items.get(mapKey);
    if (item === undefined) return;
    items.delete(mapKey);
    this.contentBytes -= itemBytes(item);
  }
}

function itemBytes(item: MapItem): number {
  return ITEM_OVERHEAD_BYTES + item.key.length * 3 + (item.value?.length ?? 0);
}
