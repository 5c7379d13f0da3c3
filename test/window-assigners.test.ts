/** Window assigners: the windows each puts an element in, with offsets and negative timestamps as Flink computes them. */
import { describe, expect, it } from 'vitest';
import {
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  Time,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from '../shared/api/index.ts';

const bounds = (windows: TimeWindow[]): Array<[number, number]> => windows.map((w) => [w.start, w.end]);

describe('TimeWindow.getWindowStartWithOffset', () => {
  it.each([
    // timestamp, offset, size, start
    [0, 0, 10, 0],
    [9, 0, 10, 0],
    [10, 0, 10, 10],
    [-1, 0, 10, -10],
    [-10, 0, 10, -10],
    [-11, 0, 10, -20],
    [-15, 0, 10, -20],
    [7, 3, 10, 3],
    [2, 3, 10, -7],
    [2, -3, 10, -3],
    [-4, -3, 10, -13],
    [-3, -3, 10, -3],
  ])('timestamp %d, offset %d, size %d starts at %d', (timestamp, offset, size, start) => {
    expect(TimeWindow.getWindowStartWithOffset(timestamp, offset, size)).toBe(start);
  });
});

describe('TimeWindow', () => {
  it('maxTimestamp is end - 1; windows that touch intersect; cover spans both', () => {
    const a = new TimeWindow(0, 10);
    expect(a.maxTimestamp()).toBe(9);
    expect(a.intersects(new TimeWindow(10, 20))).toBe(true);
    expect(a.intersects(new TimeWindow(11, 20))).toBe(false);
    expect(bounds([a.cover(new TimeWindow(5, 30))])).toEqual([[0, 30]]);
  });
});

describe('assigners', () => {
  it('tumbling event time: one window, aligned to the epoch shifted by the offset', () => {
    expect(bounds(TumblingEventTimeWindows.of(10).assignWindows(25, 0))).toEqual([[20, 30]]);
    expect(bounds(TumblingEventTimeWindows.of(Time.seconds(1)).assignWindows(1500, 0))).toEqual([[1000, 2000]]);
    expect(bounds(TumblingEventTimeWindows.of(10, 3).assignWindows(2, 0))).toEqual([[-7, 3]]);
    expect(bounds(TumblingEventTimeWindows.of(10).assignWindows(-1, 0))).toEqual([[-10, 0]]);
  });

  it('sliding event time: every window holding the element, the latest first', () => {
    expect(bounds(SlidingEventTimeWindows.of(10, 5).assignWindows(12, 0))).toEqual([
      [10, 20],
      [5, 15],
    ]);
    expect(bounds(SlidingEventTimeWindows.of(10, 3, 1).assignWindows(0, 0))).toEqual([
      [-2, 8],
      [-5, 5],
      [-8, 2],
    ]);
    expect(bounds(SlidingEventTimeWindows.of(10, 5).assignWindows(-3, 0))).toEqual([
      [-5, 5],
      [-10, 0],
    ]);
  });

  it('processing-time assigners use the clock, not the timestamp', () => {
    expect(bounds(TumblingProcessingTimeWindows.of(100).assignWindows(5, 1234))).toEqual([[1200, 1300]]);
    expect(bounds(SlidingProcessingTimeWindows.of(100, 50).assignWindows(null, 1234))).toEqual([
      [1200, 1300],
      [1150, 1250],
    ]);
    expect(TumblingProcessingTimeWindows.of(100).isEventTime()).toBe(false);
  });

  it('session windows: [timestamp, timestamp + gap), merging', () => {
    const sessions = EventTimeSessionWindows.withGap(Time.milliseconds(30));
    expect(bounds(sessions.assignWindows(7, 0))).toEqual([[7, 37]]);
    expect(sessions.isMerging()).toBe(true);
    expect(TumblingEventTimeWindows.of(10).isMerging()).toBe(false);
  });

  it('an event-time assigner refuses an element without a timestamp', () => {
    expect(() => TumblingEventTimeWindows.of(10).assignWindows(null, 0)).toThrow(/no timestamp.*assignTimestampsAndWatermarks/s);
    expect(() => TumblingEventTimeWindows.of(10).assignWindows(-Infinity, 0)).toThrow(/no timestamp/);
  });

  it('parameters are checked as Flink checks them', () => {
    expect(() => TumblingEventTimeWindows.of(10, 10)).toThrow('TumblingEventTimeWindows parameters must satisfy abs(offset) < size');
    expect(() => TumblingEventTimeWindows.of(0)).toThrow('abs(offset) < size');
    expect(() => SlidingEventTimeWindows.of(10, 5, -5)).toThrow('SlidingEventTimeWindows parameters must satisfy abs(offset) < slide and size > 0');
    expect(() => EventTimeSessionWindows.withGap(0)).toThrow('EventTimeSessionWindows parameters must satisfy 0 < size');
    expect(() => TumblingEventTimeWindows.of(-5)).toThrow('a window size must be a non-negative number');
  });
});
