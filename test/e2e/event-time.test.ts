/**
 * Event time as in Flink, end to end, in every mode: periodic watermarks go out while the input
 * is quiet (and not at all at an interval of 0), idle and resumed inputs merge as Flink's
 * StatusWatermarkValve, records keep their own timestamps without an assigner, the output of
 * timers is not late for a function chained after them, and what onTimer changes is seen by
 * the timers after it.
 *
 * Sources that wait run in the host: they wait for a condition the sink sees, never for a time.
 */
import { describe, expect, it } from 'vitest';
import { SourceFunction, WatermarkStrategy, type StreamExecutionEnvironment } from '../../host/index.ts';
import { BUNDLE_SETTINGS, CallbackSink, collect, environment, MODES } from '../support/jobs.ts';
import {
  ChangeTimersInOnTimer,
  EmitFromTimer,
  LateCheck,
  TimerAtTimestamp,
  TimestampedSource,
  TimestampReport,
} from './event-time-functions.ts';

/** Emits its steps in order; a step that is a promise is waited for. */
class Scripted extends SourceFunction<[string, number]> {
  constructor(private readonly steps: ([string, number] | Promise<void> | (() => [string, number] | null))[]) {
    super();
  }
  async *run(): AsyncGenerator<[string, number]> {
    for (const step of this.steps) {
      if (step instanceof Promise) await step;
      else if (typeof step === 'function') {
        for (let r = step(); r !== null; r = step()) {
          yield r;
          // Paces the records of a step that keeps its input active (not a wait for a condition).
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } else yield step;
    }
  }
}

/** A promise and its resolve. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * One scripted source's records through monotonous watermarks into TimerAtTimestamp(1) (a timer a
 * millisecond before each record): what reaches the sink, in order; `seen` is told each output.
 */
function timersOf(env: StreamExecutionEnvironment, script: ConstructorParameters<typeof Scripted>[0], seen: (v: string) => void): string[] {
  const out: string[] = [];
  env
    .addSource(new Scripted(script), 'Scripted')
    .assignTimestampsAndWatermarks(monotonous())
    .keyBy((e) => e[0])
    .process(new TimerAtTimestamp(1))
    .addSink(
      new CallbackSink((v: string) => {
        out.push(v);
        seen(v);
      }),
    );
  return out;
}

const monotonous = () => WatermarkStrategy.forMonotonousTimestamps<[string, number]>().withTimestampAssigner((e) => e[1]);
const TIMED_SETTINGS = ['bundle 1, batch 1', 'bundle 7, batch default', 'bundle default, batch default'].map(
  (l) => [l, BUNDLE_SETTINGS[l]!] as const,
);

describe.each(MODES)('%s mode', (mode) => {
  it.each(TIMED_SETTINGS)(
    'a watermark goes out while the input is quiet: a timer it makes due fires before any further record (%s)',
    async (_l, settings) => {
      // An hour of udf.bundle.time: only the periodic watermark can fire the timer before the end.
      const env = environment(mode, {
        ...settings,
        'udf.bundle.time': 3_600_000,
        'pipeline.auto-watermark-interval': 1_000,
        'parallelism.default': 1,
      });
      const seen = signal();
      const fired = signal();
      // The second record comes soon after the first watermark went out (with the first
      // record): its watermark is due an interval after that one, when nothing else happens.
      const out = timersOf(env, [['k', 50], seen.promise, ['k', 100], fired.promise], (v) => {
        if (v === 'el k@50') seen.resolve();
        if (v === 'timer k@99 wm=99') fired.resolve();
      });
      await env.execute('quiet input');
      // (Timer 49 fires under watermark 49, or 99 if that came before its bundle finished.)
      expect(out.filter((v) => !v.startsWith('timer k@49')).sort()).toEqual(['el k@100', 'el k@50', 'timer k@99 wm=99']);
      expect(out.filter((v) => v.startsWith('timer k@49'))).toHaveLength(1);
    },
  );

  it('pipeline.auto-watermark-interval 0 turns periodic watermarks off: timers fire at the end of input only', async () => {
    const env = environment(mode, { 'pipeline.auto-watermark-interval': 0, 'udf.bundle.size': 1, 'parallelism.default': 1 });
    const seen = [signal(), signal()];
    const out = timersOf(env, [['k', 100], seen[0]!.promise, ['k', 200], seen[1]!.promise, ['k', 300]], (v) => {
      if (v === 'el k@100') seen[0]!.resolve();
      if (v === 'el k@200') seen[1]!.resolve();
    });
    await env.execute('no periodic watermarks');
    expect(out).toEqual(['el k@100', 'el k@200', 'el k@300', 'timer k@99 wm=Infinity', 'timer k@199 wm=Infinity', 'timer k@299 wm=Infinity']);
  });

  it.each(TIMED_SETTINGS)(
    'an input that resumes behind the watermark does not hold it back until it catches up (%s)',
    async (_l, settings) => {
      const env = environment(mode, { ...settings, 'parallelism.default': 1 });
      const firstFired = signal();
      const lagResumed = signal();
      const secondFired = signal();
      let lagTs = 20;
      let done = false;
      const out: string[] = [];
      const fast = env
        .addSource(new Scripted([['f', 1000], ['f', 2000], lagResumed.promise, ['f', 3000], secondFired.promise]), 'Fast')
        .assignTimestampsAndWatermarks(monotonous());
      // Idle (no records for 300 ms) until the first timer fired, then active again far behind
      // (its records keep coming), until the second one fired.
      const lag = env
        .addSource(new Scripted([['l', 10], firstFired.promise, () => (done ? null : ['l', lagTs++])]), 'Lag')
        .assignTimestampsAndWatermarks(monotonous().withIdleness(300));
      fast
        .union(lag)
        .keyBy((e) => e[0])
        .process(new TimerAtTimestamp(0))
        .addSink(
          new CallbackSink((v: string) => {
            if (v.startsWith('timer f')) out.push(v);
            if (v === 'timer f@1000 wm=1999') firstFired.resolve();
            if (v === 'el l@20') lagResumed.resolve();
            if (v === 'timer f@2000 wm=2999') {
              done = true;
              secondFired.resolve();
            }
          }),
        );
      await env.execute('resumed input');
      expect(out).toEqual(['timer f@1000 wm=1999', 'timer f@2000 wm=2999', 'timer f@3000 wm=Infinity']);
    },
  );

  it.each(TIMED_SETTINGS)(
    'when every input is idle, the watermark moves to the largest of theirs (%s)',
    async (_l, settings) => {
      const env = environment(mode, { ...settings, 'parallelism.default': 1 });
      const behindSeen = signal();
      const fired = signal();
      const out: string[] = [];
      // Behind's record registers a timer at 3000 and Ahead's record comes after it; Ahead goes
      // idle 1 ms after its record, Behind 2 s after its own: until then Behind holds the
      // watermark at 999; then nothing will move it, and it goes to Ahead's 4999.
      const behind = env
        .addSource(new Scripted([['k', 1000], fired.promise]), 'Behind')
        .assignTimestampsAndWatermarks(monotonous().withIdleness(2_000));
      const ahead = env
        .addSource(new Scripted([behindSeen.promise, ['k', 5000], fired.promise]), 'Ahead')
        .assignTimestampsAndWatermarks(monotonous().withIdleness(1));
      behind
        .union(ahead)
        .keyBy((e) => e[0])
        .process(new TimerAtTimestamp(-2000))
        .addSink(
          new CallbackSink((v: string) => {
            if (v === 'el k@1000') behindSeen.resolve();
            if (!v.startsWith('timer')) return;
            out.push(v);
            fired.resolve();
          }),
        );
      await env.execute('all idle');
      expect(out[0]).toBe('timer k@3000 wm=4999');
    },
  );

  it.each(Object.entries(BUNDLE_SETTINGS))(
    'a strategy without a timestamp assigner keeps the records\' timestamps; none is -Infinity, as Flink\'s Long.MIN_VALUE (%s)',
    async (_l, settings) => {
      const env = environment(mode, { ...settings, 'parallelism.default': 1 });
      const stamped = collect(
        env
          .addSource(new TimestampedSource([['a', 100], ['b', 300], ['c', 200]]), 'Stamped')
          .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<string>(5))
          .keyBy(() => 'k')
          .process(new TimestampReport()),
      );
      const unstamped = collect(
        env
          .fromCollection(['x'])
          .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<string>())
          .keyBy((v) => v)
          .process(new TimestampReport()),
      );
      await env.execute('record timestamps');
      expect(stamped.sort()).toEqual(['el a ts=100', 'el b ts=300', 'el c ts=200', 'timer 100', 'timer 200', 'timer 300']);
      expect(unstamped).toEqual(['el x ts=-Infinity']);
    },
  );

