/**
 * A processing-time timer that the function deletes and registers again before it fires is one
 * timer, and fires once (Flink's timers are a set: deleting one that has not fired and
 * registering it again leaves one registration). The worker's registrations reach the host with
 * its bundle's state writes, later than the rows it processed: the host must not take a timer to
 * fire while writes made before it fired may still be on their way, or a registration the
 * function made before the timer fired arrives after the host took it, registers it anew, and
 * the timer fires a second time.
 *
 * The worker (timer-race-slow-worker.ts) stands in for a remote one whose answers come back
 * only when the test delivers them; what fires and what goes to the host it decides with the
 * worker's own TimerFiring, as the real bundle processor does.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamElement } from '../host/runtime/stream-element.ts';
import { harness, KEY, wakeForTimer, type Script } from './timer-race-slow-worker.ts';

const element: StreamElement = { kind: 'records', batch: { length: 1, values: ['v'], keys: [KEY], timestamps: null } };

/**
 * Deletes the timer at 1001 (due 1 ms after the test's start) and registers it again: whether or
 * not it was registered, it is registered once.
 */
const reRegisterInProcessElement: Script = {
  processElement(timers) {
    timers.delete(1_001);
    timers.register(1_001);
  },
  onTimer() {},
};

describe('a processing-time timer deleted and registered again before it fires', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(1_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    // The element is still in flight (its bundle open) when the timer is due.
    ['in the bundle open when it is due', 100],
    // The element's bundle (of one) is still finishing when the timer is due.
    ['in a bundle still finishing when it is due', 1],
  ])('fires once when processElement did so %s', async (_l, bundleSize) => {
    // Not due before the element is in (the host then takes due timers once its bundle has
    // closed), due while its bundle is open or finishing.
    const { worker, input, task, waitedForInput } = harness(bundleSize, [1_001], reRegisterInProcessElement);
    await input.put(element);
    const running = task.run();
    await waitedForInput(1);
    await wakeForTimer(1);
    worker.deliver();
    await input.put({ kind: 'end' });
    await running;
    expect(worker.fired).toEqual([1_001]);
  });

  it('fires once when another onTimer of the bundle did so', async () => {
    // Timer 1000 is due at once; its onTimer deletes and registers again 2000, not due yet.
    const { worker, input, task, waitedForInput } = harness(100, [1_000, 2_000], {
      processElement() {},
      onTimer(timestamp, timers) {
        if (timestamp !== 1_000) return;
        timers.delete(2_000);
        timers.register(2_000);
      },
    });
    const running = task.run();
    await waitedForInput(1);
    await wakeForTimer(1);
    expect(worker.fired).toEqual([1_000]);
    // Timer 2000 becomes due while the bundle that fired 1000 has not finished.
    await waitedForInput(2);
    await wakeForTimer(1_000);
    worker.deliver();
    await input.put({ kind: 'end' });
    await running;
    expect(worker.fired).toEqual([1_000, 2_000]);
  });
});
