/**
 * Window triggers end to end, in every mode, with bundles of 1 and the default: Flink's built-in
 * triggers replacing the assigner's default one (CountTrigger, PurgingTrigger,
 * ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger, EventTimeTrigger given
 * explicitly), GlobalWindows, triggers written by the user (in this file, shipped as source; in a
 * module; asynchronous) with per-window state and timers, sessions merging a trigger's state, and
 * a trigger's failure named after it.
 *
 * Sources that wait run in the host: they wait for a condition the sink sees, never for a time.
 */
import { describe, expect, it } from 'vitest';
import {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountTrigger,
  DEAD_LETTERS,
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindows,
  OutputTag,
  PurgingTrigger,
  SlidingEventTimeWindows,
  SourceFunction,
  Time,
  Trigger,
  TriggerResult,
  TumblingEventTimeWindows,
  ValueStateDescriptor,
  type TimeWindow,
  type TriggerContext,
} from '../../host/index.ts';
import { CallbackSink, collect, environment, MODES } from '../support/jobs.ts';
import { Scripted, SumOfWindow, WithWindow, type Event } from './window-functions.ts';
import { atEnd, monotonous, signal, WINDOW_SETTINGS, withTimestamps } from './window-jobs.ts';
import { AsyncCount, SumReached, Values, WindowAndValues } from './window-trigger-functions.ts';

const sum = (x: Event, y: Event): Event => [x[0], x[1] + y[1]];

/**
 * Fires (and purges) a window `delay` ms of event time after its latest element, not after its
 * end: a timer per window, moved by each element (the old one deleted), its time in the
 * per-window state 'pending'. Written here, in the job's file: it travels as its source.
 */
