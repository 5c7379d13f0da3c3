/** The metric types a MetricGroup registers: exact counts, a meter's rate by an injected clock, distributions merged. */
import { describe, expect, it } from 'vitest';
import {
  DistributionRecorder,
  FunctionGauge,
  mergeDistributions,
  MeterView,
  SimpleCounter,
} from '../shared/api/metric-types.ts';

describe('SimpleCounter', () => {
  it('counts up and down, by 1 or by n, from 0', () => {
    const counter = new SimpleCounter('g.c');
    expect(counter.getCount()).toBe(0);
    counter.inc();
    counter.inc(5);
    counter.dec(2);
    counter.dec();
    expect(counter.getCount()).toBe(3);
  });

  it('refuses what is not a finite number, naming the metric', () => {
    const counter = new SimpleCounter('g.c');
    expect(() => counter.inc('1' as unknown as number)).toThrow(new TypeError("inc() of metric 'g.c' takes a finite number, got '1'"));
    expect(() => counter.dec(Number.NaN)).toThrow(new TypeError("dec() of metric 'g.c' takes a finite number, got NaN"));
    expect(counter.getCount()).toBe(0);
  });
});

describe('MeterView', () => {
  /** A clock the test moves. */
  function clock(): { now: () => number; at: (ms: number) => void } {
    let t = 0;
    return { now: () => t, at: (ms) => (t = ms) };
  }

  it('updates its rate every 5 s from the counts one time span apart, ramping up from 0 as Flink does', () => {
    const c = clock();
    const meter = new MeterView('m', 10, c.now);
    c.at(1000);
    meter.markEvent(10);
    c.at(4999);
    expect(meter.getRate()).toBe(0);
    c.at(5000);
    // (10 - 0) / 10 s: the counts before registration are 0.
    expect(meter.getRate()).toBe(1);
    c.at(6000);
    meter.markEvent(20);
    meter.markEvent();
    c.at(10_000);
    expect(meter.getRate()).toBe(3.1);
    c.at(15_000);
    // (31 at 15 s - 10 at 5 s) / 10 s
    expect(meter.getRate()).toBe(2.1);
    c.at(20_000);
    expect(meter.getRate()).toBe(0);
    expect(meter.getCount()).toBe(31);
  });

  it('gives every update it missed the count as it was: events marked after one belong after it', () => {
    const c = clock();
    const meter = new MeterView('m', 10, c.now);
    c.at(1000);
    meter.markEvent(10);
    // The updates of 5 s and 10 s are made now, both with count 10.
    c.at(12_000);
    meter.markEvent(50);
    expect(meter.getRate()).toBe(1);
    c.at(15_000);
    expect(meter.getRate()).toBe(5);
    // Longer than a span with nothing marked: the rate is 0.
    c.at(60_000);
    expect(meter.getRate()).toBe(0);
    expect(meter.getCount()).toBe(60);
  });

  it('rounds its time span down to a multiple of 5 s, at least 5 s; 60 s by default', () => {
    expect(new MeterView('m', 12).timeSpanSeconds).toBe(10);
    expect(new MeterView('m', 3).timeSpanSeconds).toBe(5);
    expect(new MeterView('m').timeSpanSeconds).toBe(60);
    expect(() => new MeterView('g.m', 0)).toThrow(new TypeError("meter 'g.m': timeSpanInSeconds must be a positive number of seconds, got 0"));
  });
});

describe('DistributionRecorder', () => {
  it('holds the count, sum, least and greatest of what it was given', () => {
    const d = new DistributionRecorder('d');
    expect(d.statistics()).toEqual({ count: 0, sum: 0, min: 0, max: 0 });
    for (const v of [3, -1, 2.5]) d.update(v);
    expect(d.statistics()).toEqual({ count: 3, sum: 4.5, min: -1, max: 3 });
    expect(() => d.update(Number.POSITIVE_INFINITY)).toThrow(new TypeError("distribution 'd': update() takes a finite number, got Infinity"));
  });

  it('merges: counts and sums add up, least min, greatest max; an empty one adds nothing', () => {
    const a = { count: 2, sum: 10, min: 4, max: 6 };
    const b = { count: 3, sum: 3, min: -2, max: 5 };
    const empty = { count: 0, sum: 0, min: 0, max: 0 };
    expect(mergeDistributions(a, b)).toEqual({ count: 5, sum: 13, min: -2, max: 6 });
    expect(mergeDistributions(empty, a)).toEqual(a);
    expect(mergeDistributions(a, empty)).toEqual(a);
    expect(mergeDistributions(empty, empty)).toEqual(empty);
  });
});

describe('FunctionGauge', () => {
  it('reads its function when asked', () => {
    let v = 1;
    const gauge = new FunctionGauge('g', () => v);
    expect(gauge.getValue()).toBe(1);
    v = 7;
    expect(gauge.getValue()).toBe(7);
    expect(() => new FunctionGauge('g', 7 as unknown as () => number)).toThrow(
      new TypeError("gauge 'g' needs a function that returns its value, got number"),
    );
  });
});
