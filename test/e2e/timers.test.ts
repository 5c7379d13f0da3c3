/** Event time, timers and side outputs, end to end, in every mode. */
import { describe, expect, it } from 'vitest';
import { SourceFunction, WatermarkStrategy } from '../../host/index.ts';
import { CallbackSink, collect, environment, MODES } from '../support/jobs.ts';
import { DueAtOnceReport, EVENS, ProcessingTimeReport, RegisterThenDelete, Splitter, WindowSummary, WORDS, type Event } from './timer-functions.ts';

const EVENTS: Event[] = [
  { user: 'ann', ts: 1, page: 'home' },
  { user: 'bob', ts: 2, page: 'home' },
  { user: 'ann', ts: 5, page: 'cart' },
  { user: 'ann', ts: 7, page: 'home' },
  { user: 'ann', ts: 12, page: 'pay' },
  { user: 'bob', ts: 15, page: 'cart' },
  { user: 'ann', ts: 25, page: 'home' },
];

/** Emits its values, then stays open until `done` settles (so processing-time timers can fire). */
class OpenUntil extends SourceFunction<string> {
  constructor(
    private readonly values: string[],
    private readonly done: Promise<void>,
  ) {
    super();
  }
  async *run(): AsyncGenerator<string> {
    yield* this.values;
    await this.done;
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it.each([
    ['bundle 1, batch 1', { 'udf.bundle.size': 1, 'udf.arrow.batch.size': 1 }],
    ['bundle default, batch 1', { 'udf.arrow.batch.size': 1 }],
    ['bundle default, batch default', {}],
  ])('event-time timers fire as the watermark passes them, with MapState and ListState (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = collect(
      env
        .fromCollection(EVENTS)
        .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e.ts))
        .keyBy((e) => e.user)
        .process(new WindowSummary()),
    );
    await env.execute('windows');
    expect(out).toEqual([
      ['ann', 9, 'EVENT_TIME', 9, ['home', 'cart', 'home'], [['cart', 1], ['home', 2]]],
      ['bob', 9, 'EVENT_TIME', 9, ['home'], [['home', 1]]],
      ['ann', 19, 'EVENT_TIME', 19, ['pay'], [['pay', 1]]],
      ['bob', 19, 'EVENT_TIME', 19, ['cart'], [['cart', 1]]],
      ['ann', 29, 'EVENT_TIME', 29, ['home'], [['home', 1]]],
    ]);
  });

  it('a deleted timer does not fire; the end of input fires the rest', async () => {
    const env = environment(mode);
    const out = collect(env.fromCollection(['k1', 'k2', 'k1']).keyBy((k) => k).process(new RegisterThenDelete()));
    await env.execute('delete');
    expect(out).toEqual([
      ['k1', 200],
      ['k2', 200],
    ]);
  });

  it.each([
    ['default bundle settings', {}],
    // The input then never ends a bundle: the idle input must.
    ['an hour of udf.bundle.time', { 'udf.bundle.time': 3_600_000 }],
  ])('processing-time timers fire while the job runs, with the key and its state (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const out: unknown[] = [];
    env
      .addSource(new OpenUntil(['a', 'b', 'a', 'a'], done), 'Open')
      .keyBy((k) => k)
      .process(new ProcessingTimeReport())
      .addSink(
        new CallbackSink((v) => {
          out.push(v);
          if (out.length === 2) release();
        }),
      );
    await env.execute('processing time');
    expect(out.sort()).toEqual([
      ['a', 'PROCESSING_TIME', true, 3],
      ['b', 'PROCESSING_TIME', true, 1],
    ]);
  });

  it.each([
    ['bundle 1', { 'udf.bundle.size': 1 }],
    ['bundle default', {}],
  ])('the end of input fires the processing-time timers already due, whose bundle was still open (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = collect(env.fromCollection(['a', 'b', 'a', 'c', 'a']).keyBy((k) => k).process(new DueAtOnceReport()));
    await env.execute('due at once');
    expect(out.sort()).toEqual([
      ['a', 'PROCESSING_TIME'],
      ['b', 'PROCESSING_TIME'],
      ['c', 'PROCESSING_TIME'],
    ]);
  });

  it('side outputs: getSideOutput(tag) receives what ctx.output(tag) emitted, typed or not', async () => {
    const env = environment(mode, { 'udf.bundle.size': 2 });
    const main = env.fromCollection([0, 1, 2, 3, 4]).process(new Splitter());
    const odds = collect(main);
    const evens = collect(main.getSideOutput(EVENS));
    const words = collect(main.getSideOutput(WORDS));
    await env.execute('split');
    expect(odds).toEqual(['odd 1', 'odd 3']);
    expect(evens).toEqual([0, 2, 4]);
    expect(words).toEqual([
      { n: 0, word: 'zero' },
      { n: 1, word: 'one' },
      { n: 2, word: 'two' },
      { n: 3, word: 'three' },
      { n: 4, word: 'many' },
    ]);
  });
});
