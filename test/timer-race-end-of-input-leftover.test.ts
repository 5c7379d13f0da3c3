/**
 * At the end of input the processing-time timers due then fire, and so do the due ones that
 * their onTimer registered: those the worker did not fire among them (not below the last timer
 * sent) come back to the host with the bundle and fire in a further round, as Flink's loop over
 * the timers due at one time fires what the timers it fires register due. They are not dropped.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness } from './timer-race-slow-worker.ts';

describe('processing-time timers at the end of input', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(1_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fire what their onTimer registered due, once each', async () => {
    // The first onTimer(5) registers 7 twice (one timer, due, after the last timer sent: it
    // comes back) and 5 again (fired: a new registration, which comes back too).
    let first = true;
    const { worker, input, task } = harness(100, [5], {
      processElement() {},
      onTimer(timestamp, timers) {
        if (!first) return;
        first = false;
        timers.register(7);
        timers.register(7);
        timers.register(5);
      },
    });
    worker.deliver();
    await input.put({ kind: 'end' });
    await task.run();
    expect(worker.fired).toEqual([5, 5, 7]);
  });
});
