/** What backpressure-memory (P6) reads from its samples: peaks over windows, and the slope. */
import { describe, expect, it } from 'vitest';
import { peakBetween, slopePerMinute, type MemorySample } from '../benchmarks/lib/memory-sampler.ts';

function sample(atS: number, rss: number): MemorySample {
  return { atS, rss, heapUsed: rss / 2, external: 0, arrayBuffers: 0, records: atS * 1000, workerRss: new Map() };
}

const rss = (s: MemorySample): number => s.rss;
// A saw-tooth: RSS climbs by 10 each second and drops back every fourth (a garbage collection).
const samples = Array.from({ length: 61 }, (_, s) => sample(s + 0.03, 200 + (s % 4) * 10));

describe('peakBetween', () => {
  it('takes the highest sample of the window, its ends included', () => {
    expect(peakBetween(samples, 10, 20, rss)).toBe(230);
    expect(peakBetween(samples, 50, 60, rss)).toBe(230);
    expect(peakBetween(samples, 4, 6, rss)).toBe(220);
    expect(peakBetween(samples, 8, 8, rss)).toBe(200);
    expect(peakBetween(samples, 8, 8, (s) => s.heapUsed)).toBe(100);
  });

  it('refuses a window with no samples', () => {
    expect(() => peakBetween(samples, 70, 80, rss)).toThrow('no memory samples from 70 to 80 s');
  });
});

describe('slopePerMinute', () => {
  it('is the growth per minute of a steady climb', () => {
    const climbing = Array.from({ length: 61 }, (_, s) => sample(s, 100 + 2 * s));
    expect(slopePerMinute(climbing, 10, 60, rss)).toBeCloseTo(120, 9);
  });
});
