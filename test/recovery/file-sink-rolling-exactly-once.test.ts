/**
 * Exactly-once holds with part files rolled by size, so that a checkpoint seals many files:
 * across a restart from a checkpoint, and across a crash the moment a checkpoint completed
 * (before the sink renamed its files) and the resume from it, every record is committed once,
 * in order, and no in-progress file is left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink, RollingPolicy, Time } from '../../host/index.ts';
import { environment } from '../support/jobs.ts';
import { finishedParts, hiddenFiles, inOrderOfFirstNumber } from '../support/part-files.ts';
import { RESTART_ONCE } from './checkpoint-gate.ts';
import { FailsOnce } from './fails-once.ts';
import { Paced } from './paced-source.ts';

const JOB = fileURLToPath(new URL('../fixtures/jobs/file-sink-job.ts', import.meta.url));
const SLUICE = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
/** The part size here and given to the fixture job. */
const PART_SIZE = 256;

/**
 * What the committed part files in `out` hold, in the order they were written (each run's, or
 * attempt's, writer names its files apart), once no hidden file is left and all are subtask 0's.
 */
function committed(out: string): string[] {
  expect(hiddenFiles(out)).toEqual([]);
  const parts = inOrderOfFirstNumber(finishedParts(out));
  expect(parts.filter((p) => p.subtask !== 0)).toEqual([]);
  return parts.map((p) => p.text);
}

/**
 * Checks that `files` hold 0..count-1 once each, in order, each file rolled by the size rule
 * (what it held before its last line was at most PART_SIZE bytes), so that there are at least
 * as many files as that rule allows for the bytes written.
 */
function expectRolledOnce(files: string[], count: number): void {
  const lines = files.flatMap((f) => f.split('\n').slice(0, -1));
  expect(lines).toEqual(Array.from({ length: count }, (_, i) => String(i)));
  for (const f of files) expect(Buffer.byteLength(f.slice(0, f.lastIndexOf('\n', f.length - 2) + 1))).toBeLessThanOrEqual(PART_SIZE);
  const bytes = files.reduce((sum, f) => sum + Buffer.byteLength(f), 0);
  const longestLine = String(count - 1).length + 1;
  expect(files.length).toBeGreaterThanOrEqual(Math.ceil(bytes / (PART_SIZE + longestLine)));
}

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-rolling-once-'));
    dirs.push(dir);
    return dir;
  };

  it('a restart from a checkpoint commits every record once', async () => {
    const out = join(tempDir(), 'out');
    const env = environment(mode, { 'udf.arrow.batch.size': 100, ...RESTART_ONCE });
    env
      .addSource(new Paced(3000), 'Paced')
      .map(new FailsOnce(2000))
      .setFailurePolicy('restart')
      .sinkTo(FileSink.forRowFormat(out).withRollingPolicy(RollingPolicy.defaultRollingPolicy(PART_SIZE, Time.days(1), Time.days(1))).build());
    const result = await env.execute('rolling exactly once');
    expect(result.restarts).toBe(1);
    expectRolledOnce(committed(out), 3000);
  });

  it('a resume from a checkpoint whose many sealed files were not renamed yet commits them all, and every record once', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const run = (flags: string[], ...args: string[]) =>
      execa(
        process.execPath,
        [SLUICE, 'run', JOB, '-D', `udf.execution-mode=${mode}`, '-D', `state.checkpoints.dir=${join(dir, 'chk')}`, ...flags, '--', out, ...args],
        { reject: false, env: { SLUICE_LOG_LEVEL: 'info' } },
      );
    const crashed = await run([], 'stop=3', `part-size=${PART_SIZE}`);
    expect(crashed.exitCode).toBe(3);
    // Sealed (and rolled since) but not renamed: what the resume must commit, or delete.
    expect(hiddenFiles(out).length).toBeGreaterThan(1);
    const resumed = await run(['--from-checkpoint', join(dir, 'chk')], `part-size=${PART_SIZE}`);
    expect(resumed.exitCode).toBe(0);
    expectRolledOnce(committed(out), 6000);
  });
});
