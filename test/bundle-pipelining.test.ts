/**
 * A closed bundle finishes (its state committed) while the next ones run, up to maxFinishing
 * bundles at once and in order; past that the task waits for the oldest. The end of input
 * waits for every one.
 */
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import type { UdfStage } from '../host/graph/plan.ts';
import { InputGate } from '../host/runtime/input-gate.ts';
import type { StageRunner } from '../host/runtime/stage-runner.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { UdfTask } from '../host/runtime/udf-task.ts';

/** A runner whose bundles finish when the test says so. */
class HeldRunner implements StageRunner {
  readonly log: string[] = [];
  private readonly release = new Map<number, () => void>();
  private finishing = 0;
  private waiter: { count: number; resolve: () => void } | null = null;
  async register(): Promise<void> {}
  startBundle(): void {
    this.log.push('start');
  }
  send(batch: RowBatch): void {
    this.log.push(`elements ${batch.values.join(',')}`);
  }
  get inFlight(): number {
    return 0;
  }
  async drained(): Promise<void> {}
  finishBundle(): Promise<string | null> {
    const n = ++this.finishing;
    this.log.push(`finishing ${n}`);
    if (this.waiter !== null && n >= this.waiter.count) this.waiter.resolve();
    return new Promise((resolve) =>
      this.release.set(n, () => {
        this.log.push(`finished ${n}`);
        resolve(`bundle-${n}`);
      }),
    );
  }
  /** Resolves once `count` bundles have been asked to finish. */
  untilFinishing(count: number): Promise<void> {
    if (this.finishing >= count) return Promise.resolve();
    return new Promise((resolve) => (this.waiter = { count, resolve }));
  }
  finishes(n: number): void {
    this.release.get(n)!();
  }
  async finish(): Promise<void> {
    this.log.push('close');
  }
  metrics(): Map<string, { elementsIn: number; elementsOut: number }> {
    return new Map();
  }
}

/** Lets every pending promise reaction and immediate run (no timer, no clock). */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('bundles finishing while the next ones run', () => {
  it('keeps at most maxFinishing bundles finishing, in order, and ends only when all have finished', async () => {
    const input = new StreamChannel(1000);
    const runner = new HeldRunner();
    const finished: string[] = [];
    const task = new UdfTask({
      stage: { keyedInput: false, timestampedInput: false } as UdfStage,
      subtask: 0,
      gate: new InputGate([input]),
      runner,
      writers: new Map(),
      mainOutputId: 'main',
      bundleSize: 1,
      bundleTimeMs: 60_000,
      maxFinishing: 2,
      batchSize: 100,
      timers: null,
      watermarks: null,
      onBarrier: () => undefined,
      onBundleFinished: (id) => finished.push(id),
    });
    for (let i = 1; i <= 4; i++) await input.put({ kind: 'records', batch: { length: 1, values: [i], keys: null, timestamps: null } });
    await input.put({ kind: 'end' });
    const run = task.run();

    await runner.untilFinishing(3);
    await settled();
    // Bundles 1, 2 and 3 closed; 3 is one too many, so record 4 waits for bundle 1.
    expect(runner.log).toEqual(['start', 'elements 1', 'finishing 1', 'start', 'elements 2', 'finishing 2', 'start', 'elements 3', 'finishing 3']);

    runner.finishes(1);
    await runner.untilFinishing(4);
    await settled();
    expect(runner.log.slice(9)).toEqual(['finished 1', 'start', 'elements 4', 'finishing 4']);
    expect(finished).toEqual(['bundle-1']);

    // The end of input waits for every bundle still finishing before it closes the functions.
    runner.finishes(2);
    runner.finishes(3);
    await settled();
    expect(runner.log.at(-1)).toBe('finished 3');
    runner.finishes(4);
    await run;
    expect(runner.log.slice(13)).toEqual(['finished 2', 'finished 3', 'finished 4', 'close']);
    expect(finished).toEqual(['bundle-1', 'bundle-2', 'bundle-3', 'bundle-4']);
  });
});
