/**
 * A union of an input that ended and others that went idle, end to end, in every mode: as in
 * Flink (a source that ends emits Long.MAX_VALUE as its last watermark), the ended input holds
 * the watermark at +Infinity, so once the others are idle nothing holds it back and every
 * event-time timer fires, while the idle inputs are still open. The watermark used to stop at
 * the largest of the idle inputs' own.
 *
 * Sources that wait run in the host: they wait for a condition the sink sees, never for a time.
 */
import { describe, expect, it } from 'vitest';
import { SourceFunction, WatermarkStrategy } from '../../host/index.ts';
import { BUNDLE_SETTINGS, CallbackSink, environment, MODES } from '../support/jobs.ts';
import { TimerAtTimestamp } from './event-time-functions.ts';

type Event = [string, number];

/** Emits `first`, then (if given) `paced` every 20 ms until `stop` says so, then waits for `until`. */
class Steps extends SourceFunction<Event> {
  constructor(
    private readonly first: Promise<void>,
    private readonly records: Event[],
    private readonly paced: { record: Event; stop: () => boolean } | null,
    private readonly until: Promise<void>,
  ) {
    super();
  }
  async *run(): AsyncGenerator<Event> {
    await this.first;
    yield* this.records;
    while (this.paced !== null && !this.paced.stop()) {
      yield this.paced.record;
      // Paces the records that keep this input active (not a wait for a condition).
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await this.until;
  }
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const monotonous = () => WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e[1]);
const SETTINGS = ['bundle 1, batch 1', 'bundle default, batch default'].map((l) => [l, BUNDLE_SETTINGS[l]!] as const);

describe.each(MODES)('%s mode', (mode) => {
  it.each(SETTINGS)('one input ended, the others idle: every event-time timer fires, at +Infinity (%s)', async (_l, settings) => {
    const env = environment(mode, { ...settings, 'parallelism.default': 1 });
    const started = signal();
    const fired = signal();
    let kSeen = false;
    let aSeen = false;
    let bSeen = false;
    const timers: string[] = [];
    // Ahead: one record at 1000, idle 1 ms later, open until the bounded input's timer fired.
    const ahead = env
      .addSource(new Steps(Promise.resolve(), [['a', 1000]], null, fired.promise), 'Ahead')
      .assignTimestampsAndWatermarks(monotonous().withIdleness(1));
    // Kept: active (a record every 20 ms at 1, holding the watermark at 0) until the bounded
    // input's record came through, idle 300 ms after its last one, open until the timer fired.
    const kept = env
      .addSource(new Steps(Promise.resolve(), [], { record: ['k', 1], stop: () => bSeen }, fired.promise), 'Kept')
      .assignTimestampsAndWatermarks(monotonous().withIdleness(300));
    // Bounded: once the others' records came through, one record at 100 (a timer at 100), and ends.
    const bounded = env.addSource(new Steps(started.promise, [['b', 100]], null, Promise.resolve()), 'Bounded').assignTimestampsAndWatermarks(monotonous());
    bounded
      .union(kept, ahead)
      .keyBy((e) => e[0])
      .process(new TimerAtTimestamp(0))
      .addSink(
        new CallbackSink((v: string) => {
          if (v === 'el k@1') kSeen = true;
          if (v === 'el a@1000') aSeen = true;
          if (kSeen && aSeen) started.resolve();
          if (v === 'el b@100') bSeen = true;
          if (!v.startsWith('timer b')) return;
          timers.push(v);
          fired.resolve();
        }),
      );
    await env.execute('ended and idle inputs');
    // Not the 999 of Ahead, the largest of the idle inputs' watermarks.
    expect(timers).toEqual(['timer b@100 wm=Infinity']);
  });
});
