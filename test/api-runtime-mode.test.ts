/**
 * execution.runtime-mode (env.setRuntimeMode, PyFlink's RuntimeExecutionMode): BATCH refuses an
 * unbounded source before the job starts, naming it; AUTOMATIC is BATCH exactly when every
 * source is bounded; a BATCH job takes no checkpoints, and says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FileSource,
  JobDefinitionError,
  RuntimeExecutionMode,
  SourceFunction,
  StreamExecutionEnvironment,
  StreamFormat,
  Types,
  WatermarkStrategy,
} from '../host/index.ts';
import { addLogSink } from '../host/log.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-runtime-mode-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function environment(settings: Record<string, unknown> = {}): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded', ...settings });
}

class Words extends SourceFunction<string> {
  *run(): Generator<string> {
    yield* ['a', 'b', 'a'];
  }
}

/** A running count of words from `source`: streaming gives every update, batch the final ones. */
function counts(env: StreamExecutionEnvironment, fromFunction: boolean): Promise<[string, number][]> {
  const words = fromFunction ? env.addSource(new Words(), 'Words', Types.STRING()) : env.fromCollection(['a', 'b', 'a']);
  return words
    .map((w): [string, number] => [w, 1], Types.TUPLE([Types.STRING(), Types.LONG()]))
    .keyBy((p) => p[0])
    .sum(1)
    .executeAndCollect();
}

describe('execution.runtime-mode', () => {
  it('is STREAMING by default: a rolling aggregation emits every update', async () => {
    expect(environment().getConfig().get('execution.runtime-mode')).toBe('streaming');
    expect(await counts(environment(), false)).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
    ]);
  });

  it('BATCH refuses a SourceFunction and a continuous FileSource before anything runs, naming the source', async () => {
    const env = environment().setRuntimeMode(RuntimeExecutionMode.BATCH);
    const refusal = new JobDefinitionError(
      "execution.runtime-mode is batch, but the source 'Source: Words' is a SourceFunction, which is unbounded: BATCH runs only bounded sources; set execution.runtime-mode to streaming or automatic",
    );
    expect(await counts(env, true).catch((e: unknown) => e)).toEqual(refusal);
    const watched = FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), root).monitorContinuously(1000).build();
    const batch = environment({ 'execution.runtime-mode': 'BATCH' });
    batch.fromSource(watched, WatermarkStrategy.noWatermarks(), 'watched').print();
    expect(() => batch.getExecutionPlan()).toThrow(
      new JobDefinitionError(
        "execution.runtime-mode is batch, but the source 'Source: watched' is a FileSource that monitors its paths continuously: BATCH runs only bounded sources; set execution.runtime-mode to streaming or automatic",
      ),
    );
  });

  it('AUTOMATIC runs bounded jobs as BATCH and the others as STREAMING', async () => {
    expect(await counts(environment().setRuntimeMode(RuntimeExecutionMode.AUTOMATIC), false)).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(await counts(environment({ 'execution.runtime-mode': 'automatic' }), true)).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
    ]);
  });

  it('a BATCH job takes no checkpoints, and its log says the interval is ignored', async () => {
    const lines: string[] = [];
    const remove = addLogSink((r) => lines.push(r.message));
    try {
      const env = environment({ 'execution.runtime-mode': 'batch', 'state.checkpoints.dir': join(root, 'chk') });
      env.enableCheckpointing(50);
      const out = await counts(env, false);
      expect(out).toEqual([
        ['a', 2],
        ['b', 1],
      ]);
    } finally {
      remove();
    }
    expect(lines.filter((l) => l.includes('BATCH'))).toEqual([
      expect.stringMatching(/^job 'collect' \([0-9a-f]{32}\) starts \(embedded mode, BATCH execution, \d+ stages, restart strategy none\)$/),
      "job 'collect' runs in BATCH mode, which takes no checkpoints: execution.checkpointing.interval (50 ms) is ignored",
    ].reverse());
  });

  it('an interval set on the command line does not make the default restart strategy fixed-delay either', async () => {
    const lines: string[] = [];
    const remove = addLogSink((r) => lines.push(r.message));
    try {
      const env = environment({ 'execution.runtime-mode': 'batch' });
      env.getConfig().set('execution.checkpointing.interval', 100, 'command-line');
      await counts(env, false);
    } finally {
      remove();
    }
    expect(lines.filter((l) => l.includes(' starts ('))).toEqual([expect.stringMatching(/, restart strategy none\)$/)]);
  });

  it('a BATCH job cannot resume from a checkpoint: refused before it starts, naming the key', async () => {
    const dir = join(root, 'chk-1');
    const env = environment({ 'execution.runtime-mode': 'batch', 'execution.savepoint.path': dir });
    expect(await counts(env, false).catch((e: unknown) => e)).toEqual(
      new JobDefinitionError(
        `execution.savepoint.path (${dir}): a BATCH job starts from the beginning of its input and cannot resume from a checkpoint; run it with execution.runtime-mode streaming to resume`,
      ),
    );
  });

  it('refuses a mode it does not know, naming the key', () => {
    expect(() => environment().setRuntimeMode('BULK' as RuntimeExecutionMode)).toThrow(
      "execution.runtime-mode must be one of streaming, batch, automatic, got 'BULK' (from env.setRuntimeMode())",
    );
  });
});
