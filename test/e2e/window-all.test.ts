/**
 * Non-keyed windows end to end (windowAll, countWindowAll), in every mode and bundle setting:
 * tumbling and sliding event-time windows over the whole stream with reduce, aggregate (alone
 * and with a window function), process and apply, whose functions get no key; count windows,
 * tumbling and sliding, with CountWindow given to the functions; allowed lateness and the
 * late-data side output; and two upstream instances feeding the one window instance.
 *
 * Sources that wait run in the host: they wait for a condition the sink sees, never for a time.
 */
import { describe, expect, it } from 'vitest';
import {
  CountWindow,
  OutputTag,
  SlidingEventTimeWindows,
  Time,
  TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type Collector,
  type DataStream,
} from '../../host/index.ts';
import { BUNDLE_SETTINGS, CallbackSink, collect, environment, MODES } from '../support/jobs.ts';
import { CountWindowValues, SumOfAllWindow, WithAllWindow, type Event } from './window-all-functions.ts';
import { Average, Scripted } from './window-functions.ts';

const SETTINGS = Object.entries(BUNDLE_SETTINGS);

const monotonous = () => WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e[1]);

/** Each value with the timestamp it carries (one instance, so in the order the window emitted them). */
function withTimestamps<T>(stream: DataStream<T>): Array<[T, number | null]> {
  return collect(stream.process((v: T, ctx) => [[v, ctx.timestamp()] as [T, number | null]]).setParallelism(1));
}

/** A promise and its resolve. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Elements of several names: windowAll puts them in the same windows. */
const EVENTS: Event[] = [
  ['a', 1],
  ['b', 2],
  ['a', 4],
  ['c', 10],
  ['a', 12],
  ['b', 15],
  ['a', 19],
  ['b', 33],
];

