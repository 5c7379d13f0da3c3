/**
 * A processing-time timer that an onTimer registers already due, and that the worker does not
 * fire among the timers of its bundle (it is not below the last one sent), goes back to the host
 * with the bundle and fires from there. At the end of input too: the end fires the
 * processing-time timers due then, and those that firing them registered due, as Flink's loop
 * over the due timers does, instead of dropping the ones that came back.
 */
import { describe, expect, it } from 'vitest';
import { collect, environment, MODES } from '../support/jobs.ts';
import { ChangeTimersInOnTimer } from './event-time-functions.ts';

describe.each(MODES)('%s mode', (mode) => {
  it.each([
    ['bundle 1, batch 1', { 'udf.bundle.size': 1, 'udf.arrow.batch.size': 1 }],
    ['bundle default, batch default', {}],
  ])('a due timer registered by the last onTimer at the end of input fires (%s)', async (_l, settings) => {
    const env = environment(mode, { ...settings, 'parallelism.default': 1 });
    // Long due: processElement registers 1, and onTimer(1) registers 2.
    const out = collect(env.fromCollection(['x']).keyBy((v) => v).process(new ChangeTimersInOnTimer('processing', [1], [], [2])));
    await env.execute('leftover at the end');
    expect(out).toEqual(['onTimer 1', 'onTimer 2']);
  });
});
