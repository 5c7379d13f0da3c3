import { LRUCache } from 'lru-cache';
import type { GenericWriter } from '../../shared/codec/generic-writer.ts';
import { compareBytes } from './bytes.ts';
import { EntryIndex } from './entry-index.ts';
import type { StateId, StateNamespace } from './state-id.ts';
import type { StateWire } from './state-wire.ts';

/** Fixed per-entry overhead counted against udf.state.cache-max-bytes (objects, map slots). */
export const ENTRY_OVERHEAD_BYTES = 96;

/** One cached keyed state: a state name and a key. */
export abstract class CacheEntry {
  /**
   * The id's comparison fields, copied: a lookup compares them here, in the entry it reads
   * anyway, instead of in another object (with thousands of keys, each object a lookup touches
   * is a likely cache miss).
   */
  readonly hash: number;
  private readonly k0: number;
  private readonly k1: number;
  private readonly keyLength: number;
  private readonly ns: StateNamespace;
  /** The next cached entry whose id has the same hash (StateCache's index). */
  nextInBucket: CacheEntry | null = null;
  /** True while the cache holds this entry (a membership test without looking its id up). */
  cached = false;
  /** True while StateCache's list of dirty entries holds this entry (as a live item). */
  listedDirty = false;
  /** The size the cache has counted for this entry; only StateCache changes it. */
  accountedBytes = 0;
  /** The cache's access count when this entry's recency was last refreshed in the LRU. */
  refreshedAt = 0;
  /**
   * A key over 8 bytes, a copy of its own (the id's are usually in a received batch); null for
   * a key of up to 8 bytes, which k0 and k1 hold. The entry keeps the id's fields, not a
   * StateId, and most keys need no array: two or three objects fewer per cached key.
   */
  private readonly longKey: Uint8Array | null;

  constructor(id: StateId) {
    this.hash = id.hash;
    this.k0 = id.k0;
    this.k1 = id.k1;
    this.keyLength = id.length;
    this.ns = id.ns;
    this.longKey = id.length > 8 ? id.copyKey() : null;
  }

  /** The key's bytes (made anew for a key of up to 8 bytes: for the rare read or CLEAR that names it). */
  get key(): Uint8Array {
    if (this.longKey !== null) return this.longKey;
    const n = this.keyLength;
    const high = Math.min(n, 4);
    const bytes = new Uint8Array(n);
    for (let i = 0; i < high; i++) bytes[i] = (this.k0 >>> (8 * (high - 1 - i))) & 0xff;
    for (let i = high; i < n; i++) bytes[i] = (this.k1 >>> (8 * (n - 1 - i))) & 0xff;
    return bytes;
  }

  /**
   * Appends the key's bytes to `keys` (a PUT_BATCH's key column). A key of up to 8 bytes is
   * written from k0 and k1, which hold it (StateId.set) in the fields a write-back reads anyway.
   */
  writeKey(keys: GenericWriter): void {
    const n = this.keyLength;
    if (n > 8) return keys.writeBytes(this.longKey!);
    const high = Math.min(n, 4);
    keys.writeBigEndian(this.k0, high);
    keys.writeBigEndian(this.k1, n - high);
  }

  /** Whether this entry is the one of `id`. */
  is(id: StateId): boolean {
    return this.hasFields(id.hash, id.k0, id.k1, id.length, id.ns) && (id.length <= 8 || id.keyEquals(this.longKey!));
  }

  /** Whether `other` is an entry of the same state and key. */
  sameKey(other: CacheEntry): boolean {
    return (
      this.hasFields(other.hash, other.k0, other.k1, other.keyLength, other.ns) &&
      (this.keyLength <= 8 || compareBytes(this.longKey!, other.longKey!) === 0)
    );
  }

  /** Whether the id's fields this entry copied are these (for a key over 8 bytes, its bytes must be compared too). */
  private hasFields(hash: number, k0: number, k1: number, keyLength: number, ns: StateNamespace): boolean {
    return this.hash === hash && this.k0 === k0 && this.k1 === k1 && this.keyLength === keyLength && (this.ns === ns || this.ns.sameAs(ns));
  }

  /** What the id costs against the byte budget (as StateId.bytes). */
  protected get idBytes(): number {
    return 48 + this.keyLength;
  }

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
 * Invariants: the entries of `dirtyEntries` whose `listedDirty` is set are cached, each once,
 * and include every cached entry whose `dirty` is true (as of its last commit, or its rewrite:
 * ValueEntry.rewritePrimitive); they also include the entries written back at the last
 * bundle's end, clean until written again; the others are stale items, skipped. `totalBytes`
 * is the sum of accountedBytes over cached entries. An evicted entry's pending writes join the
 * wire's batch (eviction writes back): they go out with the next read (which they then
 * precede), when the batch is full, or at the bundle's end, not in a request of their own.
 * With the cache off (size 0) nothing is kept: writes go to the batch as they are made.
 */
export class StateCache {
  hits = 0;
  misses = 0;

