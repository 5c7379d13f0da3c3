/**
 * Window evictors end to end, in every mode, with bundles of 1 and the default: a window with an
 * evictor keeps every element and runs reduce, aggregate, process or apply over what is left
 * when it fires (Flink's EvictingWindowOperator). CountEvictor (Flink's countWindow(size, slide)
 * built from GlobalWindows), evicting after the function, TimeEvictor, DeltaEvictor with a delta
 * function written in the job file, an Evictor subclass written there, and sessions merging
 * evicting contents.
 */
import { describe, expect, it } from 'vitest';
import {
  CountEvictor,
  CountTrigger,
  DeltaEvictor,
  EventTimeSessionWindows,
  Evictor,
  GlobalWindows,
  TimeEvictor,
  TumblingEventTimeWindows,
  type TimestampedValues,
} from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import { Average, SumOfWindow, type Event } from './window-functions.ts';
import { atEnd, WINDOW_SETTINGS, withTimestamps } from './window-jobs.ts';
import { Values, WindowAndValues } from './window-trigger-functions.ts';

const sum = (x: Event, y: Event): Event => [x[0], x[1] + y[1]];

/** Removes the elements whose value is odd, before the window function runs. Written in the job's file: it travels as its source. */
class DropOdd extends Evictor<Event> {
  evictBefore(elements: TimestampedValues<Event>): void {
    const it = elements.iterator();
    for (let step = it.next(); step.done !== true; step = it.next()) if (step.value.getValue()[1] % 2 === 1) it.remove();
  }
  evictAfter(): void {}
}

function keyed(env: ReturnType<typeof environment>, events: Event[]) {
  return env
    .fromCollection(events)
    .assignTimestampsAndWatermarks(atEnd())
    .keyBy((e) => e[0]);
}

const ONE_TO_SEVEN: Event[] = [1, 2, 3, 4, 5, 6, 7].map((n): Event => ['a', n]);

describe.each(MODES)('%s mode', (mode) => {
  it.each(WINDOW_SETTINGS)("CountEvictor.of(3) with CountTrigger.of(2) on GlobalWindows: Flink's countWindow(3, 2), reduce and process (%s)", async (_l, settings) => {
    const env = environment(mode, settings);
    const reduced = withTimestamps(keyed(env, ONE_TO_SEVEN).window(GlobalWindows.create()).evictor(CountEvictor.of(3)).trigger(CountTrigger.of(2)).reduce(sum));
    const listed = collect(keyed(env, ONE_TO_SEVEN).window(GlobalWindows.create()).trigger(CountTrigger.of(2)).evictor(CountEvictor.of(3)).process(new WindowAndValues()));
    await env.execute('count evictor');
    // The reduce runs at each firing over the last 3 elements: the evictor dropped the rest for good.
    expect(reduced).toEqual([
      [['a', 3], Infinity],
      [['a', 9], Infinity],
      [['a', 15], Infinity],
    ]);
    expect(listed).toEqual([
      ['a', 'GlobalWindow', [1, 2]],
      ['a', 'GlobalWindow', [2, 3, 4]],
      ['a', 'GlobalWindow', [4, 5, 6]],
    ]);
  });

  it.each(WINDOW_SETTINGS)('CountEvictor.of(1, true) evicts after the function: the next firing starts from the last element (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = collect(keyed(env, ONE_TO_SEVEN.slice(0, 4)).window(GlobalWindows.create()).trigger(CountTrigger.of(2)).evictor(CountEvictor.of(1, true)).process(new WindowAndValues()));
    await env.execute('evict after');
    expect(out).toEqual([
      ['a', 'GlobalWindow', [1, 2]],
      ['a', 'GlobalWindow', [2, 3, 4]],
    ]);
  });

  it.each(WINDOW_SETTINGS)('TimeEvictor.of(3) keeps what is within 3 ms of the newest element; reduce and aggregate run over it (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const events: Event[] = [
      ['a', 1],
      ['a', 4],
      ['a', 6],
      ['a', 8],
      ['a', 12],
      ['a', 19],
    ];
    const reduced = withTimestamps(keyed(env, events).window(TumblingEventTimeWindows.of(10)).evictor(TimeEvictor.of(3)).reduce(sum));
    const averaged = collect(keyed(env, events).window(TumblingEventTimeWindows.of(10)).evictor(TimeEvictor.of(3)).aggregate(new Average()));
    await env.execute('time evictor');
    // [0, 10): the newest is 8, so 1 and 4 (at or before 5) go; [10, 20): 12 goes (at or before 16).
    expect(reduced).toEqual([
      [['a', 14], 9],
      [['a', 19], 19],
    ]);
    expect(averaged).toEqual([7, 19]);
  });

  it.each(WINDOW_SETTINGS)('DeltaEvictor with a delta function written in the job file; an Evictor subclass written there (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const events: Event[] = [1, 2, 10, 11, 12, 30].map((n): Event => ['a', n]);
    const delta = collect(
      keyed(env, events)
        .window(GlobalWindows.create())
        .trigger(CountTrigger.of(3))
        .evictor(DeltaEvictor.of(5, (older: Event, newest: Event) => Math.abs(newest[1] - older[1])))
        .process(new WindowAndValues()),
    );
    const even = collect(keyed(env, ONE_TO_SEVEN.slice(0, 6)).window(TumblingEventTimeWindows.of(10)).evictor(new DropOdd()).process(new Values()));
    await env.execute('delta evictor');
    // First firing: 1 and 2 are 5 or more from 10. Second: 10, 11 and 12 are from 30.
    expect(delta).toEqual([
      ['a', 'GlobalWindow', [10]],
      ['a', 'GlobalWindow', [30]],
    ]);
    expect(even).toEqual([['a', 0, 10, [2, 4, 6]]]);
  });

  it.each(WINDOW_SETTINGS)("session windows with an evictor merge every element; CountEvictor keeps the merged session's last two (%s)", async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      keyed(env, [
        ['a', 0],
        ['a', 20],
        ['a', 10],
      ])
        .window(EventTimeSessionWindows.withGap(10))
        .evictor(CountEvictor.of(2))
        .process(new SumOfWindow()),
    );
    await env.execute('session evictor');
    // [0, 10)'s elements, then [20, 30)'s merged after them, then the bridging 10: the last two are 20 and 10.
    expect(out).toEqual([[['a', 0, 30, 30, 2], 29]]);
  });
});
