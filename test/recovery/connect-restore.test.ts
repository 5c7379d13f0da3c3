/**
 * Keyed connected streams across a restart: the state both inputs wrote and the timers come back
 * from the checkpoint and the two sources rewind, so the output is exactly that of a run without
 * the failure: no running sum lost or emitted twice, every label kept.
 */
import { describe, expect, it } from 'vitest';
import { collect, environment, MODES } from '../support/jobs.ts';
import { SumWithLabel } from '../e2e/connect-functions.ts';
import { CheckpointGate, GatedSource, RESTART_ONCE } from './checkpoint-gate.ts';
import { FailsOnce } from './fails-once.ts';

const N = 600;
const PAUSE_AT = 250;
const FAIL_AT = 400;
const KEYS = ['0', '1', '2', '3', '4'];

describe.each(MODES)('%s mode', (mode) => {
  it.each([
    ['bundle 1', { 'udf.bundle.size': 1 }],
    ['bundle default', {}],
  ])('a keyed co-process function restores the state of both inputs and its timers exactly (%s)', async (_l, settings) => {
    const gate = new CheckpointGate();
    const env = environment(mode, {
      ...settings,
      'parallelism.default': 2,
      'udf.arrow.batch.size': 100,
      ...RESTART_ONCE,
    });
    const numbers = env
      .addSource(new GatedSource(gate, N, PAUSE_AT), 'Gated')
      .setParallelism(1)
      .map(new FailsOnce(FAIL_AT))
      .setParallelism(1)
      .setFailurePolicy('restart')
      .keyBy((x) => String(x % 5));
    const labels = env.fromCollection(KEYS.map((k): [string, string] => [k, `label ${k}`])).keyBy((l) => l[0]);
    const out = collect(numbers.connect(labels).process(new SumWithLabel()).uid('sums'));
    const result = await env.execute('connect restore').finally(gate.remove);

    expect(result.restarts).toBe(1);
    expect(gate.restartedFrom).toHaveLength(1);
    expect(gate.restartedFrom[0]).toMatch(/^checkpoint \d+$/);
    const running: unknown[] = [];
    const finals: unknown[] = [];
    for (const k of KEYS) {
      let sum = 0;
      let count = 0;
      for (let x = Number(k); x < N; x += 5) {
        sum += x;
        count++;
        running.push([k, sum, count]);
      }
      finals.push([k, `label ${k}`, sum, count]);
    }
    const ofKey = (k: string): unknown[] => out.filter((r) => r[0] === k && r.length === 3);
    expect(KEYS.flatMap(ofKey)).toEqual(running);
    expect(out.filter((r) => r.length === 4).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual(finals);
    expect(out).toHaveLength(running.length + finals.length);
  });
});
