/**
 * Periodic watermarks (pipeline.auto-watermark-interval), on a fake clock: at most one a
 * interval, and the next one due an interval after the last (when the task wakes up for it);
 * an interval of 0 turns them off, as in Flink.
 */
import { describe, expect, it } from 'vitest';
import { WatermarkGenerator } from '../host/runtime/watermark-generator.ts';

function generator(intervalMs: number, idlenessMs: number | null = null): { gen: WatermarkGenerator; clock: { now: number } } {
  const clock = { now: 1_000 };
  const gen = new WatermarkGenerator({ kind: 'bounded-out-of-orderness', maxOutOfOrdernessMs: 5 }, intervalMs, idlenessMs, () => clock.now);
  return { gen, clock };
}

describe('watermark generator', () => {
  it('emits an advanced watermark at once after a quiet interval, then at most one an interval', () => {
    const { gen, clock } = generator(200);
    expect(gen.nextEmitAt()).toBe(Infinity);
    gen.observe([100]);
    expect(gen.poll()).toBe(94);
    gen.observe([150]);
    clock.now += 50;
    expect(gen.poll()).toBe(null);
    // Due one interval after the last: a task waiting for input wakes up then.
    expect(gen.nextEmitAt()).toBe(1_200);
    clock.now = 1_200;
    expect(gen.poll()).toBe(144);
    expect(gen.nextEmitAt()).toBe(Infinity);
    expect(gen.poll()).toBe(null);
  });

  it('an interval of 0 turns periodic watermarks off (and idleness with them)', () => {
    const { gen, clock } = generator(0, 100);
    gen.observe([100, 300]);
    clock.now += 10_000;
    expect(gen.poll()).toBe(null);
    expect(gen.nextEmitAt()).toBe(Infinity);
    expect(gen.idleAt()).toBe(Infinity);
  });

  it('goes idle after the idleness timeout with periodic watermarks on', () => {
    const { gen } = generator(200, 100);
    gen.observe([1]);
    expect(gen.idleAt()).toBe(1_100);
  });
});
