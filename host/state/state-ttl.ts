/**
 * Time-to-live of keyed state, with Flink's semantics.
 *
 * Every stored value (a value state's value, each list element, each map entry) carries the
 * time it was last written, or also last read under OnReadAndWrite. It is expired when
 * `timestamp + ttlMs <= now`. Reading an expired value removes it from the store; under
 * NeverReturnExpired the read then behaves as if it were absent, under
 * ReturnExpiredIfNotCleanedUp that read still returns it (it was stored until then), and
 * later reads do not. Reading an expired value never refreshes it. Full snapshots leave
 * expired values out ("cleanup on full snapshot").
 */
import type { sluice } from '../../shared/generated/protocol.js';
import { StateAccessError } from '../../shared/errors/errors.ts';

export interface TtlPolicy {
  ttlMs: number;
  /** OnReadAndWrite: a read that returns a value refreshes its timestamp. */
  refreshOnRead: boolean;
  /** ReturnExpiredIfNotCleanedUp: the read that finds a value expired still returns it. */
  returnExpired: boolean;
}

/**
 * How a read treats one stored value: 'fresh' is returned (and refreshed under
 * OnReadAndWrite); 'expired-returned' is removed and returned by this read; 'expired-hidden'
 * is removed and reads as absent.
 */
export type Freshness = 'fresh' | 'expired-returned' | 'expired-hidden';

export function freshness(timestamp: number, ttl: TtlPolicy | null, now: number): Freshness {
  if (ttl === null || timestamp + ttl.ttlMs > now) return 'fresh';
  return ttl.returnExpired ? 'expired-returned' : 'expired-hidden';
}

export function isExpired(timestamp: number, ttl: TtlPolicy | null, now: number): boolean {
  return ttl !== null && timestamp + ttl.ttlMs <= now;
}

/** Wire names; the index is the code used in snapshots. */
export const UPDATE_TYPES = ['OnCreateAndWrite', 'OnReadAndWrite'] as const;
export const VISIBILITIES = ['NeverReturnExpired', 'ReturnExpiredIfNotCleanedUp'] as const;

/**
 * The policy a DECLARE carries; null when it declares no TTL (missing, or ttl_ms 0). Empty
 * strings take Flink's defaults: OnCreateAndWrite, NeverReturnExpired.
 */
export function ttlPolicyOf(ttl: sluice.fn.v1.IStateTtl | null | undefined, stateName: string): TtlPolicy | null {
  const ttlMs = ttl?.ttlMs ?? 0;
  if (ttlMs === 0) return null;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new StateAccessError(`state '${stateName}': TTL must be a positive number of milliseconds, got ${ttlMs}`);
  }
  const updateType = ttl?.updateType || 'OnCreateAndWrite';
  const visibility = ttl?.visibility || 'NeverReturnExpired';
  if (!(UPDATE_TYPES as readonly string[]).includes(updateType)) {
    throw new StateAccessError(`state '${stateName}': unknown TTL update type '${updateType}', expected one of ${UPDATE_TYPES.join(', ')}`);
  }
  if (!(VISIBILITIES as readonly string[]).includes(visibility)) {
    throw new StateAccessError(`state '${stateName}': unknown TTL visibility '${visibility}', expected one of ${VISIBILITIES.join(', ')}`);
  }
  return {
    ttlMs,
    refreshOnRead: updateType === 'OnReadAndWrite',
    returnExpired: visibility === 'ReturnExpiredIfNotCleanedUp',
  };
}