class DelayedFire extends Trigger<Event, TimeWindow> {
  constructor(readonly delay: number) {
    super();
  }
  onElement(_e: Event, timestamp: number | null, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const pending = ctx.getPartitionedState(new ValueStateDescriptor<number>('pending'));
    const old = pending.value();
    if (old !== null) ctx.deleteEventTimeTimer(old);
    const at = Math.min(timestamp! + this.delay, window.maxTimestamp());
    pending.update(at);
    ctx.registerEventTimeTimer(at);
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, _window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const pending = ctx.getPartitionedState(new ValueStateDescriptor<number>('pending'));
    if (pending.value() !== time) return TriggerResult.CONTINUE;
    pending.clear();
    return TriggerResult.FIRE_AND_PURGE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(_window: TimeWindow, ctx: TriggerContext): void {
    const pending = ctx.getPartitionedState(new ValueStateDescriptor<number>('pending'));
    const old = pending.value();
    if (old !== null) ctx.deleteEventTimeTimer(old);
    pending.clear();
  }
}

/** Fires at the window's end; throws on an element whose value is 3. */
class Fussy extends Trigger<Event, TimeWindow> {
  onElement(e: Event, _timestamp: number | null, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (e[1] === 3) throw new Error('three is one too many');
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}

/** Returns what is not a TriggerResult. */
class Forgetful extends Trigger<Event, TimeWindow> {
  onElement(): TriggerResult {
    return undefined as unknown as TriggerResult;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(): void {}
}

describe.each(MODES)('%s mode', (mode) => {
  it.each(WINDOW_SETTINGS)('CountTrigger.of(3) replaces the event-time trigger: every third element of a window fires it, with all it holds (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection<Event>([
          ['a', 1],
          ['a', 2],
          ['b', 3],
          ['a', 3],
          ['a', 4],
          ['a', 5],
          ['a', 6],
          ['a', 7],
          ['a', 11],
          ['a', 12],
          ['a', 13],
          ['b', 14],
        ])
        .assignTimestampsAndWatermarks(monotonous())
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(10))
        .trigger(CountTrigger.of(3))
        .reduce(sum),
    );
    await env.execute('count trigger');
    // a's 7 and b's windows never reach a count of 3: they are cleaned up at their end without firing.
    expect(out).toEqual([
      [['a', 6], 9],
      [['a', 21], 9],
      [['a', 36], 19],
    ]);
  });

  it.each(WINDOW_SETTINGS)('PurgingTrigger.of(CountTrigger.of(2)): each firing purges what fired (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection<Event>([
          ['a', 1],
          ['a', 2],
          ['a', 3],
          ['a', 4],
          ['a', 5],
          ['a', 12],
        ])
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(10))
        .trigger(PurgingTrigger.of(CountTrigger.of(2)))
        .process(new Values()),
    );
    await env.execute('purging trigger');
    expect(out).toEqual([
      [['a', 0, 10, [1, 2]], 9],
      [['a', 0, 10, [3, 4]], 9],
    ]);
  });

  it.each(WINDOW_SETTINGS)('ContinuousEventTimeTrigger fires early results every interval of event time, then at the end (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const first = signal();
    const second = signal();
    const out: Array<[Event, number | null]> = [];
    env
      .addSource(new Scripted([['a', 1], ['a', 3], ['a', 7], first.promise, ['a', 8], ['a', 12], second.promise, ['a', 30]]), 'Scripted')
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(20))
      .trigger(ContinuousEventTimeTrigger.of(Time.milliseconds(5)))
      .reduce(sum)
      .process((v: Event, ctx) => [[v, ctx.timestamp()] as [Event, number | null]])
      .addSink(
        new CallbackSink((v: [Event, number | null]) => {
          out.push(v);
          if (out.length === 1) first.resolve();
          if (out.length === 2) second.resolve();
        }),
      );
    await env.execute('continuous event time');
    // [0, 20): at 5 (1 + 3 + 7; the watermark passes 5 only after 7), at 10 (+ 8 + 12), at 15, and at its end 19.
    // [20, 40): at 35 and at 39, when the input ends.
    expect(out).toEqual([
      [['a', 11], 19],
      [['a', 31], 19],
      [['a', 31], 19],
      [['a', 31], 19],
      [['a', 30], 39],
      [['a', 30], 39],
    ]);
  });

  it.each(WINDOW_SETTINGS)('GlobalWindows: one window per key that fires by its trigger alone; without one it never fires (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const keyed = env
      .fromCollection<Event>([
        ['a', 1],
        ['b', 10],
        ['a', 2],
        ['b', 20],
        ['a', 3],
        ['a', 4],
        ['b', 30],
        ['a', 5],
      ])
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0]);
    const counted = withTimestamps(keyed.window(GlobalWindows.create()).trigger(CountTrigger.of(2)).process(new WindowAndValues()));
    const purged = collect(keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(2))).process(new WindowAndValues()));
    const never = collect(keyed.window(GlobalWindows.create()).reduce(sum));
    await env.execute('global windows');
    // Results carry the GlobalWindow's maxTimestamp(), Infinity (Flink's Long.MAX_VALUE).
    expect(counted).toEqual([
      [['a', 'GlobalWindow', [1, 2]], Infinity],
      [['b', 'GlobalWindow', [10, 20]], Infinity],
      [['a', 'GlobalWindow', [1, 2, 3, 4]], Infinity],
    ]);
    expect(purged).toEqual([
      ['a', 'GlobalWindow', [1, 2]],
      ['b', 'GlobalWindow', [10, 20]],
      ['a', 'GlobalWindow', [3, 4]],
    ]);
    expect(never).toEqual([]);
  });

  it.each(WINDOW_SETTINGS)('ContinuousEventTimeTrigger on GlobalWindows: the end of the input fires its timers, Infinity included, and stops (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection<Event>([
          ['a', 1],
          ['a', 5],
          ['a', 12],
        ])
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(GlobalWindows.create())
        .trigger(ContinuousEventTimeTrigger.of(10))
        .process(new WindowAndValues()),
    );
    await env.execute('continuous global');
    // At 10 (the first element's interval), then at Infinity (the window's maxTimestamp()); not every 10 ms for ever.
    expect(out).toEqual([
      [['a', 'GlobalWindow', [1, 5, 12]], Infinity],
      [['a', 'GlobalWindow', [1, 5, 12]], Infinity],
    ]);
  });

  it.each(WINDOW_SETTINGS)('a Trigger written in the job file: per-window state and timers, moved and deleted, two windows sharing a time (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection<Event>([
          ['a', 1],
          ['b', 3],
          ['a', 7],
        ])
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(SlidingEventTimeWindows.of(10, 5))
        // A lateness keeps the cleanup timers away from the trigger's: only the trigger's fire the windows.
        .allowedLateness(100)
        .trigger(new DelayedFire(3))
        .process(new Values()),
    );
    await env.execute('delayed fire');
    // a's [-5, 5) and [0, 10) both wanted a timer at 4; [0, 10) moved its to 9 at a's 7, which
    // deleted its registration only: [-5, 5) still fired at 4.
    const byEndThenKey = (x: [[string, number, number, number[]], number | null], y: typeof x): number => x[0][2] - y[0][2] || x[0][0].localeCompare(y[0][0]);
    expect(out.sort(byEndThenKey)).toEqual([
      [['a', -5, 5, [1]], 4],
      [['b', -5, 5, [3]], 4],
      [['a', 0, 10, [1, 7]], 9],
      [['b', 0, 10, [3]], 9],
      [['a', 5, 15, [7]], 14],
    ]);
  });

  it.each(WINDOW_SETTINGS)('a Trigger from a module: FIRE_AND_PURGE on its state, FIRE at the end by its timer; an empty window fires nothing (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = collect(
      env
        .fromCollection<Event>([
          ['a', 1],
          ['a', 2],
          ['a', 3],
          ['a', 4],
          ['a', 5],
          ['a', 6],
          ['a', 7],
          ['a', 15],
        ])
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(10))
        .trigger(new SumReached(10))
        .process(new Values()),
    );
    await env.execute('sum reached');
    expect(out).toEqual([
      ['a', 0, 10, [1, 2, 3, 4]],
      ['a', 0, 10, [5, 6]],
      ['a', 10, 20, [15]],
      ['a', 0, 10, [7]],
    ]);
  });

  it.each(WINDOW_SETTINGS)('an asynchronous Trigger: the operator waits for each of its calls (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection<Event>([
          ['a', 1],
          ['b', 2],
          ['a', 3],
          ['a', 4],
          ['b', 5],
          ['a', 6],
          ['a', 7],
        ])
        .assignTimestampsAndWatermarks(monotonous())
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(10))
        .trigger(new AsyncCount(2))
        .reduce(sum),
    );
    await env.execute('async trigger');
    expect(out).toEqual([
      [['a', 4], 9],
      [['b', 7], 9],
      [['a', 10], 9],
    ]);
  });

  it.each(WINDOW_SETTINGS)('session windows merge their trigger state: CountTrigger counts across the sessions a bridging element joins (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = withTimestamps(
      env
        .fromCollection<Event>([
          ['a', 0],
          ['a', 20],
          ['b', 0],
          ['b', 5],
          // Touches [0, 10) and [20, 30): the three merge into [0, 30), whose count is 1 + 1 + 1.
          ['a', 10],
        ])
        .assignTimestampsAndWatermarks(atEnd())
        .keyBy((e) => e[0])
        .window(EventTimeSessionWindows.withGap(10))
        .trigger(CountTrigger.of(3))
        .process(new SumOfWindow()),
    );
    await env.execute('session count');
    expect(out).toEqual([[['a', 0, 30, 30, 3], 29]]);
  });

  it.each(WINDOW_SETTINGS)('EventTimeTrigger given explicitly is the default: allowed lateness fires a window again, later elements go to the side output (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const firstFiring = signal();
    const refired = signal();
    const secondWindow = signal();
    const late = new OutputTag<Event>('late');
    const windowed = env
      .addSource(
        new Scripted([['a', 1], ['a', 4], ['a', 25], firstFiring.promise, ['a', 3], refired.promise, ['a', 40], secondWindow.promise, ['a', 2]]),
        'Scripted',
      )
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(Time.milliseconds(20))
      .sideOutputLateData(late)
      .trigger(EventTimeTrigger.create())
      .reduce(sum, new WithWindow());
    const out: unknown[] = [];
    windowed.addSink(
      new CallbackSink((v: [string, number, number, unknown]) => {
        out.push(v);
        if (v[1] === 0) (out.length === 1 ? firstFiring : refired).resolve();
        if (v[1] === 20) secondWindow.resolve();
      }),
    );
    const lateOut = collect(windowed.getSideOutput(late));
    await env.execute('explicit event-time trigger');
    expect(out).toEqual([
      ['a', 0, 10, ['a', 5]],
      ['a', 0, 10, ['a', 8]],
      ['a', 20, 30, ['a', 25]],
      ['a', 40, 50, ['a', 40]],
    ]);
    expect(lateOut).toEqual([['a', 2]]);
  });

  it.each(WINDOW_SETTINGS)('ContinuousProcessingTimeTrigger fires a GlobalWindow on the clock, each firing with everything so far (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const done = signal();
    const counts: number[] = [];
    const values: Event[] = [];
    for (let i = 0; i < 30; i++) values.push(['k', i]);
    env
      .addSource(new OpenUntil(values, done.promise), 'Open')
      .keyBy((e) => e[0])
      .window(GlobalWindows.create())
      .trigger(ContinuousProcessingTimeTrigger.of(20))
      .apply((_key: string, _window, inputs: Iterable<Event>) => [[...inputs].length])
      .addSink(
        new CallbackSink((n: number) => {
          counts.push(n);
          if (n === 30) done.resolve();
        }),
      );
    await env.execute('continuous processing time');
    expect(counts.at(-1)).toBe(30);
    expect([...counts].sort((x, y) => x - y)).toEqual(counts);
  });

  it("under the skip policy a trigger's failure is a dead letter naming the trigger; the element stays in its window, as a skipped record's state writes do", async () => {
    const env = environment(mode);
    const windowed = env
      .fromCollection<Event>([
        ['a', 1],
        ['a', 3],
        ['a', 5],
      ])
      .assignTimestampsAndWatermarks(atEnd())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .trigger(new Fussy())
      .process(new Values())
      .setFailurePolicy('skip');
    const out = collect(windowed);
    const dead = collect(windowed.getSideOutput(DEAD_LETTERS));
    await env.execute('fussy trigger');
    expect(out).toEqual([['a', 0, 10, [1, 3, 5]]]);
    expect(dead.map((d) => [d.record, d.operator, d.function, d.error.message])).toEqual([[['a', 3], 'Window(process)', 'Fussy', 'three is one too many']]);
  });

  it('a trigger that returns no TriggerResult fails the job, naming it', async () => {
    const env = environment(mode);
    env
      .fromCollection<Event>([['a', 1]])
      .assignTimestampsAndWatermarks(monotonous())
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .trigger(new Forgetful())
      .reduce(sum)
      .print();
    await expect(env.execute('forgetful trigger')).rejects.toThrow(
      'Forgetful.onElement() returned undefined; a trigger returns a TriggerResult (TriggerResult.CONTINUE, FIRE, PURGE or FIRE_AND_PURGE)',
    );
  });
});

/** Emits its values, then stays open until `done` settles (so processing-time timers can fire). */
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