describe.each(MODES)('%s mode', (mode) => {
  it.each(SETTINGS)('tumbling and sliding event-time windows of the whole stream: reduce, aggregate, process, apply (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const events = env.fromCollection(EVENTS).assignTimestampsAndWatermarks(monotonous());
    const tumbling = () => events.windowAll(TumblingEventTimeWindows.of(Time.milliseconds(10)));
    const sliding = () => events.windowAll(SlidingEventTimeWindows.of(10, 5));

    const reduced = withTimestamps(tumbling().reduce((x, y) => [x[0] + y[0], x[1] + y[1]] as Event));
    const averages = withTimestamps(tumbling().aggregate(new Average()));
    const slidingAverages = collect(sliding().aggregate(new Average(), new WithAllWindow()));
    const processed = collect(tumbling().process(new SumOfAllWindow()));
    const applied = collect(sliding().apply((window, inputs) => [[window.start, window.end, [...inputs].map((e) => e[1])]]));
    // A plain function given as reduce's window function is an AllWindowFunction: (window, inputs, out).
    const lambda = collect(
      tumbling().reduce(
        (x, y) => [x[0] + y[0], x[1] + y[1]] as Event,
        (window, inputs, out: Collector<[boolean, number, Event]>) => {
          for (const v of inputs) out.collect([window instanceof TimeWindow, window.start, v]);
        },
      ),
    );
    const processLambda = collect(tumbling().process((ctx, elements) => [[ctx.window().maxTimestamp(), [...elements].length]]));
    await env.execute('windowAll');

    // Results carry window.maxTimestamp(); each window holds every name's elements.
    expect(reduced).toEqual([
      [['aba', 7], 9],
      [['caba', 56], 19],
      [['b', 33], 39],
    ]);
    expect(averages).toEqual([
      [7 / 3, 9],
      [14, 19],
      [33, 39],
    ]);
    expect(slidingAverages).toEqual([
      [-5, 5, 7 / 3],
      [0, 10, 7 / 3],
      [5, 15, 11],
      [10, 20, 14],
      [15, 25, 17],
      [25, 35, 33],
      [30, 40, 33],
    ]);
    expect(processed).toEqual([
      [0, 10, 7, 3],
      [10, 20, 56, 4],
      [30, 40, 33, 1],
    ]);
    expect(applied).toEqual([
      [-5, 5, [1, 2, 4]],
      [0, 10, [1, 2, 4]],
      [5, 15, [10, 12]],
      [10, 20, [10, 12, 15, 19]],
      [15, 25, [15, 19]],
      [25, 35, [33]],
      [30, 40, [33]],
    ]);
    expect(lambda).toEqual([
      [true, 0, ['aba', 7]],
      [true, 10, ['caba', 56]],
      [true, 30, ['b', 33]],
    ]);
    expect(processLambda).toEqual([
      [9, 3],
      [19, 4],
      [39, 1],
    ]);
  });

  it.each(SETTINGS)('countWindowAll: windows of the whole stream’s elements, tumbling and sliding, given CountWindows (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const values: Event[] = [];
    for (let i = 1; i <= 7; i++) values.push([i % 2 === 0 ? 'even' : 'odd', i]);
    const events = env.fromCollection(values).assignTimestampsAndWatermarks(monotonous());
    const tumbling = withTimestamps(events.countWindowAll(3).reduce((x, y) => [x[0] + y[0], x[1] + y[1]] as Event));
    const sliding = collect(
      events.countWindowAll(3, 2).apply((window, inputs) => [[window.id, window instanceof CountWindow, [...inputs].map((e) => e[1])]]),
    );
    const processed = collect(events.countWindowAll(2).process(new CountWindowValues()));
    // slide 0 is PyFlink's default: tumbling windows.
    const slideZero = collect(events.countWindowAll(4, 0).aggregate(new Average(), (window, averages) => [...averages].map((v) => [window.id, v])));
    await env.execute('countWindowAll');

    // The 7th element is alone in an unfilled window: it never fires. Results carry the largest timestamp.
    expect(tumbling).toEqual([
      [['oddevenodd', 6], Infinity],
      [['evenoddeven', 15], Infinity],
    ]);
    expect(sliding).toEqual([
      [0, true, [1, 2, 3]],
      [1, true, [3, 4, 5]],
      [2, true, [5, 6, 7]],
    ]);
    expect(processed).toEqual([
      [0, true, [1, 2]],
      [1, true, [3, 4]],
      [2, true, [5, 6]],
    ]);
    expect(slideZero).toEqual([[0, 2.5]]);
  });

  it.each(SETTINGS)('allowed lateness: a late element of any name fires the one window again; past the lateness it is late (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const firstFiring = signal();
    const refired = signal();
    const secondWindow = signal();
    const late = new OutputTag<Event>('late');
    const windowed = env
      .addSource(
        new Scripted([['a', 1], ['b', 4], ['c', 25], firstFiring.promise, ['d', 3], refired.promise, ['a', 40], secondWindow.promise, ['b', 2]]),
        'Scripted',
      )
      .assignTimestampsAndWatermarks(monotonous())
      .windowAll(TumblingEventTimeWindows.of(10))
      .allowedLateness(Time.milliseconds(20))
      .sideOutputLateData(late)
      .reduce((x, y) => [x[0] + y[0], x[1] + y[1]] as Event, new WithAllWindow());
    const out: unknown[] = [];
    windowed.addSink(
      new CallbackSink((v: [number, number, unknown]) => {
        out.push(v);
        if (v[0] === 0) (out.length === 1 ? firstFiring : refired).resolve();
        if (v[0] === 20) secondWindow.resolve();
      }),
    );
    const lateOut = collect(windowed.getSideOutput(late));
    await env.execute('windowAll lateness');
    expect(out).toEqual([
      [0, 10, ['ab', 5]],
      [0, 10, ['abd', 8]],
      [20, 30, ['c', 25]],
      [40, 50, ['a', 40]],
    ]);
    // 2 + 20 <= the watermark 39: past [0, 10)'s lateness, whose state is gone.
    expect(lateOut).toEqual([['b', 2]]);
  });

  it.each(SETTINGS)('two upstream instances feed the one window instance: each window gets all its elements (%s)', async (_l, settings) => {
    const env = environment(mode, { ...settings, 'parallelism.default': 2 });
    const values: Event[] = [];
    for (let i = 0; i < 30; i++) values.push([`x${i % 3}`, i]);
    const windows = env
      .fromCollection(values)
      .map((e) => e) // two instances, fed round-robin: each sees its elements in timestamp order
      .assignTimestampsAndWatermarks(monotonous())
      .windowAll(TumblingEventTimeWindows.of(10));
    const sums: unknown[] = [];
    windows.process(new SumOfAllWindow()).addSink(new CallbackSink((v) => sums.push(v))).setParallelism(1);
    const sorted: unknown[] = [];
    windows
      .apply((window, inputs) => [[window.start, [...inputs].map((e) => e[1]).sort((x, y) => x - y)]])
      .addSink(new CallbackSink((v) => sorted.push(v)))
      .setParallelism(1);
    await env.execute('windowAll from two instances');
    expect(sums).toEqual([
      [0, 10, 45, 10],
      [10, 20, 145, 10],
      [20, 30, 245, 10],
    ]);
    expect(sorted).toEqual([
      [0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
      [10, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]],
      [20, [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]],
    ]);
  });
});
