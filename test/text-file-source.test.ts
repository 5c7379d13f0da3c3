/**
 * readTextFile's reader: line endings (at every read boundary: text-line-ends.test.ts),
 * a byte order mark only at the file's start, lines longer than a read (a multi-byte character
 * or a "\r\n" cut by a read's end), restarts from a checkpointed position; and the source as a
 * job sees it: file:// URIs, a missing file (a directory: source-sink-text-directory.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { JobDefinitionError } from '../host/index.ts';
import { TextFileReader } from '../host/runtime/sources/text-file-reader.ts';
import { failureOf } from './support/failure.ts';
import { environment } from './support/jobs.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `f${files++}.txt`);
  writeFileSync(path, content);
  return path;
}

/** Every line the reader gives from `position`, and the positions it checkpoints after each chunk. */
async function read(path: string, chunk: number, position: unknown = undefined): Promise<{ lines: string[]; positions: number[] }> {
  const reader = new TextFileReader(path, chunk, position, 'Source: text');
  const lines: string[] = [];
  const positions: number[] = [];
  for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
    lines.push(...(batch.values as string[]));
    positions.push(reader.checkpoint().position);
  }
  return { lines, positions };
}

const READ = 256 * 1024;

describe('the text file reader', () => {
  it('splits on "\\n" (dropping the "\\r" of a "\\r\\n"), keeps a lone "\\r", empty lines, and a last line without a newline', async () => {
    const { lines } = await read(file('a\r\nb\n\nc\r\n\r\nd\re\r\rf'), 2);
    expect(lines).toEqual(['a', 'b', '', 'c', '', 'd\re\r\rf']);
  });

  it('drops a byte order mark at the start of the file only', async () => {
    const { lines } = await read(file('\ufeffone\n\ufefftwo\n'), 10);
    expect(lines).toEqual(['one', '\ufefftwo']);
  });

  it('reads lines longer than a read, with a character and a "\\r\\n" cut at a read boundary', async () => {
    // Line 1 ends so that '€' (3 bytes) straddles the first read's end; line 2's "\r" ends the second read.
    const first = 'x'.repeat(READ - 1) + '€' + 'y'.repeat(10);
    const second = 'z'.repeat(2 * READ - Buffer.byteLength(first) - 2);
    const long = 'w'.repeat(3 * READ + 5);
    const path = file(`${first}\n${second}\r\n${long}\nend`);
    expect(Buffer.byteLength(`${first}\n${second}\r`)).toBe(2 * READ);
    const { lines } = await read(path, 1);
    expect(lines).toEqual([first, second, long, 'end']);
  });

  it('a reader restored from a checkpointed position reads exactly the lines after it', async () => {
    const all = Array.from({ length: 50 }, (_, i) => `line ${i} ${'ä'.repeat(i)}`);
    const path = file(`\ufeff${all.join('\n')}\n`);
    const { lines, positions } = await read(path, 7);
    expect(lines).toEqual(all);
    expect((await read(path, 7, positions[2])).lines).toEqual(all.slice(21));
    expect((await read(path, 7, positions.at(-1))).lines).toEqual([]);
  });
});

describe('readTextFile in a job', () => {
  it('takes a file:// URI', async () => {
    const path = file('α\nβ\n');
    const out = await environment('embedded').readTextFile(pathToFileURL(path).href).executeAndCollect();
    expect(out).toEqual(['α', 'β']);
  });

  it('fails before anything runs when the file is missing, naming the source', async () => {
    const missing = join(dir, 'nothing-here.txt');
    const error = await failureOf(environment('process').readTextFile(missing).executeAndCollect());
    expect(error).toEqual(
      new JobDefinitionError(`Source: Text File Source (${missing}): cannot read ${JSON.stringify(missing)}: no such file or directory`),
    );
  });

  it('refuses another scheme than file://', () => {
    expect(() => environment('embedded').readTextFile('hdfs://namenode/words.txt')).toThrow(
      new JobDefinitionError('readTextFile "hdfs://namenode/words.txt": hdfs:// is not supported; give a local file or directory (a path or a file:// URI)'),
    );
  });
});

describe('fromSequence', () => {
  it('refuses bounds that are not integers, naming them', () => {
    const env = environment('embedded');
    expect(() => env.fromSequence(1.5, 3)).toThrow(
      new JobDefinitionError('fromSequence: start must be an integer (a safe integer number or a bigint), got 1.5'),
    );
    expect(() => env.fromSequence(1, '9' as unknown as number)).toThrow(
      new JobDefinitionError('fromSequence: end must be an integer (a safe integer number or a bigint), got "9"'),
    );
  });
});
