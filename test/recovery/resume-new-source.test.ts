/**
 * A job resumed from a checkpoint after a source was added to it: the checkpoint has no
 * position for the new source, which starts from its beginning (as Flink starts an operator
 * with no state in the savepoint empty), and the log says so; the sources and keyed operators
 * it knows by their uid() continue where it left them. Here the new source is connected to the
 * keyed operator whose state the checkpoint holds (the job evolved into a connect), or runs
 * beside the old pipeline. This used to be refused ("checkpoint N has no position for ...").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addLogSink,
  KeyedCoProcessFunction,
  MapFunction,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type RuntimeContext,
  type ValueState,
} from '../../host/index.ts';
import { runUntilCheckpoints } from '../support/checkpoints.ts';
import { CallbackSink, environment, MODES, type Mode } from '../support/jobs.ts';
import { Paced } from './paced-source.ts';

const RECORDS = 6000;
/** What the new source reads: one record per key (x % 3). */
const ADDED = [100, 101, 102];

const count = (): ValueStateDescriptor<number> => new ValueStateDescriptor<number>('count', Types.LONG());

/** The first job's operator: each record with its count per key. */
class Count extends MapFunction<number, [number, number]> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(count());
  }
  map(x: number): [number, number] {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return [x, n];
  }
}

/** The resumed job's operator (same uid, same state): counts input 1 on; input 2's records come out as [x, -1]. */
class CountAndPass extends KeyedCoProcessFunction<number, number, number, [number, number]> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(count());
  }
  processElement1(x: number, _ctx: KeyedProcessContext<number>, out: Collector<[number, number]>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect([x, n]);
  }
  processElement2(x: number, _ctx: KeyedProcessContext<number>, out: Collector<[number, number]>): void {
    out.collect([x, -1]);
  }
}

/** Every record with its count per key, as one uninterrupted run counts them. */
function counted(): [number, number][] {
  const counts = [0, 0, 0];
  return Array.from({ length: RECORDS }, (_, x) => [x, ++counts[x % 3]!] as [number, number]);
}

function settings(mode: Mode, dir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'udf.arrow.batch.size': 100,
    'execution.checkpointing.interval': 100,
    'state.checkpoints.dir': dir,
    'udf.execution-mode': mode,
    ...extra,
  };
}

/** Runs the first job (no second source) until three checkpoints completed; returns its output and the newest checkpoint's id. */
async function firstRun(mode: Mode, dir: string): Promise<{ out: [number, number][]; lastId: number }> {
  const out: [number, number][] = [];
  const env = environment(mode, settings(mode, dir));
  env
    .addSource(new Paced(RECORDS, 50, 10), 'Paced')
    .uid('numbers')
    .keyBy((x) => x % 3)
    .map(new Count())
    .uid('count')
    .addSink(new CallbackSink<[number, number]>((v) => out.push(v)));
  const lastId = (await runUntilCheckpoints(env, 'counting', 3)).at(-1)!;
  expect(out.length).toBeGreaterThan(0);
  expect(out.length).toBeLessThan(RECORDS);
  return { out, lastId };
}

/** The log lines saying a source starts from its beginning, while `run` runs. */
async function newSourceLines(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const remove = addLogSink((r) => {
    if (r.message.includes('has no position for')) lines.push(`${r.level} ${r.message}`);
  });
  try {
    await run();
  } finally {
    remove();
  }
  return lines;
}

describe.each(MODES)('%s mode: resuming with a source the checkpoint does not know', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('starts the new source, connected to the restored keyed operator, from its beginning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-new-source-'));
    dirs.push(dir);
    const first = await firstRun(mode, dir);

    const second: [number, number][] = [];
    const env = environment(mode, settings(mode, dir, { 'execution.savepoint.path': dir }));
    const added = env.fromCollection(ADDED, Types.LONG()).uid('added').keyBy((x) => x % 3);
    env
      .addSource(new Paced(RECORDS, 50, 10), 'Paced')
      .uid('numbers')
      .keyBy((x) => x % 3)
      .connect(added)
      .process(new CountAndPass())
      .uid('count')
      .addSink(new CallbackSink<[number, number]>((v) => second.push(v)));
    const lines = await newSourceLines(() => env.execute('counting, with a second input'));

    expect(lines).toEqual([
      `info checkpoint ${first.lastId} has no position for Source: Collection Source ('source:added'), new to the job: it starts from its beginning`,
    ]);
    // The old source and the counts go on from the checkpoint; every record of the new source comes, once.
    expect([...first.out, ...second.filter(([, n]) => n !== -1)]).toEqual(counted());
    expect(second.filter(([, n]) => n === -1).sort((a, b) => a[0] - b[0])).toEqual(ADDED.map((x) => [x, -1]));
  });

  it('starts a new source of a pipeline of its own from its beginning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-new-source-'));
    dirs.push(dir);
    const first = await firstRun(mode, dir);

    const second: [number, number][] = [];
    const added: number[] = [];
    const env = environment(mode, settings(mode, dir, { 'execution.savepoint.path': dir }));
    env
      .addSource(new Paced(RECORDS, 50, 10), 'Paced')
      .uid('numbers')
      .keyBy((x) => x % 3)
      .map(new Count())
      .uid('count')
      .addSink(new CallbackSink<[number, number]>((v) => second.push(v)));
    env
      .fromCollection(ADDED, Types.LONG())
      .uid('added')
      .map((x: number) => x + 1)
      .addSink(new CallbackSink<number>((v) => added.push(v)));
    const lines = await newSourceLines(() => env.execute('counting, with another pipeline'));

    expect(lines).toEqual([
      `info checkpoint ${first.lastId} has no position for Source: Collection Source ('source:added'), new to the job: it starts from its beginning`,
    ]);
    expect([...first.out, ...second]).toEqual(counted());
    expect(added).toEqual([101, 102, 103]);
  });
});
