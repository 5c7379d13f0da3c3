/**
 * A resumed job spreads its keys over the key groups its keyed state was written with: with no
 * max parallelism configured (each operator's then derived from its parallelism) it takes the
 * checkpoint's, as Flink does, and continues exactly; a configured one that differs is refused
 * before the job starts, saying which operator and what to set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointError, MapFunction, ValueStateDescriptor, type RuntimeContext, type ValueState } from '../../host/index.ts';
import { runUntilCheckpoints } from '../support/checkpoints.ts';
import { failureOf } from '../support/failure.ts';
import { CallbackSink, environment, MODES } from '../support/jobs.ts';
import { Paced } from './paced-source.ts';

const RECORDS = 20_000;

/** [x, how many records of x's key so far, the operator's max parallelism]. */
class Count extends MapFunction<number, [number, number, number]> {
  private count!: ValueState<number>;
  private maxParallelism = 0;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
    this.maxParallelism = ctx.getMaxNumberOfParallelSubtasks();
  }
  map(x: number): [number, number, number] {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return [x, n, this.maxParallelism];
  }
}

describe.each(MODES)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const build = (dir: string, settings: Record<string, unknown>, out: [number, number, number][]) => {
    const env = environment(mode, {
      'udf.arrow.batch.size': 500,
      'execution.checkpointing.interval': 100,
      'state.checkpoints.dir': dir,
      ...settings,
    });
    env
      .addSource(new Paced(RECORDS), 'Paced')
      .uid('numbers')
      .keyBy((x) => x % 5)
      .map(new Count())
      .uid('count')
      .name('count')
      .setParallelism(2)
      .addSink(new CallbackSink<[number, number, number]>((v) => out.push(v)));
    return env;
  };

  /** A first run at max parallelism 64, stopped after two checkpoints. */
  async function firstRun(dir: string): Promise<[number, number, number][]> {
    const first: [number, number, number][] = [];
    await runUntilCheckpoints(build(dir, { 'pipeline.max-parallelism': 64 }, first), 'at 64', 2);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(RECORDS);
    expect(new Set(first.map((r) => r[2]))).toEqual(new Set([64]));
    return first;
  }

  it("resumes with the checkpoint's max parallelism when the job configures none", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-max-parallelism-'));
    dirs.push(dir);
    const first = await firstRun(dir);
    const second: [number, number, number][] = [];
    // Derived from parallelism 2 it would be 128: the state's 64 is kept.
    const result = await build(dir, { 'execution.savepoint.path': dir }, second).execute('resumed');
    expect(result.restarts).toBe(0);
    expect(new Set(second.map((r) => r[2]))).toEqual(new Set([64]));
    // Each key's count goes on from the checkpoint, whichever subtask the key lands on.
    const counts = [0, 0, 0, 0, 0];
    const all = [...first, ...second].map(([x, n]) => [x, n]).sort((a, b) => a[0]! - b[0]!);
    expect(all).toEqual(Array.from({ length: RECORDS }, (_, x) => [x, ++counts[x % 5]!]));
  });

  it('refuses to resume under a configured max parallelism that differs, before the job starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-max-parallelism-'));
    dirs.push(dir);
    await firstRun(dir);
    const second: [number, number, number][] = [];
    const error = await failureOf<CheckpointError>(build(dir, { 'execution.savepoint.path': dir, 'pipeline.max-parallelism': 32 }, second).execute('resumed'));
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error!.message).toMatch(
      /^checkpoint \d+: the keyed state of 'count' \('udf:count'\) was written with max parallelism 64, and pipeline\.max-parallelism is now 32: keys cannot move to another number of key groups \(Flink refuses this too\); resume with pipeline\.max-parallelism=64$/,
    );
    expect(second).toEqual([]);
  });
});
