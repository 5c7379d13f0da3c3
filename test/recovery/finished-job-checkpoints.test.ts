/**
 * A job that finishes discards the checkpoints it took, as Flink discards a finished job's
 * retained checkpoints: its last one was taken before its end, and a resume from it would
 * deliver again everything after it. A job that stops before its end (cancelled here) keeps its
 * own, and a finished run leaves an earlier run's checkpoints in the directory alone.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointDirName } from '../../host/checkpoint/checkpoint-storage.ts';
import { addLogSink, type SourceFunction } from '../../host/index.ts';
import { runUntilCheckpoints } from '../support/checkpoints.ts';
import { collect, environment } from '../support/jobs.ts';
import { CheckpointGate, GatedSource } from './checkpoint-gate.ts';
import { Paced } from './paced-source.ts';

const N = 200;

function checkpointsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith('chk-'))
    .sort();
}

describe.each(['process', 'thread', 'embedded'] as const)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a finished job discards its checkpoints and keeps an earlier stopped run\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-finished-'));
    dirs.push(dir);
    const build = (source: SourceFunction<number>) => {
      const env = environment(mode, { 'execution.checkpointing.interval': 20, 'state.checkpoints.dir': dir, 'state.checkpoints.num-retained': 2 });
      const out = collect(env.addSource(source, 'Numbers').uid('numbers').map((x: number) => x * 2));
      return { env, out };
    };

    // A run stopped once a checkpoint has completed, long before its end.
    const stopped = build(new Paced(10_000_000));
    const kept = await runUntilCheckpoints(stopped.env, 'stopped', 1);
    const earlier = checkpointsIn(dir);
    expect(earlier.length).toBeGreaterThan(0);
    expect(earlier).toContain(checkpointDirName(kept[0]!));

    // A run to the end, with a checkpoint of its own taken half-way.
    const gate = new CheckpointGate();
    const messages: string[] = [];
    const removeSink = addLogSink((r) => {
      if (r.message.includes('discarded its')) messages.push(r.message);
    });
    const finished = build(new GatedSource(gate, N, N / 2));
    await finished.env.execute('finishes').finally(() => {
      gate.remove();
      removeSink();
    });
    expect(finished.out).toEqual(Array.from({ length: N }, (_, i) => i * 2));
    expect(checkpointsIn(dir)).toEqual(earlier);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      new RegExp(`^job 'finishes' discarded its \\d+ retained checkpoints? in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, as Flink discards a finished job's: resuming from one would repeat output delivered after it$`),
    );
  });
});
