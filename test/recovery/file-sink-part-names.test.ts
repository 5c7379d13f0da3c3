/**
 * A part file never replaces another: each writer names its files with its own unique id, so a
 * file sink that restores no state of its own (a new run into a directory that already holds
 * part files; a sink whose state was dropped because it had no uid() and the job changed), and
 * two jobs writing into one directory at once, write beside the files already there. A job that
 * resumes deletes only its own writers' in-progress files, never another job's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink, MapFunction } from '../../host/index.ts';
import { environment, MODES } from '../support/jobs.ts';
import { finishedParts, hiddenFiles } from '../support/part-files.ts';
import { Paced } from './paced-source.ts';

const JOB = fileURLToPath(new URL('../fixtures/jobs/file-sink-job.ts', import.meta.url));
const SLUICE = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

class Offset extends MapFunction<number, number> {
  constructor(private readonly by: number) {
    super();
  }
  map(x: number): number {
    return x + this.by;
  }
}

/** The committed part files of `out` (path → what each holds). */
function contents(out: string): Map<string, string> {
  return new Map(finishedParts(out).map((p) => [p.path, p.text]));
}

const ALL = Array.from({ length: 6000 }, (_, i) => i);

/** Another job's in-progress part 0 of subtask 0, with the same prefix. */
const OTHER = '.part-0b7e1c52-6f1c-4d3e-9a57-3f6c2d1e0a99-0-0.inprogress';

function numbersIn(texts: Iterable<string>): number[] {
  return [...texts]
    .flatMap((t) => t.split('\n').filter((l) => l !== ''))
    .map(Number)
    .sort((a, b) => a - b);
}

describe.each(MODES)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-part-names-'));
    dirs.push(dir);
    return dir;
  };

  it('a second run into the same directory keeps the first run’s part files', async () => {
    const out = join(tempDir(), 'out');
    const runOnce = async (from: number): Promise<void> => {
      const env = environment(mode, { 'udf.arrow.batch.size': 100 });
      env
        .addSource(new Paced(1000, 100, 5), 'Paced')
        .map(new Offset(from))
        .sinkTo(FileSink.forRowFormat(out));
      await env.execute('numbers');
    };
    // Without checkpoints, a run writes one part file (in the hour's bucket: two if it ran across the turn of an hour).
    await runOnce(0);
    const first = contents(out);
    await runOnce(1000);
    const both = finishedParts(out);
    for (const [path, text] of first) expect(both.find((p) => p.path === path)?.text, path).toBe(text);
    const writers = new Set(both.map((p) => p.writer));
    expect(writers.size).toBe(2);
    const second = both.filter((p) => !first.has(p.path));
    expect(writers.has(null)).toBe(false);
    expect(second.every((p) => p.n === 0 && p.subtask === 0)).toBe(true);
    expect(numbersIn(first.values())).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(numbersIn(second.map((p) => p.text))).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
    expect(hiddenFiles(out)).toEqual([]);
  });

  it('a sink whose state is dropped on resume keeps the committed part files', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const run = (flags: string[], ...args: string[]) =>
      execa(
        process.execPath,
        [SLUICE, 'run', JOB, '-D', `udf.execution-mode=${mode}`, '-D', `state.checkpoints.dir=${join(dir, 'chk')}`, ...flags, '--', out, ...args],
        { reject: false, env: { SLUICE_LOG_LEVEL: 'info' } },
      );
    const resume = ['--from-checkpoint', join(dir, 'chk')];
    expect((await run([], 'stop=3', 'no-sink-uid')).exitCode).toBe(3);
    const committed = contents(out);
    expect(committed.size).toBeGreaterThan(0);
    const firstWriters = new Set(finishedParts(out).map((p) => p.writer!));

    // Another map moves the sink's key: its pending files are claimed by no operator.
    const refused = await run(resume, 'extra-map', 'no-sink-uid');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/holds state that no operator of this job claims: the pending output of 'sink:\d+'/);

    const resumed = await run([...resume, '-D', 'execution.savepoint.ignore-unclaimed-state=true'], 'extra-map', 'no-sink-uid');
    expect(resumed.exitCode).toBe(0);
    const after = contents(out);
    // The first run's hidden files stay (the state that named its writer was dropped), and are never committed; the resumed run leaves none.
    expect(hiddenFiles(out).filter((path) => ![...firstWriters].some((id) => path.includes(`-${id}-`)))).toEqual([]);
    for (const [name, text] of committed) expect(after.get(name), name).toBe(text);
    // What the first run committed, then what came after the restored checkpoint, each once (the
    // pending files of that checkpoint were dropped with the sink's state).
    const kept = numbersIn(committed.values());
    const rest = numbersIn([...after].filter(([n]) => !committed.has(n)).map(([, t]) => t));
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => i));
    expect(rest).toEqual(Array.from({ length: rest.length }, (_, i) => 6000 - rest.length + i));
  });

  it('two jobs writing into one directory at once each commit their records once; the one that resumes deletes nothing of the other’s', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const run = (chk: string, flags: string[], ...args: string[]) =>
      execa(
        process.execPath,
        [SLUICE, 'run', JOB, '-D', `udf.execution-mode=${mode}`, '-D', 'parallelism.default=2', '-D', `state.checkpoints.dir=${join(dir, chk)}`, ...flags, '--', out, ...args],
        { reject: false, env: { SLUICE_LOG_LEVEL: 'info' } },
      );
    const [crashed, other] = await Promise.all([run('chk-x', [], 'stop=3'), run('chk-y', [])]);
    expect([crashed.exitCode, other.exitCode]).toEqual([3, 0]);
    // A third job's in-progress file beside every file the crashed one left in progress.
    const planted = [...new Set(hiddenFiles(out).map((path) => join(dirname(path), OTHER)))];
    expect(planted.length).toBeGreaterThan(0);
    for (const path of planted) writeFileSync(join(out, path), 'another job\n');

    const resumed = await run('chk-x', ['--from-checkpoint', join(dir, 'chk-x')]);
    expect(resumed.exitCode).toBe(0);
    expect(hiddenFiles(out)).toEqual(planted.sort());
    const parts = finishedParts(out);
    const counts = new Map<number, number>();
    for (const x of numbersIn(parts.map((p) => p.text))) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()]).toEqual(ALL);
    expect([...counts.values()].every((c) => c === 2)).toBe(true);
  });
});
