/**
 * A file sink that starts afresh (no checkpoint restored) leaves the in-progress part files
 * already in its directory alone: they may be another job's, still writing. Only a restore
 * deletes those of its subtasks, as work after the checkpoint it restores. Regression: a fresh
 * run deleted a running job's in-progress file, which then failed renaming it (ENOENT).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSink } from '../host/index.ts';
import { FileWriter } from '../host/runtime/sinks/file-writer.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-file-sink-fresh-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A directory where another writer has its part 0 in progress. */
function sharedDirectory(): string {
  const dir = join(root, `d${dirs++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, '.part-0-0.inprogress'), 'the other job\n');
  return dir;
}

describe('a file sink in a directory another writer uses', () => {
  it('starting afresh, keeps the other in-progress file and numbers its own past it', async () => {
    const dir = sharedDirectory();
    const writer = new FileWriter(FileSink.forRowFormat(dir) as FileSink<unknown>, 0, 1, null);
    await writer.open();
    await writer.write(['mine']);
    await writer.endOfInput();
    await writer.commit(Infinity);
    expect(readdirSync(dir).sort()).toEqual(['.part-0-0.inprogress', 'part-0-1']);
  });

  it('restoring a checkpoint, deletes its subtask’s in-progress files as work after that checkpoint', async () => {
    const dir = sharedDirectory();
    const writer = new FileWriter(FileSink.forRowFormat(dir) as FileSink<unknown>, 0, 1, []);
    await writer.open();
    expect(existsSync(join(dir, '.part-0-0.inprogress'))).toBe(false);
    await writer.abort();
  });
});