  it.each([
    ['chained', true],
    ['not chained', false],
  ])('the output of timers is not late for the next function, %s', async (_l, chaining) => {
    for (const settings of Object.values(BUNDLE_SETTINGS)) {
      const env = environment(mode, { ...settings, 'udf.operator-chaining.enabled': chaining, 'parallelism.default': 1 });
      const out = collect(
        env
          .fromCollection([['a', 10], ['b', 20], ['a', 30]] as [string, number][])
          .assignTimestampsAndWatermarks(monotonous())
          .keyBy((e) => e[0])
          .process(new EmitFromTimer())
          .process(new LateCheck()),
      );
      await env.execute('timer output');
      expect(out.sort()).toEqual([
        ['a', 10, false],
        ['a', 30, false],
        ['b', 20, false],
      ]);
    }
  });

  it.each(Object.entries(BUNDLE_SETTINGS))(
    'what onTimer deletes does not fire, what it registers due fires in timestamp order (%s)',
    async (_l, settings) => {
      const env = environment(mode, { ...settings, 'parallelism.default': 1 });
      const stream = env.fromCollection(['x']).assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<string>().withTimestampAssigner(() => 1)).keyBy((v) => v);
      const deleteLater = collect(stream.process(new ChangeTimersInOnTimer('event', [10, 20], [20], [15])));
      // 18 joins the timers sent after it in a later batch (of one row at batch size 1).
      const acrossBatches = collect(stream.process(new ChangeTimersInOnTimer('event', [10, 12, 20], [20], [18])));
      // Processing time (long due): 1 deletes 3 and registers 2, which fires before 3 would.
      const processing = collect(stream.process(new ChangeTimersInOnTimer('processing', [1, 3], [3], [2])));
      await env.execute('timers changed in onTimer');
      expect(deleteLater).toEqual(['onTimer 10', 'onTimer 15']);
      expect(acrossBatches).toEqual(['onTimer 10', 'onTimer 12', 'onTimer 18']);
      expect(processing).toEqual(['onTimer 1', 'onTimer 2']);
    },
  );
});