  /** Entries by identity, in recency order (lru-cache): it decides what to evict. */
  private readonly lru: LRUCache<CacheEntry, CacheEntry> | null;
  private totalBytes = 0;
  /**
   * The listed entries (the dirty ones and those written back last), in the order they were
   * listed, as a plain array: a bundle dirties thousands of entries and writes them all back at
   * its end, and a Set, cleared every bundle, hashed each one in and grew its table again every
   * time. An entry unlisted leaves a stale item (its listedDirty is cleared); stale items are
   * dropped when they outnumber the live ones.
   */
  private dirtyEntries: CacheEntry[] = [];
  private dirtyCount = 0;
  /** The cached entries by id hash (each bucket a chain through nextInBucket), for lookups. */
  private readonly index = new EntryIndex<CacheEntry>();
  /**
   * Moving an entry to the front of the LRU on every access would be most of what a cached read
   * costs, so recency is refreshed only when an entry's last refresh is more than `refreshSpan`
   * (half the capacity) accesses old. Fewer accesses than that cannot have put the capacity's
   * worth of entries ahead of it: the entry count bound never evicts an entry used within the
   * span. (A trim to the byte budget may, when entries are large: recency is then approximate.)
   * Nor is recency refreshed while the cache holds fewer than `refreshSpan` entries: the count
   * bound evicts nothing until more than that many entries have been added, each an access,
   * and an entry used in the meantime is refreshed then. A job whose keys fit in half the
   * cache (the keyed count's 10,000 in 100,000) never moves an entry in the LRU.
   */
  private accesses = 0;
  private readonly refreshSpan: number;

  constructor(
    maxEntries: number,
    private readonly maxBytes: number,
    private readonly wire: StateWire,
  ) {
    this.lru =
      maxEntries > 0
        ? new LRUCache<CacheEntry, CacheEntry>({
            // The count bound as a size bound, every entry counting 1: with `max`, lru-cache
            // allocates its arrays at full length up front, in every worker, stateful or not
            // (udf.state.cache-size 100,000,000 kept a worker busy past its heartbeats).
            maxSize: maxEntries,
            sizeCalculation: () => 1,
            dispose: (entry, _key, reason) => this.disposed(entry, reason),
          })
        : null;
    this.refreshSpan = Math.floor(maxEntries / 2);
  }

  get enabled(): boolean {
    return this.lru !== null;
  }

  /** How many entries fit (0 when the cache is off). */
  get capacity(): number {
    return this.lru?.maxSize ?? 0;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The entry cached under `id`, now (about) the most recently used. */
  get<E extends CacheEntry>(id: StateId): E | undefined {
    const entry = this.peek<E>(id);
    if (entry === undefined) return undefined;
    const now = ++this.accesses;
    if (this.lru!.size >= this.refreshSpan && now - entry.refreshedAt > this.refreshSpan) {
      entry.refreshedAt = now;
      this.lru!.get(entry);
    }
    return entry;
  }

  /** The entry cached under `id`, recency untouched. */
  peek<E extends CacheEntry>(id: StateId): E | undefined {
    let entry = this.index.first(id.hash);
    while (entry !== null && !entry.is(id)) entry = entry.nextInBucket;
    return (entry ?? undefined) as E | undefined;
  }

  /** Whether a cached entry has `entry`'s state and key. */
  private holdsKeyOf(entry: CacheEntry): boolean {
    let at = this.index.first(entry.hash);
    while (at !== null && !at.sameKey(entry)) at = at.nextInBucket;
    return at !== null;
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
    } else if (!this.holdsKeyOf(entry)) {
      entry.accountedBytes = entry.bytes;
      this.totalBytes += entry.accountedBytes;
      entry.cached = true;
      entry.refreshedAt = ++this.accesses;
      this.index.add(entry);
      lru.set(entry, entry);
    } else {
      if (entry.dirty) entry.writeBack(this.wire);
      return;
    }
    this.listDirty(entry);
    this.trim();
  }

  /** Hands `entry`'s pending writes to the wire now (a read of it must not overtake them). */
  writeBack(entry: CacheEntry): void {
    if (!entry.dirty) return;
    entry.writeBack(this.wire);
    this.unlistDirty(entry);
    if (entry.cached) this.account(entry);
  }

  /**
   * Hands every cached pending write to the wire; the entries stay cached, clean. An entry
   * written back stays listed for the next bundle (a key written in one bundle is likely to be
   * written in the next: its first write there then needs no listing, nor a re-measuring); one
   * that a bundle left clean is unlisted here.
   */
  writeBackAll(): void {
    // The list for the next bundle is made first: whatever happens while its entries are
    // written back (a refused request clears the cache) acts on it.
    const written: CacheEntry[] = [];
    for (const entry of this.dirtyEntries) {
      if (!entry.listedDirty) continue;
      if (entry.dirty) written.push(entry);
      else entry.listedDirty = false;
    }
    this.dirtyEntries = written;
    this.dirtyCount = written.length;
    for (const entry of written) {
      entry.writeBack(this.wire);
      if (entry.cached) this.account(entry);
    }
    this.trim();
  }

  /** Drops every entry without writing anything back (restart, restore, failed request). */
  clear(): void {
    // clear() disposes every entry (reason 'delete'): their `cached` flags drop.
    this.lru?.clear();
    this.index.clear();
    for (const entry of this.dirtyEntries) entry.listedDirty = false;
    this.dirtyEntries = [];
    this.dirtyCount = 0;
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
    this.index.remove(entry);
    this.totalBytes -= entry.accountedBytes;
    entry.accountedBytes = 0;
    this.unlistDirty(entry);
    if (reason === 'evict' && entry.dirty) entry.writeBack(this.wire);
  }

  /** Keeps `dirtyEntries` in step with `entry.dirty`. */
  private listDirty(entry: CacheEntry): void {
    if (entry.dirty) {
      if (!entry.listedDirty) {
        entry.listedDirty = true;
        this.dirtyEntries.push(entry);
        this.dirtyCount++;
      }
    } else {
      this.unlistDirty(entry);
    }
  }

  private unlistDirty(entry: CacheEntry): void {
    if (!entry.listedDirty) return;
    entry.listedDirty = false;
    // Its item stays, stale; once stale items outnumber live ones, the list keeps only the live.
    if (--this.dirtyCount * 2 + 64 < this.dirtyEntries.length) this.dirtyEntries = this.dirtyEntries.filter((e) => e.listedDirty);
  }
}
