/**
 * A FileSource's reader: the files under its paths (subdirectories included, hidden entries
 * skipped) in a fixed order; a position at any chunk resumes exactly after it, without listing
 * the files again; a continuous reader reads each new path once, and a restart remembers what
 * it has seen.
 */
import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SourceIOError } from '../shared/errors/errors.ts';
import { addLogSink } from '../host/log.ts';
import { enumerateFiles } from '../host/runtime/sources/file-enumeration.ts';
import { FileSourceReader, type FileSourcePosition } from '../host/runtime/sources/file-source-reader.ts';
import { directories } from './support/directories.ts';
import { failureOf } from './support/failure.ts';

/** A new directory holding `files` (name → content; a content of null makes a subdirectory). */
const directory = directories('sluice-file-source-');

/** Every line `reader` gives until it ends, and its position (as a checkpoint stores it) after each chunk. */
async function readAll(reader: FileSourceReader): Promise<{ lines: string[]; after: { count: number; position: unknown }[] }> {
  const lines: string[] = [];
  const after: { count: number; position: unknown }[] = [];
  for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
    lines.push(...(batch.values as string[]));
    after.push({ count: lines.length, position: JSON.parse(JSON.stringify(reader.checkpoint().position)) });
  }
  return { lines, after };
}

const bounded = (paths: string[], chunk: number, position?: unknown): FileSourceReader => new FileSourceReader(paths, null, chunk, position, 'Source: files');

describe('enumerating a FileSource’s files', () => {
  it('walks directories depth first in name order, skips hidden entries, follows links (not back up the tree), and lists a path once', async () => {
    const dir = directory({
      'b.txt': '',
      'a.txt': '',
      sub: null,
      'sub/z.txt': '',
      'sub/deeper': null,
      'sub/deeper/y.txt': '',
      '_temporary': null,
      '_temporary/t.txt': '',
      '.hidden': null,
      '.hidden/h.txt': '',
      '.part-0.inprogress': '',
      '_SUCCESS': '',
      c: null,
    });
    symlinkSync(join(dir, 'sub'), join(dir, 'link-to-sub'));
    symlinkSync(join(dir, 'a.txt'), join(dir, 'link-to-a'));
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    symlinkSync(dir, join(dir, 'sub', 'deeper', 'back-to-top'));
    const files = await enumerateFiles([dir, join(dir, 'sub', 'z.txt'), join(dir, '_SUCCESS')]);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual([
      'a.txt',
      'b.txt',
      'link-to-a',
      'link-to-sub/deeper/y.txt',
      'link-to-sub/z.txt',
      'sub/deeper/y.txt',
      'sub/z.txt',
      // Named as a path of its own, a hidden file is read.
      '_SUCCESS',
    ]);
  });
});

describe('a bounded FileSource reader', () => {
  it('reads its paths in order, each file as a file alone (its byte order mark dropped, its last line ended by its end)', async () => {
    const dir = directory({ 'a.txt': 'a1\na2\n', sub: null, 'sub/b.txt': '\ufeffb1\r\nb2', 'empty.txt': '', '_x.txt': 'hidden\n' });
    const single = directory({ 'one.txt': 'o1\n' });
    const { lines } = await readAll(bounded([join(single, 'one.txt'), dir], 2));
    expect(lines).toEqual(['o1', 'a1', 'a2', 'b1', 'b2']);
  });

  it('resumes exactly after every chunk, from the file set it started with', async () => {
    const dir = directory({ 'a.txt': 'a1\na2\na3\n', 'b.txt': 'b1\nb2\n', 'c.txt': 'c1\n' });
    const { lines, after } = await readAll(bounded([dir], 2));
    expect(lines).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
    expect(after.map((a) => a.count)).toEqual([2, 3, 5, 6]);
    expect(after[0]!.position).toEqual({ file: join(dir, 'a.txt'), offset: 6, queued: [join(dir, 'b.txt'), join(dir, 'c.txt')], seen: null });
    // A file added after the start is not in a bounded source's set, before or after a restart.
    writeFileSync(join(dir, 'aa.txt'), 'late\n');
    for (const { count, position } of after) {
      const rest = await readAll(bounded([dir], 2, position));
      expect(rest.lines).toEqual(lines.slice(count));
    }
  });

  it('fails with a SourceIOError naming the source and the file when a listed file is gone before it is read', async () => {
    const dir = directory({ 'a.txt': 'a1\n', 'b.txt': 'b1\n' });
    const reader = bounded([dir], 10);
    expect((await reader.next())?.values).toEqual(['a1']);
    const b = join(dir, 'b.txt');
    rmSync(b);
    const error = await failureOf<SourceIOError>(reader.next());
    expect(error).toBeInstanceOf(SourceIOError);
    expect([error!.operator, error!.path, error!.code, error!.syscall]).toEqual(['Source: files', b, 'ENOENT', 'open']);
    expect(error!.message).toBe(
      `source 'Source: files' failed reading ${b}: ENOENT: no such file or directory, open '${b}'; it is gone (a source's files must stay until it has read them)`,
    );
  });

  it('holds no position before it has listed its files: a restart then starts afresh', async () => {
    const dir = directory({ 'a.txt': 'a1\n' });
    const reader = bounded([dir], 10);
    expect(reader.checkpoint().position).toBeNull();
    const pending = reader.next();
    expect(reader.checkpoint().position).toBeNull();
    expect((await pending)?.values).toEqual(['a1']);
    reader.cancel();
  });

  it('refuses a position that is not a bounded file source’s', () => {
    expect(() => bounded(['/x'], 10, 17)).toThrow('Source: files: not a position of a bounded file source: 17');
    const continuous = { file: null, offset: 0, queued: [], seen: ['/x/a'] };
    expect(() => bounded(['/x'], 10, continuous)).toThrow(`Source: files: not a position of a bounded file source: ${JSON.stringify(continuous)}`);
  });
});

