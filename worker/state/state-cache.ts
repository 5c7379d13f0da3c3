import { LRUCache } from 'lru-cache';
import type { StateWire } from './state-wire.ts';

/** Fixed per-entry overhead counted against udf.state.cache-max-bytes (objects, map slots). */
export const ENTRY_OVERHEAD_BYTES = 96;

/** One cached keyed state: a state name and a key. */
export abstract class CacheEntry {
  /** The size the cache has counted for this entry; only StateCache changes it. */
  accountedBytes = 0;
  /** True while the cache holds this entry (a membership test without hashing its id). */
  cached = false;
  /** The cache's operation count when this entry's recency was last refreshed in the LRU. */
  refreshedAt = 0;

  constructor(readonly id: string) {}

  /** Estimated memory held: encoded sizes plus overheads. */
  abstract get bytes(): number;
  /** Whether it holds writes not yet handed to the wire. */
  abstract get dirty(): boolean;
  /** Hands every unsent write to the wire, in order; `dirty` is false afterwards. */
  abstract writeBack(wire: StateWire): void;
}

/**
 * The worker's state cache: an LRU bounded by entries (udf.state.cache-size) and by estimated
 * bytes (udf.state.cache-max-bytes). Writes are applied to entries and stay there (coalesced)
 * until the entry is evicted, a read of it misses, or the bundle finishes.
 *
 * Invariants: `dirtyEntries` holds exactly the cached entries whose `dirty` is true (as of their
 * last commit); `totalBytes` is the sum of accountedBytes over cached entries. An evicted entry's
 * pending writes join the wire's batch (eviction writes back): they go out with the next read
 * (which they then precede), when the batch is full, or at the bundle's end, not in a request of
 * their own. With the cache off (size 0) nothing is kept: writes go to the batch as they are made.
 */
export class StateCache {
  hits = 0;
  misses = 0;

  private readonly lru: LRUCache<string, CacheEntry> | null;
  private totalBytes = 0;
  private readonly dirtyEntries = new Set<CacheEntry>();
  /**
   * The cached entries by id, for lookups. Moving an entry to the front of the LRU on every
   * access is most of what a cached read costs, so recency is refreshed only when an entry's
   * last refresh is more than `refreshSpan` accesses old: an entry used within that span sits
   * in the freshest quarter of the LRU and cannot be the one evicted.
   */
  private readonly index = new Map<string, CacheEntry>();
  private accesses = 0;
  private readonly refreshSpan: number;

  constructor(
    maxEntries: number,
    private readonly maxBytes: number,
    private readonly wire: StateWire,
  ) {
    this.lru =
      maxEntries > 0
        ? new LRUCache<string, CacheEntry>({
            max: maxEntries,
            dispose: (entry, _id, reason) => this.disposed(entry, reason),
          })
        : null;
    this.refreshSpan = Math.floor(maxEntries / 8);
  }

  get enabled(): boolean {
    return this.lru !== null;
  }

  /** How many entries fit (0 when the cache is off). */
  get capacity(): number {
    return this.lru?.max ?? 0;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The entry cached under `id`, now (about) the most recently used. */
  get<E extends CacheEntry>(id: string): E | undefined {
    const entry = this.index.get(id);
    if (entry === undefined) return undefined;
    const now = ++this.accesses;
    if (now - entry.refreshedAt > this.refreshSpan) {
      entry.refreshedAt = now;
      this.lru!.get(id);
    }
    return entry as E;
  }

  /** The entry cached under `id`, recency untouched. */
  peek<E extends CacheEntry>(id: string): E | undefined {
    return this.index.get(id) as E | undefined;
  }

  /**
   * Records that `entry` was created or changed. A new entry is cached (possibly evicting
   * others); every entry is re-measured and the cache trimmed to its byte budget. An entry
   * that cannot be cached (cache off, or another entry already holds its id) hands its writes
   * to the wire at once.
   */
  commit(entry: CacheEntry): void {
    const lru = this.lru;
    if (lru === null) {
      if (entry.dirty) entry.writeBack(this.wire);
      return;
    }
    if (entry.cached) {
      this.account(entry);
    } else if (!this.index.has(entry.id)) {
      entry.accountedBytes = entry.bytes;
      this.totalBytes += entry.accountedBytes;
      entry.cached = true;
      entry.refreshedAt = ++this.accesses;
      this.index.set(entry.id, entry);
      lru.set(entry.id, entry);
    } else {
      if (entry.dirty) entry.writeBack(this.wire);
      return;
    }
    if (entry.dirty) this.dirtyEntries.add(entry);
    else this.dirtyEntries.delete(entry);
    this.trim();
  }

  /** Hands `entry`'s pending writes to the wire now (a read of it must not overtake them). */
  writeBack(entry: CacheEntry): void {
    if (!entry.dirty) return;
    entry.writeBack(this.wire);
    this.dirtyEntries.delete(entry);
    if (entry.cached) this.account(entry);
  }

  /** Hands every cached pending write to the wire; the entries stay cached, clean. */
  writeBackAll(): void {
    for (const entry of this.dirtyEntries) {
      entry.writeBack(this.wire);
      this.account(entry);
    }
    this.dirtyEntries.clear();
    this.trim();
  }

  /** Drops every entry without writing anything back (restart, restore, failed request). */
  clear(): void {
    // clear() disposes every entry (reason 'delete'): their `cached` flags drop.
    this.lru?.clear();
    this.dirtyEntries.clear();
    this.totalBytes = 0;
  }

  private account(entry: CacheEntry): void {
    const bytes = entry.bytes;
    this.totalBytes += bytes - entry.accountedBytes;
    entry.accountedBytes = bytes;
  }

  private trim(): void {
    const lru = this.lru;
    while (lru !== null && this.totalBytes > this.maxBytes && lru.size > 0) lru.pop();
  }

  private disposed(entry: CacheEntry, reason: LRUCache.DisposeReason): void {
    entry.cached = false;
    if (this.index.get(entry.id) === entry) this.index.delete(entry.id);
    this.totalBytes -= entry.accountedBytes;
    entry.accountedBytes = 0;
    this.dirtyEntries.delete(entry);
    if (reason === 'evict' && entry.dirty) entry.writeBack(this.wire);
  }
}
