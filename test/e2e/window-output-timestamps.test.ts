/**
 * A window's results carry its maxTimestamp(), as Flink's WindowOperator stamps them, also where
 * the records it was given had no timestamps (count and processing-time windows): a count
 * window's is Infinity (Flink's GlobalWindow at Long.MAX_VALUE), and the function after it sees
 * that as ctx.timestamp().
 */
import { describe, expect, it } from 'vitest';
import type { Collector, ProcessContext } from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';

describe.each(MODES)('%s mode', (mode) => {
  it.each([
    ['chained after the window', {}],
    ['in a stage of its own', { 'udf.operator-chaining.enabled': false }],
  ])('count windows over records without timestamps emit results timestamped Infinity (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const out = collect(
      env
        .fromCollection<[string, number]>([['a', 1], ['b', 2], ['a', 3], ['b', 4], ['a', 5]])
        .keyBy((e) => e[0])
        .countWindow(2)
        .reduce((x, y) => [x[0], x[1] + y[1]])
        .process((e: [string, number], ctx: ProcessContext, out: Collector<unknown>) => out.collect([e[0], e[1], ctx.timestamp()])),
    );
    await env.execute('count window timestamps');
    expect([...out].sort((x, y) => String(x).localeCompare(String(y)))).toEqual([
      ['a', 4, Infinity],
      ['b', 6, Infinity],
    ]);
  });
});
