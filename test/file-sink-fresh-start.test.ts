/**
 * A file sink shares its directory with other jobs: its part files are named for its writer
 * (a unique id per subtask and attempt), so that a fresh start leaves the in-progress files
 * already there alone (they may be another job's, still writing: regression, a fresh run
 * deleted a running job's in-progress file, which then failed renaming it), and a restore deletes
 * only the in-progress files of the writers its checkpoint names (work after that checkpoint,
 * in any bucket, also one made after it) and of the run's earlier attempts: never another job's,
 * though it has the same prefix and subtask index.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSink, type BucketAssigner } from '../host/index.ts';
import { FileWriter, type FileSinkState } from '../host/runtime/sinks/file-writer.ts';
import { finishedPartFiles, hiddenFiles } from './support/part-files.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-file-sink-fresh-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OTHER = '0b7e1c52-6f1c-4d3e-9a57-3f6c2d1e0a99';
const MINE = '5d0c3a1e-2b4f-4c6d-8e9f-a1b2c3d4e5f6';
const NEXT = 'c9a8b7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d';

/** "bucket:line" goes into the bucket named before the colon. */
const byPrefix: BucketAssigner<string> = { getBucketId: (value) => value.slice(0, value.indexOf(':')) };

let dirs = 0;
/** A directory where another job has its part 0 of subtask 0 in progress in bucket "h03". */
function sharedDirectory(): string {
  const dir = join(root, `d${dirs++}`);
  mkdirSync(join(dir, 'h03'), { recursive: true });
  writeFileSync(join(dir, 'h03', `.part-${OTHER}-0-0.inprogress`), 'the other job\n');
  return dir;
}

function writer(dir: string, id: string, restored: FileSinkState[] | null, earlierWriters: string[] = []): FileWriter {
  const sink = FileSink.forRowFormat<string>(dir, { encoder: (v) => String(v).slice(String(v).indexOf(':') + 1) }).withBucketAssigner(byPrefix);
  return new FileWriter(sink as FileSink<unknown>, 0, restored, { id, earlierWriters });
}

describe('a file sink in a directory another job uses', () => {
  it('starting afresh, keeps the other job’s in-progress file and writes its own beside it', async () => {
    const dir = sharedDirectory();
    const mine = writer(dir, MINE, null);
    await mine.open();
    await mine.write(['h03:mine']);
    await mine.endOfInput();
    await mine.commit(Infinity);
    expect(readdirSync(join(dir, 'h03')).sort()).toEqual([`.part-${OTHER}-0-0.inprogress`, `part-${MINE}-0-0`]);
  });

  it('restoring a checkpoint, commits what it sealed and deletes what its writer wrote after it, in every bucket, and nothing of the other job', async () => {
    const dir = sharedDirectory();
    const first = writer(dir, MINE, null);
    await first.open();
    await first.write(['h03:a', 'h03:b']);
    await first.preCommit(1);
    const state = first.checkpointState(1);
    // After the checkpoint: more in h03, and a bucket it had not written into before.
    await first.write(['h03:c', 'h04:d']);
    await first.preCommit(2);
    await first.write(['h04:e']);
    expect(hiddenFiles(dir)).toEqual([
      `h03/.part-${OTHER}-0-0.inprogress`,
      `h03/.part-${MINE}-0-0.inprogress`,
      `h03/.part-${MINE}-0-1.inprogress`,
      `h04/.part-${MINE}-0-0.inprogress`,
      `h04/.part-${MINE}-0-1.inprogress`,
    ]);

    // The process died there; the resume restores checkpoint 1.
    const second = writer(dir, NEXT, [state]);
    await second.open();
    expect(hiddenFiles(dir)).toEqual([`h03/.part-${OTHER}-0-0.inprogress`]);
    expect(finishedPartFiles(dir)).toEqual({ 'h03/part-<id>-0-0': 'a\nb\n' });
    await second.abort();
  });

  it('after failed attempts of its run, deletes their in-progress files though no checkpoint names their writers', async () => {
    const dir = sharedDirectory();
    const failed = writer(dir, MINE, null);
    await failed.open();
    await failed.write(['h03:a']);
    // Sealed for a checkpoint that never completed: the abort keeps it.
    await failed.preCommit(1);
    await failed.abort();
    expect(existsSync(join(dir, 'h03', `.part-${MINE}-0-0.inprogress`))).toBe(true);
    const next = writer(dir, NEXT, null, [MINE]);
    await next.open();
    expect(hiddenFiles(dir)).toEqual([`h03/.part-${OTHER}-0-0.inprogress`]);
    await next.abort();
  });

  it('restoring a state without a writer id (a checkpoint of an older Sluice), commits its files and deletes nothing', async () => {
    const dir = sharedDirectory();
    writeFileSync(join(dir, '.part-0-3.inprogress'), 'sealed\n');
    const state: FileSinkState = { files: [{ temp: join(dir, '.part-0-3.inprogress'), final: join(dir, 'part-0-3') }] };
    const restored = writer(dir, NEXT, [state]);
    await restored.open();
    expect(hiddenFiles(dir)).toEqual([`h03/.part-${OTHER}-0-0.inprogress`]);
    expect(readdirSync(dir).sort()).toEqual(['h03', 'part-0-3']);
    await restored.abort();
  });
});
