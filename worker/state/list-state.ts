import { sluice } from '../../shared/generated/protocol.js';
import type { ListState } from '../../shared/api/state.ts';
import { LIST_MISS, ListEntry } from './list-entry.ts';
import { StateHandle } from './state-handle.ts';
import type { StateId } from './state-id.ts';

const { StateOp } = sluice.fn.v1;

/** ListState through the cache. get() is [] when the list is absent. add() never reads. */
export class WorkerListState<T> extends StateHandle implements ListState<T> {
  get(): T[] {
    const id = this.begin();
    const now = this.now();
    const cache = this.ctx.cache;
    const entry = cache.get<ListEntry>(id);
    if (entry !== undefined) {
      const local = entry.readLocal(now);
      if (local !== LIST_MISS) {
        cache.hits++;
        // Under TTL a local read may drop expired elements or owe the host a rewrite.
        if (this.ttl.enabled) cache.commit(entry);
        return this.decodeAll(local);
      }
    }
    return this.decodeAll(this.loadNow(id, now, entry));
  }

  add(value: T): void {
    const id = this.begin();
    const bytes = this.encode(value);
    const entry = this.entryFor(id);
    entry.append(bytes, this.now());
    this.ctx.cache.commit(entry);
  }

  addAll(values: Iterable<T>): void {
    const id = this.begin();
    const encoded = Array.from(values, (v) => this.encode(v));
    if (encoded.length === 0) return;
    const entry = this.entryFor(id);
    const now = this.now();
    for (const bytes of encoded) entry.append(bytes, now);
    this.ctx.cache.commit(entry);
  }

  update(values: Iterable<T>): void {
    const id = this.begin();
    const encoded = Array.from(values, (v) => this.encode(v));
    const entry = this.entryFor(id);
    entry.replace(encoded, this.now());
    this.ctx.cache.commit(entry);
  }

  clear(): void {
    const entry = this.entryFor(this.begin());
    entry.replace([], this.now());
    this.ctx.cache.commit(entry);
  }

  /** Reads the list from the host, blocking, and caches it (a read in flight is left unheeded, as in SingleValueHandle.loadNow). */
  private loadNow(id: StateId, now: number, found: ListEntry | undefined): Uint8Array[] {
    const ctx = this.ctx;
    const cache = ctx.cache;
    cache.misses++;
    const target = found ?? new ListEntry(id, this.stateKey(id), this.ttl);
    cache.writeBack(target);
    target.forget();
    cache.commit(target);
    const r = ctx.wire.readNow({ key: target.stateKey, op: StateOp.GET, time: now });
    const loaded = r.values ?? [];
    if (target.cached) {
      // An empty list is certain under every policy; elements only if cacheable.
      if (loaded.length === 0 || this.ttl.cachesLoaded) target.install(loaded, now, this.ttl.loadedExact);
      else target.dropSent();
      cache.commit(target);
    }
    return loaded;
  }

  private entryFor(id: StateId): ListEntry {
    return this.ctx.cache.get<ListEntry>(id) ?? new ListEntry(id, this.stateKey(id), this.ttl);
  }

  private encode(value: T): Uint8Array {
    if (value === null || value === undefined) {
      throw new TypeError(`list state '${this.stateName}': null and undefined cannot be added to a list`);
    }
    return this.ctx.codec.encode(value);
  }

  private decodeAll(values: Uint8Array[]): T[] {
    const codec = this.ctx.codec;
    return values.map((v) => codec.decode(v) as T);
  }
}
