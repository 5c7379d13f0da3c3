/**
 * The worker's queue of timers being fired: what onTimer registers already due fires among them
 * in timestamp order (before a batch row of a later timestamp, after the rows of its own), what
 * it deletes does not fire, and what waits beyond the batches sent goes back to the host.
 */
import { describe, expect, it } from 'vitest';
import { TimerFiring } from '../worker/processor/timer-firing.ts';

const K = new Uint8Array([1, 2]);
const L = new Uint8Array([3]);

describe('timer firing queue', () => {
  it('takes a due registration while its domain fires; not an undue one, nor one outside firing', () => {
    const firing = new TimerFiring(() => 1_000);
    firing.startBundle(50);
    expect(firing.register('event', K, 15)).toBe(false);
    firing.beginBatch('event', 20);
    expect(firing.register('event', K, 15)).toBe(true);
    expect(firing.register('event', K, 15)).toBe(true);
    expect(firing.register('event', K, 51)).toBe(false);
    expect(firing.register('processing', K, 5)).toBe(false);
    firing.endBatch();
    firing.beginBatch('processing', 900);
    expect(firing.register('processing', K, 999)).toBe(true);
    expect(firing.register('processing', K, 1_001)).toBe(false);
  });

  it('hands queued timers out in timestamp order, each only before a row of a later timestamp', () => {
    const firing = new TimerFiring();
    firing.startBundle(100);
    firing.beginBatch('event', 20);
    firing.register('event', K, 18);
    firing.register('event', L, 12);
    firing.register('event', K, 12);
    firing.register('event', K, 20);
    expect(firing.next(12)).toBe(undefined);
    expect(firing.next(13)?.key).toEqual(L);
    expect(firing.next(13)?.key).toEqual(K);
    expect(firing.next(13)).toBe(undefined);
    // At the batch's end: below its last row's timestamp only; 20 waits for the next batch.
    expect(firing.next()?.timestamp).toBe(18);
    expect(firing.next()).toBe(undefined);
    firing.endBatch();
    expect(firing.takeLeftover().map((t) => [t.domain, t.timestamp])).toEqual([['event', 20]]);
    expect(firing.changed).toBe(false);
  });

  it('a deleted timer leaves the queue and is skipped when a later batch brings it; re-registered, it fires once', () => {
    const firing = new TimerFiring();
    firing.startBundle(100);
    firing.beginBatch('event', 10);
    firing.register('event', K, 5);
    firing.delete('event', K, 5);
    firing.delete('event', K, 20);
    expect(firing.next()).toBe(undefined);
    firing.endBatch();
    firing.beginBatch('event', 30);
    expect(firing.drops('event', K, 20)).toBe(true);
    expect(firing.drops('event', K, 20)).toBe(false);
    firing.delete('event', L, 30);
    firing.register('event', L, 30);
    // Queued again: the row that brings it is the duplicate.
    expect(firing.drops('event', L, 30)).toBe(true);
    expect(firing.takeLeftover().map((t) => t.timestamp)).toEqual([30]);
    // A new bundle forgets the deletions of the last.
    firing.delete('event', K, 40);
    firing.startBundle(100);
    expect(firing.drops('event', K, 40)).toBe(false);
  });
});
