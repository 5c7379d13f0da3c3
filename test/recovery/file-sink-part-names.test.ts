/**
 * A part file never replaces another: a file sink that restores no state of its own (a new run
 * into a directory that already holds part files; a sink whose state was dropped because it
 * had no uid() and the job changed) numbers its files past those already there.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink, MapFunction } from '../../host/index.ts';
import { environment, MODES } from '../support/jobs.ts';
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

/** The part files of `out` and what each holds. */
function contents(out: string): Map<string, string> {
  return new Map(readdirSync(out).map((n) => [n, readFileSync(join(out, n), 'utf8')]));
}

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
    // Without checkpoints, a run writes one part file.
    await runOnce(0);
    await runOnce(1000);
    const both = contents(out);
    expect([...both.keys()].sort()).toEqual(['part-0-0', 'part-0-1']);
    expect(numbersIn([both.get('part-0-0')!])).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(numbersIn([both.get('part-0-1')!])).toEqual(Array.from({ length: 1000 }, (_, i) => 1000 + i));
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
    const committed = new Map([...contents(out)].filter(([n]) => !n.startsWith('.')));
    expect(committed.size).toBeGreaterThan(0);

    // Another map moves the sink's key: its pending files are claimed by no operator.
    const refused = await run(resume, 'extra-map', 'no-sink-uid');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/holds state that no operator of this job claims: the pending output of 'sink:\d+'/);

    const resumed = await run([...resume, '-D', 'execution.savepoint.ignore-unclaimed-state=true'], 'extra-map', 'no-sink-uid');
    expect(resumed.exitCode).toBe(0);
    const after = contents(out);
    expect([...after.keys()].filter((n) => n.startsWith('.'))).toEqual([]);
    for (const [name, text] of committed) expect(after.get(name), name).toBe(text);
    // What the first run committed, then what came after the restored checkpoint, each once (the
    // pending files of that checkpoint were dropped with the sink's state).
    const kept = numbersIn(committed.values());
    const rest = numbersIn([...after].filter(([n]) => !committed.has(n)).map(([, t]) => t));
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => i));
    expect(rest).toEqual(Array.from({ length: rest.length }, (_, i) => 6000 - rest.length + i));
  });
});
