import { sluice } from '../../shared/generated/protocol.js';
import { StateHandle } from './state-handle.ts';
import type { StateId } from './state-id.ts';
import { NOT_DECODED, ValueEntry } from './value-entry.ts';

const { StateOp } = sluice.fn.v1;

/** Returned by readCached when the cache cannot answer. */
export const MISS: unique symbol = Symbol('miss');

/**
 * Reading and writing a state that holds one value per key (value, reducing, aggregating),
 * through the cache. Subclasses only encode, decode and combine.
 */
export abstract class SingleValueHandle extends StateHandle {
  /**
   * The entry the last cache hit found, and its id: an element usually reads its state and
   * then writes it, and the write need not look the entry up again while it is still cached.
   */
  private hit: ValueEntry | null = null;

  /**
   * The cached value of `id` at `now`, decoded (null: absent), or MISS; an immutable value's
   * decoded form is kept with its entry. A hit refreshes the value's TTL when the policy says
   * reads do, which owes the host a rewrite.
   */
  protected readCachedDecoded(id: StateId, now: number): unknown {
    const entry = this.cachedEntry(id, now);
    if (entry === MISS || entry === null) return entry;
    if (entry.decoded !== NOT_DECODED) return entry.decoded;
    const value = this.ctx.codec.decode(entry.value!);
    if (isImmutable(value)) entry.decoded = value;
    return value;
  }

  /** The cached entry of `id` holding a value fresh at `now`; null when known absent; else MISS. */
  private cachedEntry(id: StateId, now: number): ValueEntry | null | typeof MISS {
    const cache = this.ctx.cache;
    const entry = cache.get<ValueEntry>(id);
    this.hit = entry ?? null;
    if (entry === undefined || !entry.known) return MISS;
    if (!entry.present) return null;
    const freshness = this.ttl.check(entry.stamp, entry.exact, now);
    if (freshness === 'unknown') return MISS;
    if (freshness === 'absent') {
      entry.value = null;
      entry.decoded = NOT_DECODED;
      cache.commit(entry);
      return null;
    }
    if (this.ttl.refreshes() && entry.stamp !== now) {
      entry.stamp = now;
      entry.pendingWrite = true;
      cache.commit(entry);
    }
    return entry;
  }

  /** The value under `key` at `now`, decoded (null: absent): from the cache, or from the host (blocking). */
  protected readDecoded(key: Uint8Array, id: StateId, now: number): unknown {
    const cached = this.readCachedDecoded(id, now);
    if (cached !== MISS) {
      this.ctx.cache.hits++;
      return cached;
    }
    const bytes = this.loadNow(key, id, now);
    return bytes === null ? null : this.ctx.codec.decode(bytes);
  }

  /**
   * Starts reading `key` from the host unless the cache knows it or a read is under way (a
   * prefetch: the caller gathers these reads into one request). Returns the read's promise,
   * settled once its answer is in the cache, or null when nothing was read. A failure surfaces
   * in the read a function makes later, and at the bundle's end.
   */
  warm(key: Uint8Array): Promise<unknown> | null {
    this.declareOnce();
    const id = this.idOf(key);
    const entry = this.ctx.cache.peek<ValueEntry>(id);
    if (entry !== undefined && (entry.known || entry.loading !== null)) return null;
    return this.load(key, id, this.now()).catch(() => undefined);
  }

  /** The entry to write `id` into: the one the last hit found if it is still cached. */
  private entryForWrite(key: Uint8Array, id: StateId): ValueEntry {
    const hit = this.hit;
    if (hit !== null && hit.cached && hit.is(id)) return hit;
    return this.ctx.cache.get<ValueEntry>(id) ?? this.newEntry(id, key);
  }

  private newEntry(id: StateId, key: Uint8Array): ValueEntry {
    return new ValueEntry(id.owned(), this.stateKey(key), this.ctx.codec.encode);
  }

  protected writeBytes(key: Uint8Array, id: StateId, value: Uint8Array | null, now: number): void {
    const entry = this.entryForWrite(key, id);
    entry.write(value, now);
    this.ctx.cache.commit(entry);
  }

  /** Writes a decoded value: a primitive stays decoded until its bytes are needed. */
  protected writeValue(key: Uint8Array, id: StateId, value: unknown, now: number): void {
    if (value === null || value === undefined) return this.writeBytes(key, id, null, now);
    if (!isImmutable(value)) return this.writeBytes(key, id, this.ctx.codec.encode(value), now);
    // The cache keeps nothing when it is off: the write must go out as bytes at once.
    if (!this.ctx.cache.enabled) return this.writeBytes(key, id, this.ctx.codec.encode(value), now);
    const entry = this.entryForWrite(key, id);
    entry.writePrimitive(value, now);
    this.ctx.cache.commit(entry);
  }

  /**
   * Reads `key` from the host, blocking, and caches the answer. A read of it still in flight (a
   * prefetch) is left to come back unheeded: this one was sent after every write before it, so
   * it is at least as recent.
   */
  protected loadNow(key: Uint8Array, id: StateId, now: number): Uint8Array | null {
    const ctx = this.ctx;
    const cache = ctx.cache;
    cache.misses++;
    const target = this.unload(key, id);
    const r = ctx.wire.readNow({ key: target.stateKey, op: StateOp.GET, time: now });
    const value = r.found ? (r.values?.[0] ?? null) : null;
    if (target.cached) this.installLoaded(target, value, now);
    return value;
  }

  /** Reads `key` from the host asynchronously (a prefetch); caches the answer. */
  private load(key: Uint8Array, id: StateId, now: number): Promise<Uint8Array | null> {
    const ctx = this.ctx;
    const cache = ctx.cache;
    cache.misses++;
    const target = this.unload(key, id);
    const generation = ctx.generation;
    const result = ctx.wire.read({ key: target.stateKey, op: StateOp.GET, time: now }).then((r) => {
      const value = r.found ? (r.values?.[0] ?? null) : null;
      // Only an entry still cached may take the answer: one evicted meanwhile may have been
      // replaced by a newer entry (itself maybe evicted since), whose writes it would undo; and
      // only if no later read (a blocking one) has answered it since.
      if (target.loading === result && ctx.generation === generation && target.cached) this.installLoaded(target, value, now);
      return value;
    });
    target.loading = result;
    cache.commit(target);
    return result;
  }

  /** The entry of `id`, its pending writes handed to the wire (a read must not overtake them) and its value forgotten. */
  private unload(key: Uint8Array, id: StateId): ValueEntry {
    const cache = this.ctx.cache;
    const entry = cache.get<ValueEntry>(id);
    if (entry === undefined) {
      const created = this.newEntry(id, key);
      cache.commit(created);
      return created;
    }
    cache.writeBack(entry);
    entry.forget();
    return entry;
  }

  private installLoaded(target: ValueEntry, value: Uint8Array | null, now: number): void {
    target.loading = null;
    // An absent value is certain under every policy; a present one only if cacheable.
    if (value === null || this.ttl.cachesLoaded) {
      target.install(value, now, this.ttl.loadedExact);
    }
    this.ctx.cache.commit(target);
  }
}

function isImmutable(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}
