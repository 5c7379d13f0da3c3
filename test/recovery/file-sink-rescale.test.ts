/**
 * The file sink resumed at another parallelism: the part files a completed checkpoint sealed
 * are committed whichever subtask sealed them, also one the sink no longer has (2 → 1), in
 * whichever bucket; the in-progress files its writers wrote after that checkpoint are deleted,
 * and a subtask that restores no state of its own (1 → 2) writes beside the files already in
 * the directory, never over them. A fromSequence source resumed at another parallelism reads
 * what its subtasks had left, each value once. Each run stops the moment a checkpoint completes,
 * before the sink has renamed what it sealed, as a crash would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { MODES } from '../support/jobs.ts';
import { finishedLines, finishedParts, hiddenFiles } from '../support/part-files.ts';

const JOB = fileURLToPath(new URL('../fixtures/jobs/file-sink-job.ts', import.meta.url));
const SLUICE = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
const RECORDS = 6000;

/** Runs the fixture job; `args` go after the output directory (see the fixture's header). */
async function run(dir: string, mode: string, parallelism: number, resume: boolean, ...args: string[]): Promise<number | undefined> {
  const chk = join(dir, 'chk');
  const flags = ['-D', `udf.execution-mode=${mode}`, '-D', `parallelism.default=${parallelism}`, '-D', `state.checkpoints.dir=${chk}`];
  if (resume) flags.push('--from-checkpoint', chk);
  const result = await execa(process.execPath, [SLUICE, 'run', JOB, ...flags, '--', join(dir, 'out'), ...args], {
    reject: false,
    env: { SLUICE_LOG_LEVEL: 'info' },
  });
  return result.exitCode;
}

/** Every line of the committed part files, as numbers, in order. */
function committedLines(out: string): number[] {
  return finishedLines(out)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The committed files: path → what each holds. */
function committedFiles(out: string): Map<string, string> {
  return new Map(finishedParts(out).map((p) => [p.path, p.text]));
}

const ALL = Array.from({ length: RECORDS }, (_, i) => i);

describe.each(MODES)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-file-rescale-'));
    dirs.push(dir);
    return dir;
  };

  it('resumed at a lower parallelism, commits the files of the subtasks that are gone', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect(await run(dir, mode, 2, false, 'stop=3')).toBe(3);
    // Subtask 1's files of checkpoint 3 are sealed and not yet renamed.
    expect(hiddenFiles(out).some((n) => /\/\.part-[0-9a-f-]{36}-1-\d+\.inprogress$/.test(n))).toBe(true);

    expect(await run(dir, mode, 1, true)).toBe(0);
    expect(hiddenFiles(out)).toEqual([]);
    const subtasks = new Set(finishedParts(out).map((p) => p.subtask));
    expect([...subtasks].sort()).toEqual([0, 1]);
    expect(committedLines(out)).toEqual(ALL);
  });

  it.each([
    ['the hour’s bucket', []],
    ['three buckets', ['buckets']],
  ])('rescaled 2 → 1 → 2, writing into %s, overwrites no part file and commits each record once', async (_, options) => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect(await run(dir, mode, 2, false, 'stop=3', ...options)).toBe(3);
    expect(await run(dir, mode, 1, true, 'stop=3', ...options)).toBe(3);
    const before = committedFiles(out);
    expect(finishedParts(out).some((p) => p.subtask === 1)).toBe(true);

    // Subtask 1 of the third run restores no state of its own.
    expect(await run(dir, mode, 2, true, ...options)).toBe(0);
    expect(hiddenFiles(out)).toEqual([]);
    const after = committedFiles(out);
    for (const [path, text] of before) expect(after.get(path), path).toBe(text);
    expect(committedLines(out)).toEqual(ALL);
    if (options.length > 0) {
      for (const r of [0, 1, 2]) {
        const inBucket = finishedParts(out).filter((p) => p.bucket === `mod/${r}`);
        expect(inBucket.flatMap((p) => p.text.split('\n').slice(0, -1).map(Number)).sort((a, b) => a - b)).toEqual(ALL.filter((x) => x % 3 === r));
      }
      expect(new Set(finishedParts(out).map((p) => p.bucket))).toEqual(new Set(['mod/0', 'mod/1', 'mod/2']));
    }
  });

  it.each([
    [2, 3],
    [2, 1],
  ])('reading fromSequence, resumed from %i subtasks at %i, reads what was left once', async (from, to) => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect(await run(dir, mode, from, false, 'stop=3', 'sequence')).toBe(3);
    // The sources had not finished: the resumed run reads the rest.
    expect(committedLines(out).length).toBeLessThan(RECORDS);
    expect(await run(dir, mode, to, true, 'sequence')).toBe(0);
    expect(committedLines(out)).toEqual(ALL);
  });
});
