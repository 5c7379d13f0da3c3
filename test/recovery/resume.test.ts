/**
 * Resume: a job checkpointing into a directory is stopped; started again from its last
 * retained checkpoint (execution.savepoint.path, or `sluice run --from-checkpoint DIR`), it
 * continues where the checkpoint left it: state and source positions restored, and the output
 * of both runs together is exactly that of one uninterrupted run.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointError, MapFunction, ValueStateDescriptor, type RuntimeContext, type ValueState } from '../../host/index.ts';
import { CheckpointStorage, checkpointDirName, loadCheckpoint } from '../../host/checkpoint/checkpoint-storage.ts';
import { hostLog } from '../../host/log.ts';
import { runUntilCheckpoints } from '../support/checkpoints.ts';
import { CallbackSink, environment } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';
import { finishedLines, hiddenFiles } from '../support/part-files.ts';
import { Paced } from './paced-source.ts';

const RECORDS = 20_000;

class Count extends MapFunction<number, [number, number]> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  async map(x: number): Promise<[number, number]> {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return [x, n];
  }
}

function expected(): [number, number][] {
  const counts = [0, 0, 0];
  return Array.from({ length: RECORDS }, (_, x) => [x, ++counts[x % 3]!] as [number, number]);
}

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('resumes a stopped job from its last retained checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-resume-'));
    dirs.push(dir);
    const build = (settings: Record<string, unknown>, out: [number, number][]) => {
      const env = environment(mode, {
        'udf.arrow.batch.size': 500,
        'execution.checkpointing.interval': 100,
        'state.checkpoints.dir': dir,
        'state.checkpoints.num-retained': 2,
        ...settings,
      });
      env
        .addSource(new Paced(RECORDS), 'Paced')
        .uid('numbers')
        .keyBy((x) => x % 3)
        .map(new Count())
        .uid('count')
        .addSink(new CallbackSink<[number, number]>((v) => out.push(v)));
      return env;
    };

    // First run: stopped once three checkpoints have completed.
    const first: [number, number][] = [];
    await runUntilCheckpoints(build({}, first), 'resumable', 3);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(RECORDS);
    expect(readdirSync(dir).filter((n) => n.startsWith('chk-'))).toHaveLength(2);

    // Second run: from the directory (its newest complete checkpoint).
    const second: [number, number][] = [];
    const result = await build({ 'execution.savepoint.path': dir }, second).execute('resumed');
    expect(result.restarts).toBe(0);
    expect([...first, ...second]).toEqual(expected());
  });
});

describe.each(['process', 'thread', 'embedded'] as const)('%s mode: a new run into a directory of checkpoints', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("numbers its checkpoints after the earlier run's, so that they are the ones kept and resumed from", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-rerun-'));
    dirs.push(dir);
    // An earlier run's checkpoint 11, complete.
    await new CheckpointStorage(dir, 2, hostLog).store({ id: 11, timestamp: 1, sources: {}, states: {}, sinks: {} });
    const env = environment(mode, {
      'udf.arrow.batch.size': 500,
      'execution.checkpointing.interval': 100,
      'state.checkpoints.dir': dir,
      'state.checkpoints.num-retained': 2,
    });
    env.addSource(new Paced(RECORDS), 'Paced').uid('numbers').keyBy((x) => x % 3).map(new Count()).uid('count').addSink(new CallbackSink(() => undefined));
    const completed = await runUntilCheckpoints(env, 'rerun', 2);
    // Checkpoints may complete between the second and the cancel: the last two are kept.
    const last = completed.at(-1)!;
    expect(completed).toEqual(Array.from({ length: last - 11 }, (_, i) => 12 + i));
    expect(readdirSync(dir).filter((n) => n.startsWith('chk-')).sort()).toEqual([checkpointDirName(last - 1), checkpointDirName(last)]);
    expect((await loadCheckpoint(dir, hostLog)).id).toBe(last);
  });
});

describe.each(['thread', 'embedded'] as const)('%s mode: a checkpoint that cannot be stored', (mode) => {
  it('fails the job, saying why, instead of going on without checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-unwritable-'));
    try {
      // A file where the checkpoint directory should be: no checkpoint can be written there.
      const notADirectory = join(dir, 'checkpoints');
      writeFileSync(notADirectory, 'a file');
      const env = environment(mode, {
        'udf.arrow.batch.size': 500,
        'execution.checkpointing.interval': 100,
        'state.checkpoints.dir': notADirectory,
      });
      env.addSource(new Paced(RECORDS), 'Paced').keyBy((x) => x % 3).map(new Count()).addSink(new CallbackSink(() => undefined));
      const error = await failureOf(env.execute('unwritable'));
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(/^checkpoint 1 could not be stored: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sluice run --from-checkpoint', () => {
  const JOB = fileURLToPath(new URL('../fixtures/jobs/resumable-job.ts', import.meta.url));
  const SLUICE = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

  it('resumes the job file from a checkpoint directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-resume-'));
    const out = join(dir, 'out');
    try {
      // Stops itself (process.exit) after its third checkpoint, before the end of its input.
      const first = await execa(process.execPath, [SLUICE, 'run', JOB, '-D', `state.checkpoints.dir=${join(dir, 'chk')}`, '--', out, 'stop'], {
        reject: false,
        env: { SLUICE_LOG_LEVEL: 'info' },
      });
      expect(first.exitCode).toBe(3);
      const second = await execa(process.execPath, [SLUICE, 'run', JOB, '--from-checkpoint', join(dir, 'chk'), '-D', `state.checkpoints.dir=${join(dir, 'chk')}`, '--', out], {
        reject: false,
        env: { SLUICE_LOG_LEVEL: 'warn' },
      });
      expect(second.exitCode).toBe(0);
      expect(hiddenFiles(out)).toEqual([]);
      expect(finishedLines(out).map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i * 2));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
