/**
 * readTextFile on a directory reads every file in it, as Flink's does: in the order of their
 * names, without entering subdirectories, skipping hidden files ("." or "_" first); each file
 * as a file alone is read; a position at any chunk resumes exactly after it. Regression:
 * readTextFile(directory) was refused ("… is not a file").
 */
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Types } from '../host/index.ts';
import type { SourceReader } from '../host/runtime/sources/source-reader.ts';
import { TextSourceReader } from '../host/runtime/sources/text-source-reader.ts';
import { directories } from './support/directories.ts';
import { environment, MODES } from './support/jobs.ts';

/** A new directory holding `files` (name → content; a content of null makes a subdirectory). */
const directory = directories('sluice-text-dir-');

/** Every line a reader of `path` gives from `position`, and its checkpointed position after each chunk (as a checkpoint stores it). */
async function read(path: string, chunk: number, position: unknown = undefined): Promise<{ lines: string[]; after: { count: number; position: unknown }[] }> {
  const reader: SourceReader = new TextSourceReader(path, chunk, position);
  const lines: string[] = [];
  const after: { count: number; position: unknown }[] = [];
  for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
    lines.push(...(batch.values as string[]));
    after.push({ count: lines.length, position: JSON.parse(JSON.stringify(reader.checkpoint().position)) });
  }
  return { lines, after };
}

describe('the text source reader on a directory', () => {
  it('reads the files in the order of their names, each as a file alone, skipping hidden files and subdirectories', async () => {
    const dir = directory({
      'b.txt': '\ufeffb1\r\nb2',
      'a.txt': 'a1\na2\n',
      'c.log': 'c1\n',
      '.part-0-1.inprogress': 'in progress\n',
      '_SUCCESS': '',
      '_temporary': null,
      sub: null,
      'sub/nested.txt': 'nested\n',
      'empty.txt': '',
    });
    symlinkSync(join(dir, 'sub'), join(dir, 'link-to-sub'));
    symlinkSync(join(dir, 'a.txt'), join(dir, 'link-to-a'));
    const { lines } = await read(dir, 100);
    expect(lines).toEqual(['a1', 'a2', 'b1', 'b2', 'c1', 'a1', 'a2']);
  });

  it('gives nothing for an empty directory, or one holding only hidden files', async () => {
    expect((await read(directory({}), 10)).lines).toEqual([]);
    expect((await read(directory({ '.hidden': 'x\n', '_meta': 'y\n' }), 10)).lines).toEqual([]);
  });

  it('resumes from the position checkpointed after any chunk exactly after it, across files', async () => {
    const files: Record<string, string> = {};
    const all: string[] = [];
    for (let f = 0; f < 4; f++) {
      const lines = Array.from({ length: 3 + f }, (_, i) => `f${f} line ${i} ${'ä'.repeat(i)}`);
      files[`part-${f}`] = `${f === 2 ? '\ufeff' : ''}${lines.join('\n')}${f === 1 ? '' : '\n'}`;
      all.push(...lines);
    }
    const dir = directory(files);
    for (const chunk of [1, 2, 5]) {
      const { lines, after } = await read(dir, chunk);
      expect(lines).toEqual(all);
      for (const { count, position } of after) {
        expect((await read(dir, chunk, position)).lines).toEqual(all.slice(count));
      }
    }
  });

  it('refuses to resume a directory from a single file position, and the reverse', async () => {
    const dir = directory({ 'a.txt': 'a\n' });
    await expect(read(dir, 10, 3)).rejects.toThrow(`not a position of a text directory source: 3 (${dir})`);
    await expect(read(join(dir, 'a.txt'), 10, { file: 'a.txt', offset: 0 })).rejects.toThrow('not a position of a text file source');
  });
});

describe.each(MODES)('%s mode: readTextFile(directory) in a job', (mode) => {
  it('reads every file of the directory, to a sink and through a worker stage', async () => {
    const dir = directory({ 'a.txt': '1\n2\n', 'b.txt': '3\n', '.hidden': '4\n' });
    const env = environment(mode);
    expect(await env.readTextFile(dir).executeAndCollect()).toEqual(['1', '2', '3']);
    expect(await env.readTextFile(pathToFileURL(dir).href).map((l) => Number(l) * 10, Types.INT()).executeAndCollect()).toEqual([10, 20, 30]);
    expect(await env.readTextFile(directory({})).executeAndCollect()).toEqual([]);
  });
});
