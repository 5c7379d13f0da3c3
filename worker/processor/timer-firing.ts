/**
 * The worker's side of firing timers, so that what onTimer changes is seen by the timers after
 * it, as in Flink (whose timer service fires due timers one at a time from its queue):
 *
 *   host: pops the due timers ─▶ batches sorted by (timestamp, registration) ─▶ worker
 *   worker: fires them in order; while it does, a timer registered that is already due
 *           (event time: at or before the bundle's watermark; processing time: now) joins a
 *           queue instead of going to the host, and fires among them in timestamp order;
 *           a timer deleted before its turn does not fire.
 *
 * A queued timer fires before the batch row it precedes by timestamp. Rows of a later batch of
 * the same round are not here yet: a queued timer whose timestamp is not below the last row's
 * (the horizon) waits for the next batch; those still waiting when the bundle finishes are
 * registered with the host then, which fires them in its next round, after every timer of this
 * one (they come after all of them in (timestamp, registration) order). Timers fired from the
 * queue never reach the host.
 *
 * Invariant: `queue` is sorted by timestamp, ties in the order the timers joined it.
 */

export type TimerDomain = 'event' | 'processing';

export interface QueuedTimer {
  readonly domain: TimerDomain;
  /** The key's bytes (a copy: a batch's key column does not outlive its batch). */
  readonly key: Uint8Array;
  readonly timestamp: number;
  readonly id: string;
}

export class TimerFiring {
  private queue: QueuedTimer[] = [];
  /** Timers deleted in this bundle: a row of a later batch naming one is not fired. */
  private readonly deleted = new Set<string>();
  /** The domain of the batch being fired; null while no timers batch runs. */
  private firing: TimerDomain | null = null;
  private horizon = -Infinity;
  private watermark = -Infinity;

  /**
   * BATCH execution: timers fire only at the end of input, and those registered while they fire
   * are ignored (Flink quiesces its timer service then), or one that registers the next would
   * fire for ever. The first one ignored is logged.
   */
  quiescedWhileFiring = false;
  private ignoredOne = false;

  constructor(private readonly now: () => number = Date.now) {}

  /** Whether anything was registered or deleted that rows must be checked against. */
  get changed(): boolean {
    return this.queue.length > 0 || this.deleted.size > 0;
  }

  startBundle(watermark: number): void {
    this.watermark = watermark;
    this.deleted.clear();
  }

  /** A batch of `domain` timers starts firing; `horizon` is its last row's timestamp. */
  beginBatch(domain: TimerDomain, horizon: number): void {
    this.firing = domain;
    this.horizon = horizon;
  }

  endBatch(): void {
    this.firing = null;
  }

  /** A timer is registered: true if it is taken here (queued or already on its way), not for the host. */
  register(domain: TimerDomain, key: Uint8Array, timestamp: number): boolean {
    if (this.quiescedWhileFiring && this.firing !== null) {
      if (!this.ignoredOne) {
        this.ignoredOne = true;
        console.warn(`BATCH execution: timers registered while timers fire at the end of input are ignored, as in Flink (the first: a ${domain}-time timer at ${timestamp})`);
      }
      return true;
    }
    const id = timerId(domain, key, timestamp);
    if (this.queue.some((t) => t.id === id)) return true;
    // Deleted earlier in the bundle and registered again: no longer dropped. When it is queued
    // below, a batch row that still brings it is dropped as the queued one's duplicate.
    this.deleted.delete(id);
    if (this.firing !== domain) return false;
    const due = domain === 'event' ? timestamp <= this.watermark : timestamp <= this.now();
    if (!due) return false;
    let at = this.queue.length;
    while (at > 0 && this.queue[at - 1]!.timestamp > timestamp) at--;
    this.queue.splice(at, 0, { domain, key: key.slice(), timestamp, id });
    return true;
  }

  /** A timer is deleted: it leaves the queue, and a batch row naming it later is not fired. */
  delete(domain: TimerDomain, key: Uint8Array, timestamp: number): void {
    const id = timerId(domain, key, timestamp);
    const at = this.queue.findIndex((t) => t.id === id);
    if (at >= 0) this.queue.splice(at, 1);
    this.deleted.add(id);
  }

  /** Whether a batch row must not fire: its timer was deleted, or is queued to fire in its place. */
  drops(domain: TimerDomain, key: Uint8Array, timestamp: number): boolean {
    const id = timerId(domain, key, timestamp);
    if (this.deleted.delete(id)) return true;
    return this.queue.some((t) => t.id === id);
  }

  /** Takes the first queued timer whose timestamp is below `limit` (the next row's, or the horizon). */
  next(limit: number = this.horizon): QueuedTimer | undefined {
    const first = this.queue[0];
    if (first === undefined || first.timestamp >= limit) return undefined;
    this.queue.shift();
    return first;
  }

  /** At the end of the bundle: the queued timers that did not fire, for the host. */
  takeLeftover(): QueuedTimer[] {
    const left = this.queue;
    this.queue = [];
    return left;
  }
}

function timerId(domain: TimerDomain, key: Uint8Array, timestamp: number): string {
  return `${domain}|${timestamp}|${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1')}`;
}
