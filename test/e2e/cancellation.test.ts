/** Cancelling a job that would run for ever, in every mode; what was running is gone after. */
import { describe, expect, it } from 'vitest';
import { JobCancelledError, SourceFunction, Types } from '../../host/index.ts';
import { CallbackSink, environment, isAlive, MODES } from '../support/jobs.ts';

/** An unbounded source that never has to wait for anything. */
class Endless extends SourceFunction<string> {
  async *run(): AsyncGenerator<string> {
    for (let i = 0; ; i++) yield `e${i}`;
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it('a job over an endless source that never waits can be cancelled (the host is not starved)', async () => {
    const env = environment(mode);
    let seen = 0;
    let firstThousand!: () => void;
    const running = new Promise<void>((resolve) => (firstThousand = resolve));
    env
      .addSource(new Endless(), 'Endless', Types.STRING())
      .map((s) => s.length, Types.LONG())
      .addSink(
        new CallbackSink<number>(() => {
          if (++seen === 1000) firstThousand();
        }),
      );
    const client = env.executeAsync('endless');
    await running;
    // A timer must still get its turn while the job runs flat out.
    await new Promise((resolve) => setTimeout(resolve, 10));
    await client.cancel();
    await expect(client.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
    expect(seen).toBeGreaterThanOrEqual(1000);
    for (const w of client.workers()) if (w.handle.pid !== undefined) expect(isAlive(w.handle.pid)).toBe(false);
  });
});
