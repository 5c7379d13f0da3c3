/**
 * Triggered and evicting windows across a restart: their contents, their triggers' per-window
 * state, the operator's record of which windows each timer is for, and the timers themselves
 * come back from the checkpoint with the rest of the keyed state, so the output is exactly that
 * of a run without the failure: no firing lost or repeated, no element counted twice.
 */
import { describe, expect, it } from 'vitest';
import { CountEvictor, CountTrigger, GlobalWindows, PurgingTrigger, TumblingEventTimeWindows, WatermarkStrategy } from '../../host/index.ts';
import { CheckpointGate, GatedSource } from '../recovery/checkpoint-gate.ts';
import { FailsOnce } from '../recovery/fails-once.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import { WithWindow, type Event } from './window-functions.ts';

const N = 600;
const PAUSE_AT = 250;
const FAIL_AT = 400;

/** Each key's elements (x % 3 == key) in order. */
function elementsOf(k: number): number[] {
  const xs: number[] = [];
  for (let x = k; x < N; x += 3) xs.push(x);
  return xs;
}

describe.each(MODES)('%s mode', (mode) => {
  it.each([
    ['bundle 1', { 'udf.bundle.size': 1 }],
    ['bundle default', {}],
  ])('count triggers on event-time windows and an evicting GlobalWindow restore exactly (%s)', async (_l, settings) => {
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
    const counted = collect(
      keyed
        .window(TumblingEventTimeWindows.of(100))
        .trigger(PurgingTrigger.of(CountTrigger.of(7)))
        .reduce((a, b) => [a[0], a[1] + b[1]] as Event, new WithWindow())
        .uid('counted'),
    );
    const sliding = collect(
      keyed
        .window(GlobalWindows.create())
        .trigger(CountTrigger.of(4))
        .evictor(CountEvictor.of(5))
        .reduce((a, b) => [a[0], a[1] + b[1]] as Event)
        .uid('sliding'),
    );
    const result = await env.execute('triggered windows restore').finally(gate.remove);

    expect(result.restarts).toBe(1);
    expect(gate.restartedFrom).toHaveLength(1);
    expect(gate.restartedFrom[0]).toMatch(/^checkpoint \d+$/);

    // Every 7 elements of a key in a window of 100 fire and go; what is left at the window's end is dropped.
    const expectedCounted: unknown[] = [];
    // Every 4 elements of a key fire with its last 5 (fewer at first).
    const expectedSliding: unknown[] = [];
    for (const k of [0, 1, 2]) {
      const key = String(k);
      for (let start = 0; start < N; start += 100) {
        const xs = elementsOf(k).filter((x) => x >= start && x < start + 100);
        for (let i = 7; i <= xs.length; i += 7) {
          expectedCounted.push([key, start, start + 100, [key, xs.slice(i - 7, i).reduce((a, b) => a + b, 0)]]);
        }
      }
      let kept: number[] = [];
      let seen = 0;
      for (const x of elementsOf(k)) {
        kept.push(x);
        if (++seen % 4 === 0) {
          kept = kept.slice(-5);
          expectedSliding.push([key, kept.reduce((a, b) => a + b, 0)]);
        }
      }
    }
    const byWindowThenKey = (a: unknown, b: unknown): number => {
      const x = a as [string, number, number, [string, number]];
      const y = b as typeof x;
      return x[1] - y[1] || x[0].localeCompare(y[0]) || x[3][1] - y[3][1];
    };
    expect([...counted].sort(byWindowThenKey)).toEqual([...expectedCounted].sort(byWindowThenKey));
    const byKeyThenSum = (a: unknown, b: unknown): number => {
      const x = a as [string, number];
      const y = b as typeof x;
      return x[0].localeCompare(y[0]) || x[1] - y[1];
    };
    expect([...sliding].sort(byKeyThenSum)).toEqual([...expectedSliding].sort(byKeyThenSum));
  });
});
