/**
 * A FileSource that monitors its paths (monitorContinuously), in every mode: the files there at
 * the start are read; a file that appears later (written under a hidden name, then renamed into
 * place, as a file sink publishes) is read once; a file read already and then rewritten or
 * touched is not read again (files are known by path, as in Flink); the job runs until it is
 * cancelled. And a path that does not exist fails the job before anything runs.
 *
 * The test waits for what the sink has seen, never for a time: a file that must not be read again
 * is changed before a new file that sorts after it appears, so one look for files sees both, and
 * a second reading of it would come before the new file's lines.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSource, JobCancelledError, JobDefinitionError, StreamFormat, WatermarkStrategy } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { CallbackSink, environment, isAlive, MODES } from '../support/jobs.ts';

/** Looks for new files this often (ms): short, so that the test does not wait long for a look. */
const INTERVAL = 50;

/** The lines a sink has received, and promises that resolve when it has received so many. */
class Received {
  readonly lines: string[] = [];
  private readonly waiting: { count: number; resolve: () => void }[] = [];

  add(line: string): void {
    this.lines.push(line);
    for (const w of this.waiting.filter((w) => this.lines.length >= w.count)) {
      this.waiting.splice(this.waiting.indexOf(w), 1);
      w.resolve();
    }
  }

  /** Resolves once `count` lines have been received. */
  reach(count: number): Promise<void> {
    if (this.lines.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ count, resolve }));
  }
}

/** Writes `content` under a hidden name next to `path`, then renames it to `path`: it appears whole. */
function publish(path: string, content: string): void {
  const hidden = join(dirname(path), `.${basename(path)}.inprogress`);
  writeFileSync(hidden, content);
  renameSync(hidden, path);
}

describe.each(MODES)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reads the files there at the start, then each new file once; a file read already is not read again when it changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-watched-'));
    dirs.push(dir);
    const watched = join(dir, 'in');
    mkdirSync(join(watched, 'sub'), { recursive: true });
    writeFileSync(join(watched, 'a.txt'), 'a1\na2\n');
    writeFileSync(join(watched, 'sub', 's.txt'), 's1\n');
    writeFileSync(join(watched, '.hidden'), 'hidden\n');
    const single = join(dir, 'single.txt');
    writeFileSync(single, 'single\n');

    const received = new Received();
    const env = environment(mode);
    env
      .fromSource(
        FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), watched, single).monitorContinuously(INTERVAL).build(),
        WatermarkStrategy.noWatermarks(),
        'Watched',
      )
      .map((line) => line.toUpperCase())
      .addSink(new CallbackSink<string>((line) => received.add(line)));
    const client = env.executeAsync('watched files');

    await received.reach(4);
    expect(received.lines).toEqual(['A1', 'A2', 'S1', 'SINGLE']);

    // A new file, in the directory's middle by name.
    publish(join(watched, 'b.txt'), 'b1\nb2\nb3');
    await received.reach(7);
    expect(received.lines.slice(4)).toEqual(['B1', 'B2', 'B3']);

    // Files read already, changed: a.txt rewritten (longer), sub/s.txt and b.txt touched, the
    // single file rewritten. Then a file that sorts after all of them in the directory.
    writeFileSync(join(watched, 'a.txt'), 'a1\na2\nA3 again\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(watched, 'sub', 's.txt'), later, later);
    utimesSync(join(watched, 'b.txt'), later, later);
    writeFileSync(single, 'single\nsingle again\n');
    publish(join(watched, 'z.txt'), 'z1\n');
    await received.reach(8);
    expect(received.lines.slice(7)).toEqual(['Z1']);
    // A file in a new subdirectory.
    mkdirSync(join(watched, 'new', 'deeper'), { recursive: true });
    publish(join(watched, 'new', 'deeper', 'n.txt'), 'n1\n');
    publish(join(watched, 'zz.txt'), 'zz1\n');
    await received.reach(10);

    await client.cancel();
    await expect(client.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
    expect(received.lines).toEqual(['A1', 'A2', 'S1', 'SINGLE', 'B1', 'B2', 'B3', 'Z1', 'N1', 'ZZ1']);
    for (const w of client.workers()) if (w.handle.pid !== undefined) expect(isAlive(w.handle.pid)).toBe(false);
  });

  it('fails before anything runs when a path does not exist, naming the source and the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-watched-'));
    dirs.push(dir);
    const missing = join(dir, 'not-there');
    const received = new Received();
    const env = environment(mode);
    env
      .fromSource(
        FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), dir, missing).monitorContinuously(INTERVAL).build(),
        WatermarkStrategy.noWatermarks(),
        'Watched',
      )
      .map((line) => line.length)
      .addSink(new CallbackSink<number>(() => received.add('')));
    const client = env.executeAsync('missing path');
    const error = await failureOf(client.getJobExecutionResult());
    expect(error).toEqual(new JobDefinitionError(`Source: Watched: cannot read ${JSON.stringify(missing)}: no such file or directory`));
    expect(client.workers()).toEqual([]);
  });
});
