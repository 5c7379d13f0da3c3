import { NO_COPY } from '../../shared/codec/generic-copy.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { StateHandle } from './state-handle.ts';
import { StateId } from './state-id.ts';
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
   * The entry the last lookup of the current key found (hitSerial: the key's serial then): an
   * element usually reads its state and then writes it, and the write need not look the entry
   * up again while it is still cached.
   */
  private hit: ValueEntry | null = null;
  private hitSerial = -1;

  protected override namespaceChanged(): void {
    this.hit = null;
    this.hitSerial = -1;
  }

  /**
   * The cached value of `id` at `now`, decoded (null: absent), or MISS. The decoded form is kept
   * with its entry: an immutable value as it is, an object that the codec can copy as a private
   * copy, of which each read gets a copy of its own (value-entry.ts). A hit refreshes the value's
   * TTL when the policy says reads do, which owes the host a rewrite.
   */
  protected readCachedDecoded(id: StateId, now: number): unknown {
    const entry = this.cachedEntry(id, now);
    if (entry === MISS || entry === null) return entry;
    const decoded = entry.decoded;
    if (decoded !== NOT_DECODED) return isImmutable(decoded) ? decoded : this.ctx.codec.copy!(decoded);
    const value = this.ctx.codec.decode(entry.value!);
    if (isImmutable(value)) {
      entry.decoded = value;
      return value;
    }
    const copy = this.copyOf(value);
    if (copy === NO_COPY) return value;
    entry.decoded = value;
    return copy;
  }

  /** The codec's plain copy of an object (generic-copy.ts), maybe written into `reuse`, or NO_COPY. */
  private copyOf(value: unknown, reuse?: unknown): unknown {
    const copy = this.ctx.codec.copy;
    return copy === undefined ? NO_COPY : copy(value, reuse);
  }

  /** The cached entry of `id` (the current key's) holding a value fresh at `now`; null when known absent; else MISS. */
  private cachedEntry(id: StateId, now: number): ValueEntry | null | typeof MISS {
    const cache = this.ctx.cache;
    const entry = cache.get<ValueEntry>(id);
    this.hit = entry ?? null;
    this.hitSerial = this.keySerial;
    if (entry === undefined || !entry.known) return MISS;
    if (!entry.present) return null;
    // Without TTL a known value is live and a hit refreshes nothing: no call into the policy,
    // which V8 left out of line on this path (perf, the keyed count's worker).
    if (!this.ttlEnabled) return entry;
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

  /** The value under `id` at `now`, decoded (null: absent): from the cache, or from the host (blocking). */
  protected readDecoded(id: StateId, now: number): unknown {
    const cached = this.readCachedDecoded(id, now);
    if (cached !== MISS) {
      this.ctx.cache.hits++;
      return cached;
    }
    const bytes = this.loadNow(id, now);
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
    const id = StateId.of(this.namespace, key);
    const entry = this.ctx.cache.peek<ValueEntry>(id);
    if (entry !== undefined && (entry.known || entry.loading !== null)) return null;
    return this.load(id, this.now()).catch(() => undefined);
  }

  /** The entry to write `id` (the current key's) into: the one its lookup found if it is still cached. */
  private entryForWrite(id: StateId): ValueEntry {
    const hit = this.hit;
    if (hit !== null && hit.cached && this.hitSerial === this.keySerial) return hit;
    return this.ctx.cache.get<ValueEntry>(id) ?? this.newEntry(id);
  }

  private newEntry(id: StateId): ValueEntry {
    return new ValueEntry(id, this.wireState, this.ctx.codec);
  }

  protected writeBytes(id: StateId, value: Uint8Array | null, now: number): void {
    const entry = this.entryForWrite(id);
    entry.write(value, now);
    this.ctx.cache.commit(entry);
  }

  /**
   * Writes a decoded value: a primitive, and a private copy of an object the codec can copy,
   * stay decoded until their bytes are needed; other objects are encoded now.
   */
  protected writeValue(id: StateId, value: unknown, now: number): void {
    if (value === null || value === undefined) return this.writeBytes(id, null, now);
    // The cache keeps nothing when it is off: the write must go out as bytes at once.
    if (!this.ctx.cache.enabled) return this.writeBytes(id, this.ctx.codec.encode(value), now);
    if (!isImmutable(value)) {
      const entry = this.entryForWrite(id);
      // The entry's decoded object is its own (reads get copies of it): the copy may reuse it.
      const copy = this.copyOf(value, entry.decoded);
      if (copy === NO_COPY) return this.writeBytes(id, this.ctx.codec.encode(value), now);
      entry.writeDecoded(copy, now);
      this.ctx.cache.commit(entry);
      return;
    }
    // A primitive the encoding would change or refuse is encoded now, as without the cache: the
    // state then holds what the host will, and a refusal fails this call, not a later write-back.
    if (!keptAsIs(value)) return this.writeBytes(id, this.ctx.codec.encode(value), now);
    const entry = this.entryForWrite(id);
    // The cache needs no word of a counter's update on every record: only the first dirties it.
    if (entry.rewritePrimitive(value, now)) return;
    entry.writeDecoded(value, now);
    this.ctx.cache.commit(entry);
  }

  /**
   * Reads `key` from the host, blocking, and caches the answer. A read of it still in flight (a
   * prefetch) is left to come back unheeded: this one was sent after every write before it, so
   * it is at least as recent.
   */
  protected loadNow(id: StateId, now: number): Uint8Array | null {
    const ctx = this.ctx;
    const cache = ctx.cache;
    cache.misses++;
    const target = this.unload(id);
    const r = ctx.wire.readNow({ key: target.stateKey, op: StateOp.GET, time: now });
    const value = r.found ? (r.values?.[0] ?? null) : null;
    if (target.cached) this.installLoaded(target, value, now);
    return value;
  }

  /** Reads `key` from the host asynchronously (a prefetch); caches the answer. */
  private load(id: StateId, now: number): Promise<Uint8Array | null> {
    const ctx = this.ctx;
    const cache = ctx.cache;
    cache.misses++;
    const target = this.unload(id);
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
  private unload(id: StateId): ValueEntry {
    const cache = this.ctx.cache;
    const entry = cache.get<ValueEntry>(id);
    if (entry === undefined) {
      const created = this.newEntry(id);
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

/** ES2024's String.prototype.isWellFormed (Node 20 has it; the lib target does not). */
interface WellFormedString {
  isWellFormed(): boolean;
}

/**
 * Whether a primitive comes back from the encoding as itself: not a string with a lone
 * surrogate (UTF-8 turns it into U+FFFD), nor a symbol (no encoding carries one).
 */
function keptAsIs(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return (value as unknown as WellFormedString).isWellFormed();
    case 'symbol':
      return false;
    default:
      return true;
  }
}
