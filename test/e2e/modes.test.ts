/** What differs between the execution modes, on purpose. */
import { describe, expect, it } from 'vitest';
import { MapFunction, SourceFunction, Types, UserFunctionError } from '../../host/index.ts';
import { CallbackSink, environment, MODES } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';
import { positionOf } from '../support/source-position.ts';

/** Emits one record, then waits until the test has seen it at the sink. */
class OneThenWait extends SourceFunction<number> {
  constructor(private readonly seen: Promise<void>) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    yield 42;
    await this.seen;
  }
}

/**
 * Spends about 20 µs per record (the work a slow function does) and says, per record, whether
 * an event-loop turn has happened since the first record: a setImmediate callback scheduled
 * then has run.
 */
class SlowRecordsSeeTurns extends MapFunction<number, [number, boolean]> {
  turned = false;
  map(x: number): [number, boolean] {
    if (x === 0) setImmediate(() => (this.turned = true));
    const until = performance.now() + 0.02;
    while (performance.now() < until);
    return [x, this.turned];
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it('a batch of slow records gives the event loop turns while it runs (transfers and heartbeats go on)', async () => {
    // One batch of 1,000 records, about 20 ms of work: the loop gets a turn every few ms.
    const out = await environment(mode, { 'udf.arrow.batch.size': 1000, 'udf.bundle.size': 1000 })
      .fromCollection(Array.from({ length: 1000 }, (_, i) => i))
      .map(new SlowRecordsSeeTurns(), Types.TUPLE([Types.INT(), Types.BOOLEAN()]))
      .executeAndCollect();
    expect(out.length).toBe(1000);
    expect(out[0]).toEqual([0, false]);
    expect(out[999]).toEqual([999, true]);
    // Records never overtake each other, whatever ran in the turns.
    expect(out.map((r) => r[0])).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('a record at a low rate does not wait for udf.bundle.time', async () => {
    // A bundle would stay open for a minute: the record must come through long before.
    const env = environment(mode, { 'udf.bundle.time': '60 s' });
    let arrived!: () => void;
    const seen = new Promise<void>((resolve) => (arrived = resolve));
    const out: number[] = [];
    env
      .addSource(new OneThenWait(seen), 'One')
      .map((x: number) => x + 1)
      .addSink(
        new CallbackSink<number>((v) => {
          out.push(v);
          arrived();
        }),
      );
    await env.execute('low rate');
    expect(out).toEqual([43]);
  });
});

describe('embedded mode', () => {
  it('runs the function itself: its stack trace is the plain local one', async () => {
    const error = await failureOf<UserFunctionError>(
      environment('embedded')
        .fromCollection([1])
        .map(function failsHere(): number {
          throw new Error('look at my stack');
        })
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.workerStack).toMatch(/at [\w.]*failsHere .*\(\/.*\/modes\.test\.ts:\d+:\d+\)/);
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

});

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  it("ships the function: its stack names the line of the file it was written in", async () => {
    const error = await failureOf<UserFunctionError>(
      environment(mode)
        .fromCollection([1])
        .map(function failsHere(): number {
          throw new Error('look at my shipped stack');
        })
        .executeAndCollect(),
    );
    const frame = error!.workerStack.split('\n')[1]!;
    expect(frame).toBe(`    at MapOperator.failsHere (${positionOf(import.meta.url, "new Error('look at my shipped stack')")})`);
  });
});

describe('process mode', () => {
  /**
   * The pipes the worker's main thread holds, as the function sees them: its connection for
   * Control and Logging, and its stdout and stderr (to the host); with udf.process.data-thread
   * off, its own two Data connections besides (the relay thread holds them otherwise, out of
   * this thread's sight).
   */
  it.each([
    [true, 3],
    [false, 5],
  ])('udf.process.data-thread %s reaches the worker: its main thread holds %i pipes', async (dataThread, pipes) => {
    const seen = await environment('process', { 'udf.process.data-thread': dataThread })
      .fromCollection([1, 2], Types.LONG())
      .map((_x: number) => process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap').length, Types.INT())
      .executeAndCollect();
    expect(seen).toEqual([pipes, pipes]);
  });
});
