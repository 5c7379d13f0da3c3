/**
 * Keyed windows end to end, in every mode, with bundles of 1 and the default: tumbling, sliding
 * and session windows in event time, late data and allowed lateness, processing-time windows,
 * reduce / aggregate / process / apply, and the end of a bounded input firing every window.
 *
 * Sources that wait run in the host: they wait for a condition the sink sees, never for a time.
 */
import { describe, expect, it } from 'vitest';
import {
  EventTimeSessionWindows,
  OutputTag,
  ProcessingTimeSessionWindows,
  SlidingEventTimeWindows,
  SourceFunction,
  Time,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from '../../host/index.ts';
import { CallbackSink, collect, environment, MODES } from '../support/jobs.ts';
import { Average, Scripted, SumOfWindow, WithWindow, type Event } from './window-functions.ts';
import { atEnd, monotonous, signal, WINDOW_SETTINGS, withTimestamps } from './window-jobs.ts';

const EVENTS: Event[] = [
  ['a', 1],
  ['b', 2],
  ['a', 4],
  ['a', 10],
  ['a', 12],
  ['b', 15],
  ['a', 19],
  ['b', 33],
];

describe.each(MODES)('%s mode', (mode) => {
  it.each(WINDOW_SETTINGS)('tumbling event-time windows sum per key; results carry window.maxTimestamp() (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection(EVENTS)
        .assignTimestampsAndWatermarks(monotonous())
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(Time.milliseconds(10)))
        .reduce((x, y) => [x[0], x[1] + y[1]] as Event),
    );
    await env.execute('tumbling');
    expect(out.sort((x, y) => x[1]! - y[1]! || x[0][0].localeCompare(y[0][0]))).toEqual([
      [['a', 5], 9],
      [['b', 2], 9],
      [['a', 41], 19],
      [['b', 15], 19],
      [['b', 33], 39],
    ]);
  });

  it.each(WINDOW_SETTINGS)('sliding event-time windows: an element is in every window that holds it (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection<Event>([
          ['a', 1],
          ['a', 7],
          ['a', 12],
        ])
        .assignTimestampsAndWatermarks(monotonous())
        .keyBy((e) => e[0])
        .window(SlidingEventTimeWindows.of(10, 5))
        .reduce((x, y) => [x[0], x[1] + y[1]] as Event, new WithWindow()),
    );
    await env.execute('sliding');
    expect(out).toEqual([
      [['a', -5, 5, ['a', 1]], 4],
      [['a', 0, 10, ['a', 8]], 9],
      [['a', 5, 15, ['a', 19]], 14],
      [['a', 10, 20, ['a', 12]], 19],
    ]);
  });

  const SESSIONS: Event[] = [
    ['a', 0],
    ['a', 2],
    ['b', 0],
    ['a', 20],
    ['b', 5],
    ['a', 22],
    ['b', 40],
    // Bridges a's sessions [0, 12) and [20, 32): they merge into [0, 32).
    ['a', 11],
  ];

  it.each(WINDOW_SETTINGS)('session windows merge: two sessions, then an element bridging them (process, %s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection(SESSIONS)
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(EventTimeSessionWindows.withGap(Time.milliseconds(10)))
        .process(new SumOfWindow()),
    );
    await env.execute('sessions');
    expect(out).toEqual([
      [['b', 0, 15, 5, 2], 14],
      [['a', 0, 32, 55, 5], 31],
      [['b', 40, 50, 40, 1], 49],
    ]);
  });

  it.each(WINDOW_SETTINGS)('session windows merge their accumulators: aggregate with a window function (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection(SESSIONS)
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(EventTimeSessionWindows.withGap(10))
        .aggregate(new Average(), new WithWindow()),
    );
    await env.execute('session averages');
    expect(out).toEqual([
      [['b', 0, 15, 2.5], 14],
      [['a', 0, 32, 11], 31],
      [['b', 40, 50, 40], 49],
    ]);
  });

  it.each(WINDOW_SETTINGS)('the end of a bounded input fires every event-time window; aggregate alone emits getResult() (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection(EVENTS)
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(10))
        .aggregate(new Average()),
    );
    await env.execute('end of input');
    // Timers fire in timestamp order; a's [0, 10) timer was registered before b's.
    expect(out).toEqual([
      [2.5, 9],
      [2, 9],
      [41 / 3, 19],
      [15, 19],
      [33, 39],
    ]);
  });

  it.each(WINDOW_SETTINGS)('an element later than its window goes to the late-data side output (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const fired = signal();
    const late = new OutputTag<Event>('late');
    const windowed = env
      .addSource(new Scripted([['a', 1], ['a', 4], ['a', 25], fired.promise, ['a', 3], ['a', 27]]), 'Scripted')
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .sideOutputLateData(late)
      .apply((key: string, window, inputs: Iterable<Event>) => [[key, window.start, window.end, [...inputs].map((e) => e[1])]]);
    const out: unknown[] = [];
    windowed.addSink(
      new CallbackSink((v) => {
        out.push(v);
        fired.resolve();
      }),
    );
    const lateOut = collect(windowed.getSideOutput(late));
    await env.execute('late data');
    expect(out).toEqual([
      ['a', 0, 10, [1, 4]],
      ['a', 20, 30, [25, 27]],
    ]);
    expect(lateOut).toEqual([['a', 3]]);
  });

  it.each(WINDOW_SETTINGS)('allowed lateness: a late element fires its window again; past the lateness it is late (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const firstFiring = signal();
    const refired = signal();
    const secondWindow = signal();
    const late = new OutputTag<Event>('late');
    const windowed = env
      .addSource(
        // The late 3 fires [0, 10) again at once, not at a later watermark: none comes before 40.
        new Scripted([['a', 1], ['a', 4], ['a', 25], firstFiring.promise, ['a', 3], refired.promise, ['a', 40], secondWindow.promise, ['a', 2]]),
        'Scripted',
      )
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(Time.milliseconds(20))
      .sideOutputLateData(late)
      .reduce((x, y) => [x[0], x[1] + y[1]] as Event, new WithWindow());
    const out: unknown[] = [];
    windowed.addSink(
      new CallbackSink((v: [string, number, number, unknown]) => {
        out.push(v);
        if (v[1] === 0) (out.length === 1 ? firstFiring : refired).resolve();
        if (v[1] === 20) secondWindow.resolve();
      }),
    );
    const lateOut = collect(windowed.getSideOutput(late));
    await env.execute('allowed lateness');
    expect(out).toEqual([
      ['a', 0, 10, ['a', 5]],
      ['a', 0, 10, ['a', 8]],
      ['a', 20, 30, ['a', 25]],
      ['a', 40, 50, ['a', 40]],
    ]);
    // 2 + 20 <= the watermark 39: past [0, 10)'s lateness, whose state is gone.
    expect(lateOut).toEqual([['a', 2]]);
  });

  it.each(WINDOW_SETTINGS)('count windows fire once they hold their size: tumbling, and sliding as PyFlink slides them (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const values: Event[] = [];
    for (let i = 1; i <= 7; i++) values.push(['a', i], ['b', 10 * i]);
    const keyed = env
      .fromCollection(values)
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0]);
    const tumbling = withTimestamps(keyed.countWindow(3).reduce((x, y) => [x[0], x[1] + y[1]] as Event));
    const sliding = collect(
      keyed
        .countWindow(3, 2)
        .apply((key: string, window, inputs: Iterable<Event>) => [[key, window.id, [...inputs].map((e) => e[1])]]),
    );
    await env.execute('count windows');
    // The 7th element of a key is alone in an unfilled window: it never fires. Results carry the largest timestamp.
    expect(tumbling).toEqual([
      [['a', 6], Infinity],
      [['b', 60], Infinity],
      [['a', 15], Infinity],
      [['b', 150], Infinity],
    ]);
    expect(sliding).toEqual([
      ['a', 0, [1, 2, 3]],
      ['b', 0, [10, 20, 30]],
      ['a', 1, [3, 4, 5]],
      ['b', 1, [30, 40, 50]],
      ['a', 2, [5, 6, 7]],
      ['b', 2, [50, 60, 70]],
    ]);
  });

  it.each(WINDOW_SETTINGS)('processing-time windows fire on the clock; every element is in one aligned window (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const done = signal();
    const totals = new Map<string, number>();
    const windows: Array<[number, number]> = [];
    const values: Event[] = [];
    for (let i = 0; i < 30; i++) values.push([i % 2 === 0 ? 'even' : 'odd', i]);
    env
      .addSource(new OpenUntil(values, done.promise), 'Open')
      .keyBy((e) => e[0])
      .window(TumblingProcessingTimeWindows.of(50))
      .apply((key: string, window, inputs: Iterable<Event>) => [[key, window.start, window.end, [...inputs].length]])
      .addSink(
        new CallbackSink((v: [string, number, number, number]) => {
          totals.set(v[0], (totals.get(v[0]) ?? 0) + v[3]);
          windows.push([v[1], v[2]]);
          if (totals.get('even') === 15 && totals.get('odd') === 15) done.resolve();
        }),
      );
    await env.execute('processing time');
    expect(Object.fromEntries(totals)).toEqual({ even: 15, odd: 15 });
    expect(windows.every(([start, end]) => end - start === 50 && start % 50 === 0)).toBe(true);
  });

  it.each(WINDOW_SETTINGS)('processing-time session windows merge on the clock: each key’s elements all fire, in sessions of at least the gap (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const done = signal();
    const totals = new Map<string, number>();
    const lengths: number[] = [];
    const values: Event[] = [];
    for (let i = 0; i < 20; i++) values.push([i % 2 === 0 ? 'even' : 'odd', i]);
    env
      .addSource(new OpenUntil(values, done.promise), 'Open')
      .keyBy((e) => e[0])
      .window(ProcessingTimeSessionWindows.withGap(Time.milliseconds(100)))
      .process(new SumOfWindow())
      .addSink(
        new CallbackSink((v: [string, number, number, number, number]) => {
          totals.set(v[0], (totals.get(v[0]) ?? 0) + v[4]);
          lengths.push(v[2] - v[1]);
          if (totals.get('even') === 10 && totals.get('odd') === 10) done.resolve();
        }),
      );
    await env.execute('processing-time sessions');
    expect(Object.fromEntries(totals)).toEqual({ even: 10, odd: 10 });
    expect(lengths.every((n) => n >= 100)).toBe(true);
  });
});

/** Emits its values, then stays open until `done` settles (so processing-time windows can fire). */
class OpenUntil extends SourceFunction<Event> {
  constructor(
    private readonly values: Event[],
    private readonly done: Promise<void>,
  ) {
    super();
  }
  async *run(): AsyncGenerator<Event> {
    yield* this.values;
    await this.done;
  }
}
