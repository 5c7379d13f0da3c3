/**
 * A processing-time timer fires while its stage's input never pauses. The host looked for due
 * processing-time timers (and at the bundle's time limit) only while waiting for input, so a
 * stage that was the slowest of its job fired none until its input ended: here the source stops
 * only once the timer has fired, so without the timer the job would never end.
 */
import { describe, expect, it } from 'vitest';
import { SourceFunction, Types } from '../../host/index.ts';
import { CallbackSink, environment, MODES } from '../support/jobs.ts';
import { BusyWithOneTimer } from './timer-functions.ts';

/** Emits 1, 2, 3, … as fast as it is taken, until `stop` says so. */
class UntilStopped extends SourceFunction<number> {
  constructor(private readonly stop: () => boolean) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    for (let n = 1; !this.stop(); n++) yield n;
  }
}

const SETTINGS: Record<string, Record<string, number>> = {
  'bundle default': {},
  'bundle time 10 ms': { 'udf.bundle.time': 10 },
};

describe.each(MODES)('%s mode', (mode) => {
  it.each(Object.keys(SETTINGS))('fires while the input keeps coming (%s)', async (label) => {
    const env = environment(mode, { ...SETTINGS[label], 'parallelism.default': 1 });
    const outputs: string[] = [];
    env
      .addSource(new UntilStopped(() => outputs.length > 0), 'Endless', Types.LONG())
      .keyBy(() => 0)
      .process(new BusyWithOneTimer(), Types.STRING())
      .addSink(new CallbackSink((v: string) => outputs.push(v)));
    await env.execute('processing-time timer under load');
    expect(outputs).toEqual(['fired']);
  });
});
