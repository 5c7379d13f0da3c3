/**
 * A resume whose checkpoint holds state no operator of the job claims (here: a job without
 * uid()s that gained a map, which moves the keyed operator's key) fails before the job starts,
 * naming that state, instead of starting the operator empty; with
 * execution.savepoint.ignore-unclaimed-state it starts, the state dropped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointError, MapFunction, ValueStateDescriptor, type RuntimeContext, type ValueState } from '../../host/index.ts';
import { runUntilCheckpoints } from '../support/checkpoints.ts';
import { CallbackSink, environment, MODES } from '../support/jobs.ts';
import { Paced } from './paced-source.ts';

const RECORDS = 6000;

class Count extends MapFunction<number, [number, number]> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  map(x: number): [number, number] {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return [x, n];
  }
}

/** x from `from` on, each with its count per key (x % 3) as if counting began at `from`. */
function countedFrom(from: number): [number, number][] {
  const counts = [0, 0, 0];
  return Array.from({ length: RECORDS - from }, (_, i) => [from + i, ++counts[(from + i) % 3]!] as [number, number]);
}

describe.each(MODES)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('refuses to resume with keyed state no operator claims, unless told to drop it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-unclaimed-'));
    dirs.push(dir);
    // No uid(): operators are found by the order of the API calls.
    const build = (extraMap: boolean, settings: Record<string, unknown>, out: [number, number][]) => {
      const env = environment(mode, {
        'udf.arrow.batch.size': 100,
        'execution.checkpointing.interval': 100,
        'state.checkpoints.dir': dir,
        ...settings,
      });
      let stream = env.addSource(new Paced(RECORDS, 50, 10), 'Paced');
      if (extraMap) stream = stream.map((x: number) => x);
      stream
        .keyBy((x: number) => x % 3)
        .map(new Count())
        .name('Count')
        .addSink(new CallbackSink<[number, number]>((v) => out.push(v)));
      return env;
    };

    // The newest checkpoint is what the resume restores.
    const lastId = (await runUntilCheckpoints(build(false, {}, []), 'counting', 3)).at(-1)!;

    const refused: [number, number][] = [];
    const error = await build(true, { 'execution.savepoint.path': dir }, refused)
      .execute('counting, changed')
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toBe(
      `checkpoint ${lastId} holds state that no operator of this job claims: the keyed state and timers of 'udf:3'; ` +
        "operators of this job that found no state in it: 'Count' ('udf:4'). An operator's state is found by its uid(), " +
        'or without one by the order of the API calls that built the job, which adding or removing an operator changes: ' +
        'give stateful operators and sinks a uid(), or set execution.savepoint.ignore-unclaimed-state=true to drop that ' +
        'state and start those operators empty',
    );
    expect(refused).toEqual([]);

    const dropped: [number, number][] = [];
    const result = await build(true, { 'execution.savepoint.path': dir, 'execution.savepoint.ignore-unclaimed-state': true }, dropped).execute(
      'counting, state dropped',
    );
    expect(result.restarts).toBe(0);
    // Resumed from the checkpoint's source position, every count starting again at 1.
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.length).toBeLessThan(RECORDS);
    expect(dropped).toEqual(countedFrom(dropped[0]![0]));
  });

  it('refuses to resume without a source whose position the checkpoint holds, unless told to drop it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-unclaimed-source-'));
    dirs.push(dir);
    const build = (withB: boolean, settings: Record<string, unknown>, out: number[]) => {
      const env = environment(mode, { 'execution.checkpointing.interval': 100, 'state.checkpoints.dir': dir, ...settings });
      const a = env.addSource(new Paced(RECORDS, 50, 10), 'A').uid('a');
      const stream = withB ? a.union(env.addSource(new Paced(RECORDS, 50, 10), 'B').uid('b')) : a;
      stream.addSink(new CallbackSink<number>((v) => out.push(v))).uid('out');
      return env;
    };
    const lastId = (await runUntilCheckpoints(build(true, {}, []), 'two sources', 1)).at(-1)!;

    const error = await build(false, { 'execution.savepoint.path': dir }, [])
      .execute('one source')
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(
      new RegExp(`^checkpoint ${lastId} holds state that no operator of this job claims: the position of source 'source:b'\\. `),
    );
    const resumed: number[] = [];
    const result = await build(false, { 'execution.savepoint.path': dir, 'execution.savepoint.ignore-unclaimed-state': true }, resumed).execute(
      'one source, B dropped',
    );
    expect(result.restarts).toBe(0);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed).toEqual(Array.from({ length: resumed.length }, (_, i) => RECORDS - resumed.length + i));
  });
});
