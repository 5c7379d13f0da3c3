/**
 * A ProcessWindowFunction's ctx.windowState() and ctx.globalState() end to end, in every mode and
 * bundle setting: per-window state kept across a window's late firings and apart from the
 * key's state of the same name, the key's state shared by its windows, clear() called with the
 * window's state at every purge (tumbling, sliding, sessions, count windows, windowAll) and
 * clearing it; a session's state following it as it grows and merges; and the refusals (a
 * per-window state kept past its call, the operator's own state names).
 *
 * Sources that wait run in the host: they wait for a condition the sink sees, never for a time.
 */
import { describe, expect, it } from 'vitest';
import {
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  Time,
  TumblingEventTimeWindows,
  UserFunctionError,
  WatermarkStrategy,
} from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { BUNDLE_SETTINGS, CallbackSink, collect, environment, MODES } from '../support/jobs.ts';
import { Scripted } from './window-functions.ts';
import {
  ALL_CLEARED,
  ALL_CLEARED_SIZES,
  AllFiringCounts,
  AllSizesPerWindow,
  AsksForState,
  CLEARED,
  CLEARED_SIZES,
  FiringCounts,
  KeepsWindowState,
  OpensOwnState,
  SizesPerWindow,
  type AllFired,
  type AllSizes,
  type Event,
  type Fired,
  type Sizes,
} from './window-state-functions.ts';

const SETTINGS = Object.entries(BUNDLE_SETTINGS);

const monotonous = () => WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e[1]);
/** Watermarks that stay behind every element until the input ends: windows fire at its end only. */
const atEnd = () => WatermarkStrategy.forBoundedOutOfOrderness<Event>(1_000_000).withTimestampAssigner((e) => e[1]);

/** A promise, resolved by the first `seen` value `when` accepts. */
function signal<T>(when: (value: T) => boolean): { promise: Promise<void>; seen: (value: T) => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, seen: (v) => (when(v) ? resolve() : undefined) };
}

const sameWindow = (w: number[], start: number, end: number): boolean => w[0] === start && w[1] === end;

/** By key, then window, then how often it had fired: the order keys fire in at one timestamp is not the point. */
function sorted<T extends [string, number[], ...unknown[]]>(rows: T[], fired: (row: T) => number = () => 0): T[] {
  return [...rows].sort((x, y) => x[0].localeCompare(y[0]) || x[1][0]! - y[1][0]! || fired(x) - fired(y));
}