describe('a continuous FileSource reader', () => {
  it('reads the files there at its start, then each new path once; files it has read are not read again', async () => {
    const dir = directory({ 'a.txt': 'a1\n' });
    const reader = new FileSourceReader([dir], 5, 10, undefined, 'Source: files');
    expect((await reader.next())?.values).toEqual(['a1']);
    // Written elsewhere and renamed into place, as a continuous source needs.
    writeFileSync(join(dir, '.b.tmp'), 'b1\nb2\n');
    renameSync(join(dir, '.b.tmp'), join(dir, 'b.txt'));
    writeFileSync(join(dir, 'a.txt'), 'a1 rewritten\n');
    expect((await reader.next())?.values).toEqual(['b1', 'b2']);
    const position = reader.checkpoint().position as FileSourcePosition;
    expect(position).toEqual({ file: join(dir, 'b.txt'), offset: 6, queued: [], seen: [join(dir, 'a.txt'), join(dir, 'b.txt')] });
    writeFileSync(join(dir, 'c.txt'), 'c1\n');
    expect((await reader.next())?.values).toEqual(['c1']);
    reader.cancel();

    // A restart from the position reads what came after it, and nothing seen before it.
    const restarted = new FileSourceReader([dir], 5, 10, position, 'Source: files');
    expect((await restarted.next())?.values).toEqual(['c1']);
    writeFileSync(join(dir, 'd.txt'), 'd1\n');
    expect((await restarted.next())?.values).toEqual(['d1']);
    restarted.cancel();
  });

  it('ends a wait for new files when cancelled', async () => {
    const dir = directory({});
    const reader = new FileSourceReader([dir], 3_600_000, 10, undefined, 'Source: files');
    const waiting = reader.next();
    // The first look has listed the (empty) directory once the position exists.
    await expect.poll(() => reader.checkpoint().position).not.toBeNull();
    reader.cancel();
    expect(await waiting).toBeNull();
  });

  it('goes on after a look that fails (logged), and reads what a later look finds', async () => {
    const dir = directory({ sub: null, 'sub/a.txt': 'a1\n' });
    const reader = new FileSourceReader([join(dir, 'sub')], 5, 10, undefined, 'Source: files');
    expect((await reader.next())?.values).toEqual(['a1']);
    renameSync(join(dir, 'sub'), join(dir, 'moved'));
    let failedLook!: (message: string) => void;
    const logged = new Promise<string>((resolve) => (failedLook = resolve));
    const remove = addLogSink((r) => {
      if (r.level === 'error' && r.message.startsWith('Source: files: could not list its files')) failedLook(r.message);
    });
    try {
      const next = reader.next();
      expect(await logged).toMatch(/^Source: files: could not list its files \(ENOENT.*\); trying again in 5 ms$/);
      writeFileSync(join(dir, 'moved', 'b.txt'), 'b1\n');
      renameSync(join(dir, 'moved'), join(dir, 'sub'));
      expect((await next)?.values).toEqual(['b1']);
    } finally {
      remove();
      reader.cancel();
    }
  });

  it('refuses a bounded source’s position', () => {
    const position = { file: null, offset: 0, queued: ['/x/a'], seen: null };
    expect(() => new FileSourceReader(['/x'], 5, 10, position, 'Source: files')).toThrow(
      `Source: files: not a position of a continuous file source: ${JSON.stringify(position)}`,
    );
  });
});
