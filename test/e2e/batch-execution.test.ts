/**
 * BATCH execution (execution.runtime-mode), in every mode, as Flink's batch execution of the
 * DataStream API: rolling aggregations emit each key's final value only, no watermark goes out
 * before the end of input (nothing is late), and at the end every event-time timer fires, then
 * every processing-time timer, but not the timers their onTimer registers.
 */
import { describe, expect, it } from 'vitest';
import { RuntimeExecutionMode, TumblingEventTimeWindows, Types, WatermarkStrategy, type StreamExecutionEnvironment } from '../../host/index.ts';
import { collect, environment, MODES, type Mode } from '../support/jobs.ts';
import { TimersAtTheEnd, WithTimestamp } from './batch-functions.ts';

const END_OF_TIME = 2 ** 52;
const WORDS = 'a b a c b a d a'.split(' ');
const SETTINGS: Record<string, Record<string, number>> = {
  'bundle 1, batch 1': { 'udf.bundle.size': 1, 'udf.arrow.batch.size': 1 },
  'bundle default': {},
};

function batchEnvironment(mode: Mode, settings: Record<string, unknown>): StreamExecutionEnvironment {
  return environment(mode, settings).setRuntimeMode(RuntimeExecutionMode.BATCH);
}

const byFirst = <T extends unknown[]>(rows: T[]): T[] => [...rows].sort((x, y) => String(x[0]).localeCompare(String(y[0])));

/** Out of order, by up to 9 s: with a bounded out-of-orderness of 1 s, streaming may drop the late ones. */
const EVENTS: [string, number][] = [
  ['k', 1_000],
  ['k', 12_000],
  ['k', 3_000],
  ['j', 25_000],
  ['k', 4_000],
  ['j', 15_000],
];

function windowCounts(env: StreamExecutionEnvironment): [string, number][] {
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<[string, number]>(1_000).withTimestampAssigner((e) => e[1]);
  return collect(
    env
      .fromCollection(EVENTS, Types.TUPLE([Types.STRING(), Types.LONG()]))
      .assignTimestampsAndWatermarks(strategy)
      .map((e): [string, number] => [`${e[0]}@${Math.floor(e[1] / 10_000) * 10}s`, 1], Types.TUPLE([Types.STRING(), Types.LONG()]))
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10_000))
      .reduce((a, b) => [a[0], a[1] + b[1]]),
  );
}

describe.each(MODES)('%s mode', (mode) => {
  describe.each(Object.keys(SETTINGS))('%s', (setting) => {
    const settings = SETTINGS[setting]!;

    it("rolling aggregations emit each key's final value only, timestamped at the end of time, at any parallelism", async () => {
      const env = batchEnvironment(mode, settings);
      const pairs = env.fromCollection(WORDS).map((w): [string, number] => [w, 1], Types.TUPLE([Types.STRING(), Types.LONG()]));
      const sums = collect(pairs.keyBy((p) => p[0]).sum(1).process(new WithTimestamp(), Types.TUPLE([Types.STRING(), Types.LONG(), Types.LONG()])));
      const reduced = collect(pairs.keyBy((p) => p[0]).reduce((a, b) => [a[0], a[1] + b[1]]).setParallelism(2));
      const longest = collect(env.fromCollection(['xy', 'x', 'xyz', 'yy']).keyBy((w) => w[0]!).maxBy(0));
      const result = await env.execute('batch aggregations');
      expect(byFirst(sums)).toEqual([
        ['a', 4, END_OF_TIME],
        ['b', 2, END_OF_TIME],
        ['c', 1, END_OF_TIME],
        ['d', 1, END_OF_TIME],
      ]);
      expect(byFirst(reduced)).toEqual([
        ['a', 4],
        ['b', 2],
        ['c', 1],
        ['d', 1],
      ]);
      expect(longest.sort()).toEqual(['xyz', 'yy']);
      expect(result.operator('Keyed Aggregation (sum(1))')?.recordsOut).toBe(4);
      expect(result.operator('Keyed Reduce')?.recordsOut).toBe(4);
    });

    it('an event-time window after a rolling aggregation takes its final values, chained or not', async () => {
      const env = batchEnvironment(mode, settings);
      const sums = env
        .fromCollection(WORDS)
        .map((w): [string, number] => [w, 1], Types.TUPLE([Types.STRING(), Types.LONG()]))
        .keyBy((p) => p[0])
        .sum(1);
      const windowed = (stream: typeof sums): [string, number][] =>
        collect(
          stream
            .keyBy(() => 'all')
            .window(TumblingEventTimeWindows.of(3))
            .reduce((a, b) => [`${a[0]}+${b[0]}`, a[1] + b[1]]),
        );
      // Across a stage boundary (the next keyBy is a shuffle) and with chaining off after it.
      const shuffled = windowed(sums);
      const unchained = windowed(sums.map((p) => p, Types.TUPLE([Types.STRING(), Types.LONG()])).disableChaining());
      await env.execute('windows after batch aggregation');
      for (const out of [shuffled, unchained]) {
        expect(out.map(([words, total]) => [words.split('+').sort().join('+'), total])).toEqual([['a+b+c+d', 8]]);
      }
    });

    it('no watermark goes out before the end of input: nothing is late, and every window holds all of its elements', async () => {
      // Streaming, a watermark that passed 10 s before 3 000 and 4 000 came would drop them.
      expect(byFirst(await run(windowCounts, batchEnvironment(mode, settings)))).toEqual([
        ['j@10s', 1],
        ['j@20s', 1],
        ['k@0s', 3],
        ['k@10s', 1],
      ]);
    });

    it('timers: the watermark is -Infinity until the end, where event-time timers fire, then processing-time timers, and not those onTimer registers', async () => {
      const env = batchEnvironment(mode, settings);
      const out = collect(
        env
          .fromCollection(EVENTS.slice(0, 4), Types.TUPLE([Types.STRING(), Types.LONG()]))
          .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<[string, number]>().withTimestampAssigner((e) => e[1]))
          .keyBy((e) => e[0])
          .process(new TimersAtTheEnd(), Types.STRING()),
      );
      await env.execute('batch timers');
      expect(out).toEqual([
        'el k@1000 wm=-Infinity',
        'el k@12000 wm=-Infinity',
        'el k@3000 wm=-Infinity',
        'el j@25000 wm=-Infinity',
        'event timer k@1000',
        'event timer k@3000',
        'event timer k@12000',
        'event timer j@25000',
        'processing timer k@1000',
        'processing timer k@3000',
        'processing timer k@12000',
        'processing timer j@25000',
      ]);
    });
  });
});

async function run<T>(job: (env: StreamExecutionEnvironment) => T[], env: StreamExecutionEnvironment): Promise<T[]> {
  const out = job(env);
  await env.execute('job');
  return out;
}
