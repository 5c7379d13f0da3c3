/**
 * What a window function's clear(ctx) sends to a side output goes out under every failure
 * policy: under `skip`, output is held until what sent it has finished, and a purge has once
 * the function's clear() returns (or its promise settles).
 */
import { describe, expect, it } from 'vitest';
import {
  OutputTag,
  ProcessWindowFunction,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
  type Collector,
  type ProcessWindowContext,
  type TimeWindow,
} from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';

const CLEARED = new OutputTag<string>('cleared', Types.STRING());

/** Sums each window, and says which window it cleared. */
export class SumsAndSaysCleared extends ProcessWindowFunction<[string, number], string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<[string, number]>, out: Collector<string>): void {
    let sum = 0;
    for (const [, v] of elements) sum += v;
    out.collect(`${key} [${ctx.window().start},${ctx.window().end}) ${sum}`);
  }
  override clear(ctx: ProcessWindowContext<TimeWindow>): void {
    ctx.output(CLEARED, `cleared [${ctx.window().start},${ctx.window().end})`);
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it.each(['fail', 'skip'] as const)("under '%s', clear()'s side output reaches the stream", async (policy) => {
    const env = environment(mode, { 'udf.failure-policy': policy });
    const sums = env
      .fromCollection<[string, number]>([['a', 1], ['a', 2], ['a', 12], ['b', 25]])
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<[string, number]>().withTimestampAssigner((e) => e[1]))
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .process(new SumsAndSaysCleared());
    const main = collect(sums);
    const cleared = collect(sums.getSideOutput(CLEARED));
    await env.execute('clear side output');
    expect(main.sort()).toEqual(['a [0,10) 3', 'a [10,20) 12', 'b [20,30) 25']);
    expect(cleared.sort()).toEqual(['cleared [0,10)', 'cleared [10,20)', 'cleared [20,30)']);
  });
});
