/**
 * The file sink resumed at another parallelism: the part files a completed checkpoint sealed
 * are committed whichever subtask sealed them, also one the sink no longer has (2 → 1), and a
 * subtask that restores no state of its own (1 → 2) numbers its files past those already in
 * the directory instead of overwriting them. A fromSequence source resumed at another parallelism
 * reads what its subtasks had left, each value once. Each run stops the moment a checkpoint completes,
 * before the sink has renamed what it sealed, as a crash would.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { MODES } from '../support/jobs.ts';

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
  return readdirSync(out)
    .filter((n) => !n.startsWith('.'))
    .flatMap((n) => readFileSync(join(out, n), 'utf8').split('\n').filter((l) => l !== ''))
    .map(Number)
    .sort((a, b) => a - b);
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
    expect(readdirSync(out).some((n) => /^\.part-1-\d+\.inprogress$/.test(n))).toBe(true);

    expect(await run(dir, mode, 1, true)).toBe(0);
    const names = readdirSync(out);
    expect(names.filter((n) => n.startsWith('.'))).toEqual([]);
    expect(names.every((n) => /^part-[01]-\d+$/.test(n))).toBe(true);
    expect(committedLines(out)).toEqual(ALL);
  });

  it('rescaled 2 → 1 → 2, overwrites no part file', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    expect(await run(dir, mode, 2, false, 'stop=3')).toBe(3);
    expect(await run(dir, mode, 1, true, 'stop=3')).toBe(3);
    const before = new Map(readdirSync(out).filter((n) => !n.startsWith('.')).map((n) => [n, readFileSync(join(out, n), 'utf8')]));
    expect([...before.keys()].some((n) => n.startsWith('part-1-'))).toBe(true);

    // Subtask 1 of the third run restores no state of its own.
    expect(await run(dir, mode, 2, true)).toBe(0);
    const names = readdirSync(out);
    expect(names.filter((n) => n.startsWith('.'))).toEqual([]);
    for (const [name, text] of before) expect(readFileSync(join(out, name), 'utf8'), name).toBe(text);
    expect(committedLines(out)).toEqual(ALL);
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
