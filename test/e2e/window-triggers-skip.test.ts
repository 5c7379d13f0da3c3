/**
 * A trigger's or evictor's failure under the `skip` policy, end to end in every mode: the failed
 * call's record is a dead letter and nothing else is lost. A session merge whose trigger or
 * evictor throws keeps the merged session (the element in it, as a skipped record's state writes
 * stay); a timer shared by several windows fires the others when one window's trigger throws; a
 * window whose trigger threw at its cleanup time, or on its first element, is still cleaned up
 * (ValuesAndClears counts its function's clear() calls per key, and shows the count in later firings).
 */
import { describe, expect, it } from 'vitest';
import {
  CountTrigger,
  DEAD_LETTERS,
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  type DeadLetter,
} from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import type { Event } from './window-functions.ts';
import { atEnd, monotonous, WINDOW_SETTINGS, withTimestamps } from './window-jobs.ts';
import { RefusingDeadline, RefusingEndOfWindow, RefusingEvictor, Values, ValuesAndClears } from './window-trigger-functions.ts';

/** [record, function, message] of each dead letter. */
function described(dead: DeadLetter[]): Array<[unknown, string | null, string]> {
  return dead.map((d) => [d.record, d.function, d.error.message]);
}

const sorted = <T>(values: T[]): T[] => [...values].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));

/** Sessions of gap 10: a@1 and a@20 are sessions of their own until a@11 joins them; a@25 then grows the session to [1, 35). */
const BRIDGED: Event[] = [
  ['a', 1],
  ['a', 20],
  ['a', 11],
  ['a', 25],
];

