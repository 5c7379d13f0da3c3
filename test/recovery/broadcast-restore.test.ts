/**
 * Broadcast state across a restart: each subtask's copy comes back from the checkpoint (and the
 * broadcast source rewinds to it), so the output is exactly that of a run without the failure:
 * no element reported with a previous value lost, none reported twice.
 */
import { describe, expect, it } from 'vitest';
import { Types } from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import { RemembersLast, SEEN } from '../e2e/broadcast-functions.ts';
import { CheckpointGate, GatedSource, RESTART_ONCE } from './checkpoint-gate.ts';
import { FailsOnce } from './fails-once.ts';

const N = 300;
const PAUSE_AT = 120;
const FAIL_AT = 200;

describe.each(MODES)('%s mode', (mode) => {
  it.each([
    ['bundle 1', { 'udf.bundle.size': 1 }],
    ['bundle default', {}],
  ])('every subtask\'s broadcast state is restored exactly (%s)', async (_l, settings) => {
    const gate = new CheckpointGate();
    const env = environment(mode, {
      ...settings,
      'parallelism.default': 2,
      'udf.arrow.batch.size': 50,
      ...RESTART_ONCE,
    });
    const numbers = env
      .addSource(new GatedSource(gate, N, PAUSE_AT), 'Gated')
      .setParallelism(1)
      .map(new FailsOnce(FAIL_AT))
      .setParallelism(1)
      .setFailurePolicy('restart')
      .broadcast(SEEN);
    const elements = env.fromCollection([5, 6], Types.LONG()).keyBy((n) => String(n % 2));
    const out = collect(elements.connect(numbers).process(new RemembersLast()).uid('remembers'));
    const result = await env.execute('broadcast restore').finally(gate.remove);

    expect(result.restarts).toBe(1);
    expect(gate.restartedFrom).toHaveLength(1);
    expect(gate.restartedFrom[0]).toMatch(/^checkpoint \d+$/);
    for (const subtask of [0, 1]) {
      const expected: unknown[] = [];
      for (let x = 0; x < N; x++) expected.push([subtask, x, x >= 10 ? x - 10 : null, Math.min(x + 1, 10)]);
      expect(out.filter((r) => r[0] === subtask)).toEqual(expected);
    }
    expect(out.filter((r) => r[0] === 'element').sort((a, b) => Number(a[2]) - Number(b[2]))).toEqual([
      ['element', '1', 5],
      ['element', '0', 6],
    ]);
    expect(out).toHaveLength(2 * N + 2);
  });
});
