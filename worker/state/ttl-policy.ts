/**
 * State TTL as the worker's cache applies it. The cache must answer exactly as the host would,
 * so this file also states the host's side of the contract (the host's backend must match):
 *
 *   - TTL applies per stored item: a value-like state's value, each list element, each map
 *     entry. An item's timestamp is the `time` of the operation that last wrote it (PUT,
 *     APPEND) and, with OnReadAndWrite, of the last read operation (GET, MAP_GET, MAP_ITERATE)
 *     that returned it unexpired.
 *   - An item is expired at time t when timestamp + ttl_ms <= t, t being the reading
 *     operation's `time`.
 *   - A read removes the expired items it meets. With ReturnExpiredIfNotCleanedUp it still
 *     returns them (this once); with NeverReturnExpired it does not.
 *   - MAP_IS_EMPTY refreshes nothing and consumes no entry a later read could still return:
 *     found when some entry is unexpired, or, with ReturnExpiredIfNotCleanedUp, when any
 *     entry exists.
 *   - The host may drop expired items at any other time (only ReturnExpiredIfNotCleanedUp can
 *     tell).
 *
 * What follows for the cache. The host does not send timestamps, so an item the worker reads
 * from the host carries what the worker can know about it:
 *   - with OnReadAndWrite the read refreshed it: its timestamp is the read's time (exact);
 *   - with OnCreateAndWrite it was unexpired at the read's time and nothing more is known
 *     ("observed": usable while the clock has not moved past that time);
 *   - with ReturnExpiredIfNotCleanedUp the worker cannot tell an unexpired item from an expired
 *     one the read just removed: such items are not cached at all.
 * Items the worker wrote itself have exact timestamps. An exact item found expired is absent
 * under NeverReturnExpired (the host will never return it: FLINK-24105 was a cache that did)
 * and must be asked of the host under ReturnExpiredIfNotCleanedUp (the host may still have it).
 *
 * OnReadAndWrite and cache hits: a read served from the cache refreshes the item locally and
 * the new timestamp reaches the host as a rewrite, a PUT of the unchanged value stamped with the
 * read's time, coalesced with the state's other pending writes. A rewrite has exactly the effect
 * of the refreshing read the host would have done, and costs no round trip.
 */
import type { sluice } from '../../shared/generated/protocol.js';
import { StateVisibility, UpdateType, type StateTtlConfig } from '../../shared/api/ttl.ts';

/** What the cache can say about an item now. */
export type Freshness = 'live' | 'absent' | 'unknown';

export class TtlPolicy {
  static readonly NONE = new TtlPolicy(0, false, false);

  /** Whether items read from the host may be cached. */
  readonly cachesLoaded: boolean;
  /** Whether items read from the host get exact timestamps (the read's time). */
  readonly loadedExact: boolean;

  private constructor(
    readonly ttlMs: number,
    readonly refreshOnRead: boolean,
    readonly returnExpired: boolean,
  ) {
    const enabled = ttlMs > 0;
    this.cachesLoaded = !enabled || !returnExpired;
    this.loadedExact = !enabled || refreshOnRead;
  }

  static of(config: StateTtlConfig | null): TtlPolicy {
    if (config === null || !(config.ttlMs > 0)) return TtlPolicy.NONE;
    return new TtlPolicy(
      config.ttlMs,
      config.updateType === UpdateType.OnReadAndWrite,
      config.visibility === StateVisibility.ReturnExpiredIfNotCleanedUp,
    );
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /**
   * An item stamped `stamp` (exact: last access time; otherwise: a time it was seen unexpired)
   * as of `now`.
   */
  check(stamp: number, exact: boolean, now: number): Freshness {
    if (this.ttlMs <= 0) return 'live';
    if (!exact) return now <= stamp ? 'live' : 'unknown';
    if (stamp + this.ttlMs > now) return 'live';
    return this.returnExpired ? 'unknown' : 'absent';
  }

  /** Whether an item is certainly expired at `now` (a read at `now` removes it on the host). */
  expired(stamp: number, exact: boolean, now: number): boolean {
    return this.ttlMs > 0 && exact && stamp + this.ttlMs <= now;
  }

  /** Whether a cache hit at `now` must refresh the item (and send a rewrite). */
  refreshes(): boolean {
    return this.ttlMs > 0 && this.refreshOnRead;
  }

  toWire(): sluice.fn.v1.IStateTtl | null {
    if (this.ttlMs <= 0) return null;
    return {
      ttlMs: this.ttlMs,
      updateType: this.refreshOnRead ? UpdateType.OnReadAndWrite : UpdateType.OnCreateAndWrite,
      visibility: this.returnExpired ? StateVisibility.ReturnExpiredIfNotCleanedUp : StateVisibility.NeverReturnExpired,
    };
  }
}