describe.each(MODES)('%s mode', (mode) => {
  it.each(WINDOW_SETTINGS)(
    'a trigger that throws on the element that merged two sessions: the merged session keeps every element, the failed one included (%s)',
    async (_l, settings) => {
      const env = environment(mode, settings);
      const windowed = env
        .fromCollection<Event>(BRIDGED)
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(EventTimeSessionWindows.withGap(10))
        .trigger(new RefusingEndOfWindow('onElement', 11))
        .process(new Values())
        .setFailurePolicy('skip');
      const out = withTimestamps(windowed);
      const dead = collect(windowed.getSideOutput(DEAD_LETTERS));
      await env.execute('skip: onElement after a merge');
      expect(out).toEqual([[['a', 1, 35, [1, 20, 11, 25]], 34]]);
      expect(described(dead)).toEqual([[['a', 11], 'RefusingEndOfWindow', 'onElement refuses 11']]);
    },
  );

  it.each(WINDOW_SETTINGS)("a trigger whose onMerge throws: the merge stands, with the element that made it; the record is a dead letter (%s)", async (_l, settings) => {
    const env = environment(mode, settings);
    const windowed = env
      .fromCollection<Event>(BRIDGED)
      .assignTimestampsAndWatermarks(atEnd())
      .keyBy((e) => e[0])
      .window(EventTimeSessionWindows.withGap(10))
      .trigger(new RefusingEndOfWindow('onMerge', 30))
      .process(new Values())
      .setFailurePolicy('skip');
    const out = withTimestamps(windowed);
    const dead = collect(windowed.getSideOutput(DEAD_LETTERS));
    await env.execute('skip: onMerge');
    expect(out).toEqual([[['a', 1, 35, [1, 20, 11, 25]], 34]]);
    expect(described(dead)).toEqual([[['a', 11], 'RefusingEndOfWindow', 'onMerge refuses [1, 30)']]);
  });

  it.each(WINDOW_SETTINGS)(
    'an evictor that throws when a merged session fires: the session keeps every element and fires them all at its next count (%s)',
    async (_l, settings) => {
      const env = environment(mode, settings);
      const windowed = env
        .fromCollection<Event>([...BRIDGED, ['a', 26], ['a', 27]])
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(EventTimeSessionWindows.withGap(10))
        .trigger(CountTrigger.of(3))
        .evictor(new RefusingEvictor(11, 3))
        .process(new Values())
        .setFailurePolicy('skip');
      const out = withTimestamps(windowed);
      const dead = collect(windowed.getSideOutput(DEAD_LETTERS));
      await env.execute('skip: evictor after a merge');
      expect(out).toEqual([[['a', 1, 37, [1, 20, 11, 25, 26, 27]], 36]]);
      expect(described(dead)).toEqual([[['a', 11], 'RefusingEvictor', 'evictBefore refuses 11 among 3']]);
    },
  );

  it('an evictor that throws at every firing of a merged session: each firing is a dead letter and no session appears without the elements merged into it', async () => {
    const env = environment(mode);
    const windowed = env
      .fromCollection<Event>([...BRIDGED, ['a', 26], ['a', 27]])
      .assignTimestampsAndWatermarks(atEnd())
      .keyBy((e) => e[0])
      .window(EventTimeSessionWindows.withGap(10))
      .trigger(CountTrigger.of(3))
      .evictor(new RefusingEvictor(11, null))
      .process(new Values())
      .setFailurePolicy('skip');
    const out = withTimestamps(windowed);
    const dead = collect(windowed.getSideOutput(DEAD_LETTERS));
    await env.execute('skip: evictor always');
    expect(out).toEqual([]);
    expect(described(dead)).toEqual([
      [['a', 11], 'RefusingEvictor', 'evictBefore refuses 11 among 3'],
      [['a', 27], 'RefusingEvictor', 'evictBefore refuses 11 among 6'],
    ]);
  });

  it.each(WINDOW_SETTINGS)(
    "a trigger that throws for one of the windows a timer is for: the other windows fire, and the window is still cleaned up at its end (%s)",
    async (_l, settings) => {
      const env = environment(mode, settings);
      // b@7 is in [0, 10) and [5, 15), whose deadlines are both 9; [5, 15)'s trigger throws at 9 and at its cleanup time, 14.
      // b@30's windows fire at 32, after both were cleaned up (results timestamped with their ends, as always).
      const windowed = env
        .fromCollection<Event>([
          ['b', 7],
          ['b', 30],
        ])
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(SlidingEventTimeWindows.of(10, 5))
        .trigger(new RefusingDeadline(2, 5))
        .process(new ValuesAndClears())
        .setFailurePolicy('skip');
      const out = withTimestamps(windowed);
      const dead = collect(windowed.getSideOutput(DEAD_LETTERS));
      await env.execute('skip: shared timer');
      expect(out).toEqual([
        [['b', 0, 10, [7], 0], 9],
        [['b', 30, 40, [30], 2], 39],
        [['b', 25, 35, [30], 2], 34],
      ]);
      expect(described(dead)).toEqual([
        [{ timer: 9, domain: 'EVENT_TIME' }, 'RefusingDeadline', 'onEventTime refuses [5, 15) at 9'],
        [{ timer: 14, domain: 'EVENT_TIME' }, 'RefusingDeadline', 'onEventTime refuses [5, 15) at 14'],
      ]);
    },
  );

  const SPREAD: Event[] = [
    ['a', 1],
    ['a', 2],
    ['a', 3],
    ['b', 3],
    ['a', 4],
    ['a', 12],
    ['b', 13],
    ['a', 25],
  ];

  it('a trigger that throws at a window’s cleanup time: the window is cleaned up all the same (its function’s clear())', async () => {
    const env = environment(mode);
    const windowed = env
      .fromCollection<Event>([...SPREAD, ['b', 26]])
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .trigger(new RefusingEndOfWindow('onEventTime', 10))
      .process(new ValuesAndClears())
      .setFailurePolicy('skip');
    const out = withTimestamps(windowed);
    const dead = collect(windowed.getSideOutput(DEAD_LETTERS));
    await env.execute('skip: cleanup timer');
    expect(sorted(out)).toEqual([
      [['a', 0, 10, [1, 2, 3, 4], 0], 9],
      [['a', 20, 30, [25], 2], 29],
      [['b', 0, 10, [3], 0], 9],
      [['b', 20, 30, [26], 2], 29],
    ]);
    expect(described(dead)).toEqual([
      [{ timer: 19, domain: 'EVENT_TIME' }, 'RefusingEndOfWindow', 'onEventTime refuses [10, 20) at 19'],
      [{ timer: 19, domain: 'EVENT_TIME' }, 'RefusingEndOfWindow', 'onEventTime refuses [10, 20) at 19'],
    ]);
  });

  it('a trigger that throws on a window’s first element: the window still has its cleanup time, fires then with the element, and is cleaned up', async () => {
    const env = environment(mode);
    const windowed = env
      .fromCollection<Event>(SPREAD)
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .trigger(new RefusingEndOfWindow('onElement', 3))
      .process(new ValuesAndClears())
      .setFailurePolicy('skip');
    const out = withTimestamps(windowed);
    const dead = collect(windowed.getSideOutput(DEAD_LETTERS));
    await env.execute('skip: first element');
    expect(sorted(out)).toEqual([
      [['a', 0, 10, [1, 2, 3, 4], 0], 9],
      [['a', 10, 20, [12], 1], 19],
      [['a', 20, 30, [25], 2], 29],
      [['b', 0, 10, [3], 0], 9],
      [['b', 10, 20, [13], 1], 19],
    ]);
    expect(sorted(described(dead))).toEqual([
      [['a', 3], 'RefusingEndOfWindow', 'onElement refuses 3'],
      [['b', 3], 'RefusingEndOfWindow', 'onElement refuses 3'],
    ]);
  });
});
