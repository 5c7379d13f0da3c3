/**
 * Timers are keyed state the host owns. A worker registers one with a TIMER operation:
 *
 *   state_name  "<operator>/event-time" or "<operator>/processing-time" (a bare
 *               "event-time" / "processing-time" belongs to the operator named "")
 *   key         the user key, namespace the timer's namespace (for example its window)
 *   map_key     the timestamp, 8-byte big-endian float64
 *   PUT registers it, REMOVE deletes it.
 *
 * The operator is everything before the last '/', so operator names may themselves contain
 * '/'; the suffix has none. (key, namespace, domain, timestamp) identifies a timer: registering
 * it again keeps the first registration and its place in the firing order.
 *
 * Firing order is by timestamp, then registration order; snapshots keep registration order.
 */
import { inRange, type KeyGroupRange } from './key-groups.ts';
import { keyOfRecord, namespaceOfRecord, recordKeySize } from './byte-keys.ts';
import type { StateStore, StateTarget } from './state-store.ts';
import { compareTimers, type Timer } from './timer-queue.ts';

export type TimeDomain = 'event' | 'processing';

export interface FiredTimer {
  key: Uint8Array;
  namespace: Uint8Array;
  timestamp: number;
  domain: TimeDomain;
}

const SUFFIX: Record<TimeDomain, string> = { event: 'event-time', processing: 'processing-time' };

/** Payload bytes a timer accounts for beyond its record key: the timestamp. */
const TIMER_BYTES = 8;

export function timerStateName(operator: string, domain: TimeDomain): string {
  return operator === '' ? SUFFIX[domain] : `${operator}/${SUFFIX[domain]}`;
}

/** The operator and domain a timer state name stands for; null if it is not one. */
export function parseTimerStateName(name: string): { operator: string; domain: TimeDomain } | null {
  const slash = name.lastIndexOf('/');
  const suffix = name.slice(slash + 1);
  const operator = slash < 0 ? '' : name.slice(0, slash);
  if (suffix === SUFFIX.event) return { operator, domain: 'event' };
  if (suffix === SUFFIX.processing) return { operator, domain: 'processing' };
  return null;
}

/** The timestamp a TIMER operation's map_key carries; null if it is not 8 bytes or is NaN. */
export function decodeTimerTimestamp(mapKey: Uint8Array): number | null {
  if (mapKey.length !== 8) return null;
  const t = new DataView(mapKey.buffer, mapKey.byteOffset, 8).getFloat64(0);
  return Number.isNaN(t) ? null : t;
}

export function encodeTimerTimestamp(timestamp: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, timestamp);
  return bytes;
}

/** Registers a timer unless it exists; true if it was added. */
export function registerTimer(store: StateStore, t: StateTarget, timestamp: number): boolean {
  const added = store.timerQueueForWrite(t.stateName, t.keyGroup).add(t.recordKey, timestamp, store.timerSeq);
  if (added) {
    store.timerSeq++;
    store.account(1, recordKeySize(t.recordKey) + TIMER_BYTES);
  }
  return added;
}

/** Deletes a timer; true if it existed. */
export function deleteTimer(store: StateStore, t: StateTarget, timestamp: number): boolean {
  const queue = store.timerQueue(t.stateName, t.keyGroup);
  if (queue === undefined || !queue.remove(t.recordKey, timestamp)) return false;
  store.dropTimerQueueIfEmpty(t.stateName, t.keyGroup);
  store.account(-1, -(recordKeySize(t.recordKey) + TIMER_BYTES));
  return true;
}

/**
 * Removes and returns the timers of `timerState` in `range` with timestamp <= `limit`, by
 * (timestamp, registration order). Cost: one heap peek per non-empty key group in the range,
 * plus O(log n) per fired timer.
 */
export function popDueTimers(
  store: StateStore,
  operator: string,
  domain: TimeDomain,
  range: KeyGroupRange,
  limit: number,
): FiredTimer[] {
  const timerState = timerStateName(operator, domain);
  const byGroup = store.timers.get(timerState);
  if (byGroup === undefined) return [];
  const due: Timer[] = [];
  let bytes = 0;
  for (const [keyGroup, queue] of byGroup) {
    if (!inRange(keyGroup, range)) continue;
    for (let top = queue.peek(); top !== undefined && top.timestamp <= limit; top = queue.peek()) {
      queue.pop();
      due.push(top);
      bytes += recordKeySize(top.recordKey) + TIMER_BYTES;
    }
    // Deleting the entry being visited is safe in a Map iteration.
    if (queue.size === 0) byGroup.delete(keyGroup);
  }
  if (byGroup.size === 0) store.timers.delete(timerState);
  store.account(-due.length, -bytes);
  due.sort(compareTimers);
  return due.map((timer) => ({
    key: keyOfRecord(timer.recordKey),
    namespace: namespaceOfRecord(timer.recordKey),
    timestamp: timer.timestamp,
    domain,
  }));
}

/** The earliest timestamp of `timerState` in `range`, or null if it has none there. */
export function earliestTimer(store: StateStore, operator: string, domain: TimeDomain, range: KeyGroupRange): number | null {
  const byGroup = store.timers.get(timerStateName(operator, domain));
  if (byGroup === undefined) return null;
  let earliest: number | null = null;
  for (const [keyGroup, queue] of byGroup) {
    const top = queue.peek();
    if (top === undefined || !inRange(keyGroup, range)) continue;
    if (earliest === null || top.timestamp < earliest) earliest = top.timestamp;
  }
  return earliest;
}
