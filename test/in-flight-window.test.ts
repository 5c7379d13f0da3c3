import { describe, expect, it } from 'vitest';
import { InFlightWindow } from '../host/runtime/in-flight-window.ts';

function windowAt(limits: { maxBatches?: number; maxBytes?: number; targetMs?: number } = {}) {
  let now = 0;
  const w = new InFlightWindow({ maxBatches: 8, maxBytes: 1 << 20, targetMs: 20, ...limits }, () => now);
  return { w, advance: (ms: number) => (now += ms) };
}

/** Sends batches of `rows` rows and 100 bytes while the window is open; how many went. */
function fill(w: InFlightWindow, rows: number): number {
  let n = 0;
  while (w.open && n < 100) {
    w.sent(rows, 100);
    n++;
  }
  return n;
}

describe('InFlightWindow', () => {
  it('stays at 2 batches until it has measured what a row takes', () => {
    const { w } = windowAt();
    expect(fill(w, 10_000)).toBe(2);
    expect(w.workInFlightMs).toBe(Infinity);
  });

  it('opens up to max-batches when rows are cheap', () => {
    const { w, advance } = windowAt();
    fill(w, 10_000);
    advance(1); // 10,000 rows in 1 ms: 0.0001 ms a row
    w.processed(1, 10_000, 100);
    expect(w.workInFlightMs).toBe(1);
    expect(fill(w, 10_000)).toBe(7);
    expect(w.inFlight).toBe(8);
    expect(w.open).toBe(false);
  });

  it('keeps 2 batches when 2 already hold more work than the target time', () => {
    const { w, advance } = windowAt();
    fill(w, 10_000);
    advance(10); // 1 µs a row: a batch is 10 ms, two are the 20 ms target
    w.processed(1, 10_000, 100);
    expect(fill(w, 10_000)).toBe(1);
    expect(w.inFlight).toBe(2);
    expect(w.workInFlightMs).toBe(20);
  });

  it('averages recent batches, and does not count time the worker had nothing to do', () => {
    const { w, advance } = windowAt();
    w.sent(1000, 100);
    advance(4);
    w.processed(1, 1000, 100); // 0.004 ms a row; nothing left in flight
    advance(1000); // idle: not a measurement
    w.sent(1000, 100);
    w.sent(1000, 100);
    advance(2);
    w.processed(1, 1000, 100); // the interval since the send: 0.002 ms a row
    expect(w.workInFlightMs).toBeCloseTo(1000 * (0.004 + 0.25 * (0.002 - 0.004)), 12);
    advance(8);
    w.processed(1, 1000, 100); // the worker had this batch waiting: 0.008 ms a row
    expect(w.inFlight).toBe(0);
    w.sent(1000, 100);
    const perRow = 0.0035 + 0.25 * (0.008 - 0.0035);
    expect(w.workInFlightMs).toBeCloseTo(1000 * perRow, 12);
  });

  it('never passes max-batches or max-bytes', () => {
    const cheap = windowAt({ maxBatches: 3 });
    fill(cheap.w, 10);
    cheap.advance(0.001);
    cheap.w.processed(1, 10, 100);
    expect(fill(cheap.w, 10)).toBe(2);
    expect(cheap.w.inFlight).toBe(3);
    const one = windowAt({ maxBatches: 1 });
    expect(fill(one.w, 10)).toBe(1);
    // A batch over the byte bound closes the window even below 2 batches.
    const small = windowAt({ maxBytes: 50 });
    expect(fill(small.w, 10)).toBe(1);
    expect(small.w.bytesInFlight).toBe(100);
  });
});