describe.each(MODES)('%s mode', (mode) => {
  it.each(SETTINGS)('tumbling windows: per-window counts across late firings, per-key counts across windows, clear() clears (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const first = signal<Fired>((v) => v[0] === 'a' && sameWindow(v[1], 0, 10));
    const again = signal<Fired>((v) => v[0] === 'a' && sameWindow(v[1], 0, 10) && v[3] === 2);
    const third = signal<Fired>((v) => sameWindow(v[1], 20, 30));
    const windowed = env
      .addSource(
        // The late 3 fires [0, 10) again at once; 40 moves the watermark past [0, 10)'s lateness: it is purged.
        new Scripted([['a', 1], ['a', 4], ['b', 5], ['a', 25], first.promise, ['a', 3], again.promise, ['a', 40], third.promise]),
        'Scripted',
      )
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(Time.milliseconds(10)))
      .allowedLateness(Time.milliseconds(20))
      .process(new FiringCounts());
    const out: Fired[] = [];
    windowed.addSink(
      new CallbackSink((v: Fired) => {
        out.push(v);
        first.seen(v);
        again.seen(v);
        third.seen(v);
      }),
    );
    const cleared = collect(windowed.getSideOutput(CLEARED));
    await env.execute('tumbling window state');
    // The per-window count and the per-key count share the name 'firings': two states apart.
    expect(sorted(out, (r) => r[3])).toEqual([
      ['a', [0, 10], 5, 1, 1],
      ['a', [0, 10], 8, 2, 2],
      ['a', [20, 30], 25, 1, 3],
      ['a', [40, 50], 40, 1, 4],
      ['b', [0, 10], 5, 1, 1],
    ]);
    // Every window is purged (the last ones at the end of the input) with its state, which clear() empties.
    expect(sorted(cleared)).toEqual([
      ['a', [0, 10], 2, null],
      ['a', [20, 30], 1, null],
      ['a', [40, 50], 1, null],
      ['b', [0, 10], 1, null],
    ]);
  });

  it.each(SETTINGS)('sliding windows: an element in several windows, each with its state; a late one fires the two it falls in (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const fired = signal<Sizes>((v) => sameWindow(v[1], 10, 20));
    const windowed = env
      .addSource(new Scripted([['a', 1], ['a', 7], ['a', 12], ['a', 30], fired.promise, ['a', 8]]), 'Scripted')
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(SlidingEventTimeWindows.of(10, 5))
      .allowedLateness(100)
      .process(new SizesPerWindow());
    const out: Sizes[] = [];
    windowed.addSink(
      new CallbackSink((v: Sizes) => {
        out.push(v);
        fired.seen(v);
      }),
    );
    const cleared = collect(windowed.getSideOutput(CLEARED_SIZES));
    await env.execute('sliding window state');
    expect(sorted(out, (r) => r[2].length)).toEqual([
      ['a', [-5, 5], [1]],
      ['a', [0, 10], [2]],
      ['a', [0, 10], [2, 3]],
      ['a', [5, 15], [2]],
      ['a', [5, 15], [2, 3]],
      ['a', [10, 20], [1]],
      ['a', [25, 35], [1]],
      ['a', [30, 40], [1]],
    ]);
    expect(sorted(cleared)).toEqual([
      ['a', [-5, 5], [1]],
      ['a', [0, 10], [2, 3]],
      ['a', [5, 15], [2, 3]],
      ['a', [10, 20], [1]],
      ['a', [25, 35], [1]],
      ['a', [30, 40], [1]],
    ]);
  });

  it.each(SETTINGS)('session windows: the state follows the session as it grows; a merge keeps the earliest session’s (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const first = signal<Fired>((v) => sameWindow(v[1], 0, 10));
    const grown = signal<Fired>((v) => sameWindow(v[1], 0, 15));
    const other = signal<Fired>((v) => sameWindow(v[1], 23, 33));
    const windowed = env
      .addSource(
        // 5 grows [0, 10) into [0, 15), fired again at once; 14 bridges [0, 15) and [23, 33), both fired: [0, 33) fires at once.
        new Scripted([['a', 0], ['a', 23], first.promise, ['a', 5], grown.promise, ['a', 50], other.promise, ['a', 14]]),
        'Scripted',
      )
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(EventTimeSessionWindows.withGap(10))
      .allowedLateness(100)
      .process(new FiringCounts());
    const out: Fired[] = [];
    windowed.addSink(
      new CallbackSink((v: Fired) => {
        out.push(v);
        first.seen(v);
        grown.seen(v);
        other.seen(v);
      }),
    );
    const cleared = collect(windowed.getSideOutput(CLEARED));
    await env.execute('session window state');
    expect(out).toEqual([
      ['a', [0, 10], 0, 1, 1],
      ['a', [0, 15], 5, 2, 2],
      ['a', [23, 33], 23, 1, 3],
      // [0, 10)'s state window holds the merged session's contents and state; [23, 33)'s count is not merged in.
      ['a', [0, 33], 42, 3, 4],
      ['a', [50, 60], 50, 1, 5],
    ]);
    expect(sorted(cleared)).toEqual([
      ['a', [0, 33], 3, null],
      ['a', [50, 60], 1, null],
    ]);
  });

  it.each(SETTINGS)('count windows and windowAll: clear() right after each count window fires; the whole stream’s state (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const values: Event[] = [];
    for (let i = 1; i <= 7; i++) values.push(['a', i], ['b', 10 * i]);
    const events = env.fromCollection(values).assignTimestampsAndWatermarks(atEnd());
    const tumbling = events.keyBy((e) => e[0]).countWindow(3).process(new FiringCounts());
    const tumblingOut = collect(tumbling);
    const tumblingCleared = collect(tumbling.getSideOutput(CLEARED));
    const sliding = events
      .filter((e) => e[0] === 'a')
      .keyBy((e) => e[0])
      .countWindow(3, 2)
      .process(new FiringCounts());
    const slidingOut = collect(sliding);
    const slidingCleared = collect(sliding.getSideOutput(CLEARED));
    const all = events.countWindowAll(4).process(new AllFiringCounts());
    const allOut: AllFired[] = collect(all);
    const allCleared = collect(all.getSideOutput(ALL_CLEARED));
    const allTime = events.windowAll(TumblingEventTimeWindows.of(20)).process(new AllFiringCounts());
    const allTimeOut: AllFired[] = collect(allTime);
    const allTimeCleared = collect(allTime.getSideOutput(ALL_CLEARED));
    await env.execute('count window state');

    expect(sorted(tumblingOut)).toEqual([
      ['a', [0], 6, 1, 1],
      ['a', [1], 15, 1, 2],
      ['b', [0], 60, 1, 1],
      ['b', [1], 150, 1, 2],
    ]);
    expect(sorted(tumblingCleared)).toEqual([
      ['a', [0], 1, null],
      ['a', [1], 1, null],
      ['b', [0], 1, null],
      ['b', [1], 1, null],
    ]);
    // 3 and 5 are in two windows each: each window counts its own firing.
    expect(slidingOut).toEqual([
      ['a', [0], 6, 1, 1],
      ['a', [1], 12, 1, 2],
      ['a', [2], 18, 1, 3],
    ]);
    expect(slidingCleared).toEqual([
      ['a', [0], 1, null],
      ['a', [1], 1, null],
      ['a', [2], 1, null],
    ]);
    // windowAll's one key: its firings counted over the whole stream. The 13th and 14th elements never fill a window.
    expect(allOut).toEqual([
      [[0], 1 + 10 + 2 + 20, 1, 1],
      [[1], 3 + 30 + 4 + 40, 1, 2],
      [[2], 5 + 50 + 6 + 60, 1, 3],
    ]);
    expect(allCleared).toEqual([
      [[0], 1, null],
      [[1], 1, null],
      [[2], 1, null],
    ]);
    expect(allTimeOut).toEqual([
      [[0, 20], 1 + 2 + 3 + 4 + 5 + 6 + 7 + 10, 1, 1],
      [[20, 40], 20 + 30, 1, 2],
      [[40, 60], 40 + 50, 1, 3],
      [[60, 80], 60 + 70, 1, 4],
    ]);
    expect(allTimeCleared).toEqual([
      [[0, 20], 1, null],
      [[20, 40], 1, null],
      [[40, 60], 1, null],
      [[60, 80], 1, null],
    ]);
  });

  it.each(SETTINGS)('windowAll with allowed lateness: a MapState per window across its firings, a ReducingState over the stream (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const first = signal<AllSizes>((v) => sameWindow(v[0], 0, 10));
    const again = signal<AllSizes>((v) => sameWindow(v[0], 0, 10) && v[1].length === 2);
    const third = signal<AllSizes>((v) => sameWindow(v[0], 20, 30));
    const windowed = env
      .addSource(
        new Scripted([['a', 1], ['b', 4], ['c', 25], first.promise, ['d', 3], again.promise, ['a', 40], third.promise]),
        'Scripted',
      )
      .assignTimestampsAndWatermarks(monotonous())
      .windowAll(TumblingEventTimeWindows.of(10))
      .allowedLateness(20)
      .process(new AllSizesPerWindow());
    const out: AllSizes[] = [];
    windowed.addSink(
      new CallbackSink((v: AllSizes) => {
        out.push(v);
        first.seen(v);
        again.seen(v);
        third.seen(v);
      }),
    );
    const cleared = collect(windowed.getSideOutput(ALL_CLEARED_SIZES));
    await env.execute('windowAll window state');
    expect(out).toEqual([
      [[0, 10], [[1, 2]], 1],
      [[0, 10], [[1, 2], [2, 3]], 2],
      [[20, 30], [[1, 1]], 3],
      [[40, 50], [[1, 1]], 4],
    ]);
    expect(cleared).toEqual([
      [[0, 10], [[1, 2], [2, 3]], true],
      [[20, 30], [[1, 1]], true],
      [[40, 50], [[1, 1]], true],
    ]);
  });

  it('a per-window state kept past the call it was given to is refused, not pointed at another window', async () => {
    const env = environment(mode);
    env
      .fromCollection<Event>([
        ['a', 1],
        ['a', 15],
      ])
      .assignTimestampsAndWatermarks(atEnd())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .process(new KeepsWindowState())
      .addSink(new CallbackSink(() => undefined));
    await expect(env.execute('kept window state')).rejects.toThrow(/good for that process\(\) or clear\(\) call only/);
  });

  it('the runtime context refuses the window operator\'s own state names too', async () => {
    const env = environment(mode);
    env
      .fromCollection<Event>([['a', 1]])
      .assignTimestampsAndWatermarks(atEnd())
      .keyBy((e) => e[0])
      .window(EventTimeSessionWindows.withGap(10))
      .process(new OpensOwnState('__window-sessions'))
      .addSink(new CallbackSink(() => undefined));
    const error = await failureOf<UserFunctionError>(env.execute('own state in open'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.causeMessage).toBe(
      "state '__window-sessions' of a window function's runtime context: names beginning with '__' are the window operator's own " +
        "(its windows' contents, sessions and counts); give the state another name",
    );
  });

  it.each([
    ['windowState', '__window-elements'],
    ['windowState', '__window-state/firings'],
    ['globalState', '__window-sessions'],
    ['globalState', '__window-state/firings'],
  ] as const)('%s() refuses the window operator’s own state name %s', async (store, name) => {
    const env = environment(mode);
    env
      .fromCollection<Event>([['a', 1]])
      .assignTimestampsAndWatermarks(atEnd())
      .keyBy((e) => e[0])
      .window(EventTimeSessionWindows.withGap(10))
      .process(new AsksForState(store, name))
      .addSink(new CallbackSink(() => undefined));
    await expect(env.execute('reserved names')).rejects.toThrow(/names beginning with '__' are the window operator's own/);
  });
});
