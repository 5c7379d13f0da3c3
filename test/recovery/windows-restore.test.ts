/**
 * Windows across a restart: their contents (keyed state in the windows' namespaces), their
 * timers and a session's merging window set come back from the checkpoint, so the output is
 * exactly that of a run without the failure: no window lost, none fired twice, no element
 * counted twice.
 */
import { describe, expect, it } from 'vitest';
import { EventTimeSessionWindows, TumblingEventTimeWindows, WatermarkStrategy } from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import { SumOfWindow, WithWindow, type Event } from '../e2e/window-functions.ts';
import { CheckpointGate, GatedSource } from './checkpoint-gate.ts';
import { FailsOnce } from './fails-once.ts';

const N = 600;
const PAUSE_AT = 250;
const FAIL_AT = 400;

describe.each(MODES)('%s mode', (mode) => {
  it.each([
    ['bundle 1', { 'udf.bundle.size': 1 }],
    ['bundle default', {}],
  ])('tumbling and session windows restore their contents, timers and sessions exactly (%s)', async (_l, settings) => {
    const gate = new CheckpointGate();
    const env = environment(mode, {
      ...settings,
      'udf.arrow.batch.size': 100,
      'execution.checkpointing.interval': 50,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 1,
      'restart-strategy.fixed-delay.delay': 0,
    });
    const keyed = env
      .addSource(new GatedSource(gate, N, PAUSE_AT), 'Gated')
      .map(new FailsOnce(FAIL_AT))
      .setFailurePolicy('restart')
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x))
      .map((x): Event => [String(x % 3), x])
      .keyBy((e) => e[0]);
    const tumbling = collect(
      keyed
        .window(TumblingEventTimeWindows.of(100))
        .reduce((a, b) => [a[0], a[1] + b[1]] as Event, new WithWindow())
        .uid('tumbling'),
    );
    const sessions = collect(keyed.window(EventTimeSessionWindows.withGap(10)).process(new SumOfWindow()).uid('sessions'));
    const result = await env.execute('windows restore').finally(gate.remove);

    expect(result.restarts).toBe(1);
    expect(gate.restartedFrom).toHaveLength(1);
    expect(gate.restartedFrom[0]).toMatch(/^checkpoint \d+$/);
    const expected: unknown[] = [];
    for (let start = 0; start < N; start += 100) {
      for (const k of [0, 1, 2]) {
        let sum = 0;
        for (let x = start; x < start + 100; x++) if (x % 3 === k) sum += x;
        expected.push([String(k), start, start + 100, [String(k), sum]]);
      }
    }
    const byWindowThenKey = (a: unknown, b: unknown): number => {
      const x = a as [string, number];
      const y = b as [string, number];
      return x[1] - y[1] || x[0].localeCompare(y[0]);
    };
    expect([...tumbling].sort(byWindowThenKey)).toEqual(expected);
    // Each key's elements are 3 apart, within the gap: one session each, from its first element to its last + 10.
    const sessionOf = (k: number): unknown => {
      let sum = 0;
      let count = 0;
      for (let x = k; x < N; x += 3) {
        sum += x;
        count++;
      }
      return [String(k), k, N - 3 + k + 10, sum, count];
    };
    expect([...sessions].sort(byWindowThenKey)).toEqual([sessionOf(0), sessionOf(1), sessionOf(2)]);
  });
});
