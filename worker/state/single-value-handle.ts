import { sluice } from '../../shared/generated/protocol.js';
import { StateHandle } from './state-handle.ts';
import type { StateId } from './state-id.ts';
import { NOT_DECODED, ValueEntry, type ValueLoad } from './value-entry.ts';

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
   * The cached value of `id` at `now` (null: absent), or MISS. A hit refreshes the value's TTL
   * when the policy says reads do, which owes the host a rewrite.
   */
  protected readCached(id: StateId, now: number): Uint8Array | null | typeof MISS {
    const entry = this.cachedEntry(id, now);
    return entry === MISS || entry === null ? entry : entry.value;
  }

  /** As readCached, decoded (an immutable value's decoded form is kept with its entry). */
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

  /** The value under `key` at `now`: from the cache, a read already in flight, or the host. */
  protected readBytes(key: Uint8Array, id: StateId, now: number): Promise<Uint8Array | null> {
    const cached = this.readCached(id, now);
    if (cached !== MISS) {
      this.ctx.cache.hits++;
      return Promise.resolve(cached);
    }
    return this.load(key, id, now);
  }

  /**
   * Starts reading `key` from the host unless the cache knows it or a read is under way (a
   * prefetch: the caller gathers these reads into one request). Failures surface in the read
   * a function makes later, and at the bundle's end.
   */
  warm(key: Uint8Array): void {
    this.declareOnce();
    const id = this.idOf(key);
    const entry = this.ctx.cache.peek<ValueEntry>(id);
    if (entry !== undefined && (entry.known || entry.loading !== null)) return;
    this.load(key, id, this.now()).catch(() => undefined);
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

  /** Reads `key` from the host (or joins a read of it in flight); caches the answer. */
  protected load(key: Uint8Array, id: StateId, now: number): Promise<Uint8Array | null> {
    const ctx = this.ctx;
    const cache = ctx.cache;
    let entry = cache.get<ValueEntry>(id);
    // Joining a read in flight is only exact when no time passed: TTL is judged at read time.
    if (entry?.loading && (!this.ttl.enabled || entry.loading.time === now)) {
      cache.hits++;
      return entry.loading.result;
    }
    cache.misses++;
    if (entry === undefined) {
      entry = this.newEntry(id, key);
    } else {
      cache.writeBack(entry);
      entry.forget();
    }
    const target = entry;
    const generation = ctx.generation;
    const result = ctx.wire.read({ key: target.stateKey, op: StateOp.GET, time: now }).then((r) => {
      const value = r.found ? (r.values?.[0] ?? null) : null;
      // Only an entry still cached may take the answer: one evicted meanwhile may have been
      // replaced by a newer entry (itself maybe evicted since), whose writes it would undo.
      if (target.loading === load && ctx.generation === generation && target.cached) {
        target.loading = null;
        // An absent value is certain under every policy; a present one only if cacheable.
        if (value === null || this.ttl.cachesLoaded) {
          target.install(value, now, this.ttl.loadedExact);
          cache.commit(target);
        }
      }
      return value;
    });
    const load: ValueLoad = { time: now, result };
    target.loading = load;
    cache.commit(target);
    return result;
  }
}

function isImmutable(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}
