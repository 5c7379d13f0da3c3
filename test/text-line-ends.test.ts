/**
 * A FileSource's textLineFormat ends lines at "\n", "\r\n" or a lone "\r", as Flink's
 * TextLineInputFormat (Java's BufferedReader.readLine()) ends them, bounded or continuous. A
 * "\r\n" is one line end also when a read ends between its two bytes, and a "\r" that is the
 * file's last byte ends its last line. A position checkpointed between the "\r" and the "\n" of
 * a pair, or right after a lone "\r", resumes with exactly the lines after it. readTextFile, on a
 * file or a directory, ends them at "\n" alone, dropping a "\r" before it, as Flink's
 * TextInputFormat (PyFlink's read_text_file) does: a lone "\r" is part of its line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSourceReader } from '../host/runtime/sources/file-source-reader.ts';
import type { SourceReader } from '../host/runtime/sources/source-reader.ts';
import { TextFileReader } from '../host/runtime/sources/text-file-reader.ts';
import { TextSourceReader } from '../host/runtime/sources/text-source-reader.ts';
import { directories } from './support/directories.ts';

const directory = directories('sluice-line-ends-');

/** Every line `reader` gives, and its position after each chunk (as a checkpoint stores it). */
async function readAll(reader: SourceReader): Promise<{ lines: string[]; after: { count: number; position: unknown }[] }> {
  const lines: string[] = [];
  const after: { count: number; position: unknown }[] = [];
  for (let batch = await reader.next(); batch !== null; batch = await reader.next()) {
    lines.push(...(batch.values as string[]));
    after.push({ count: lines.length, position: JSON.parse(JSON.stringify(reader.checkpoint().position)) });
  }
  return { lines, after };
}

/** Every line end there is, next to each other and at the file's end: "\r" last. */
const MIXED = 'a\rb\r\nc\n\rd\r\re\n\nf\r\n\r\ng€\rh\r';
const MIXED_LINES = ['a', 'b', 'c', '', 'd', '', 'e', '', 'f', '', 'g€', 'h'];

function fileOf(content: string): string {
  const dir = directory({ 'f.txt': content });
  return join(dir, 'f.txt');
}

const text = (path: string, chunk: number, position: unknown, readSize: number): TextFileReader =>
  new TextFileReader(path, chunk, position, 'Source: text', readSize, 'any');

/** MIXED as readTextFile reads it: a line ends at "\n" only, without the "\r" before it. */
const MIXED_LF_LINES = ['a\rb', 'c', '\rd\r\re', '', 'f', '', 'g€\rh'];

describe('line ends of the text file reader, as a FileSource reads', () => {
  it('ends a line at "\\n", "\\r\\n" and a lone "\\r", the file\'s last byte included', async () => {
    expect((await readAll(text(fileOf(MIXED), 100, undefined, 64 * 1024))).lines).toEqual(MIXED_LINES);
    expect((await readAll(text(fileOf('x\r'), 100, undefined, 64 * 1024))).lines).toEqual(['x']);
    expect((await readAll(text(fileOf('\r'), 100, undefined, 64 * 1024))).lines).toEqual(['']);
    expect((await readAll(text(fileOf('\r\r'), 100, undefined, 64 * 1024))).lines).toEqual(['', '']);
    expect((await readAll(text(fileOf('\r\n'), 100, undefined, 64 * 1024))).lines).toEqual(['']);
    expect((await readAll(text(fileOf('\n\r'), 100, undefined, 64 * 1024))).lines).toEqual(['', '']);
    // A byte order mark, then a lone "\r": the first line is empty.
    expect((await readAll(text(fileOf('\ufeff\rz'), 100, undefined, 64 * 1024))).lines).toEqual(['', 'z']);
  });

  it('reads the same lines whatever the size of its reads: a "\\r\\n" cut by a read is one line end', async () => {
    const path = fileOf(MIXED);
    const bytes = Buffer.byteLength(MIXED);
    for (let readSize = 1; readSize <= bytes + 1; readSize++) {
      for (const chunk of [1, 2, 5, 100]) {
        const { lines } = await readAll(text(path, chunk, undefined, readSize));
        expect({ readSize, chunk, lines }).toEqual({ readSize, chunk, lines: MIXED_LINES });
      }
    }
  });

  it('resumes from every checkpointed position with exactly the lines after it, positions between "\\r" and "\\n" included', async () => {
    const path = fileOf(MIXED);
    const bytes = Buffer.from(MIXED);
    let betweenPair = 0;
    let afterLoneCR = 0;
    for (let readSize = 1; readSize <= bytes.length + 1; readSize++) {
      const { lines, after } = await readAll(text(path, 1, undefined, readSize));
      expect(lines).toEqual(MIXED_LINES);
      for (const { count, position } of after) {
        const offset = position as number;
        if (bytes[offset - 1] === 0x0d && bytes[offset] === 0x0a) betweenPair++;
        if (bytes[offset - 1] === 0x0d && bytes[offset] !== 0x0a) afterLoneCR++;
        // Restored with another read size: the skip of the pair's "\n" comes from the file, not the reader's memory.
        for (const restoredReadSize of [1, 3, 64 * 1024]) {
          const rest = await readAll(text(path, 2, position, restoredReadSize));
          expect({ readSize, offset, restoredReadSize, lines: rest.lines }).toEqual({ readSize, offset, restoredReadSize, lines: MIXED_LINES.slice(count) });
        }
      }
    }
    // Both cases came up: a read that ended at the "\r" of a pair (the chunk returned before the
    // "\n" was read), and a chunk ended by a lone "\r".
    expect(betweenPair).toBeGreaterThan(0);
    expect(afterLoneCR).toBeGreaterThan(0);
  });

  it('a position right after the "\\r" of a pair is one a reader with large reads can also be restored from', async () => {
    const path = fileOf('one\r\ntwo\rthree');
    // Offset 4 lies between "\r" and "\n" (as a read of 4 bytes leaves it); offset 9 right after the lone "\r".
    expect((await readAll(text(path, 10, 4, 64 * 1024))).lines).toEqual(['two', 'three']);
    expect((await readAll(text(path, 10, 5, 64 * 1024))).lines).toEqual(['two', 'three']);
    expect((await readAll(text(path, 10, 9, 64 * 1024))).lines).toEqual(['three']);
  });
});

describe('line ends of readTextFile and a FileSource', () => {
  it('readTextFile ends lines at "\\n" alone, dropping the "\\r" before one, whatever the size of its reads and wherever it resumes', async () => {
    const path = fileOf(MIXED);
    const bytes = Buffer.byteLength(MIXED);
    for (let readSize = 1; readSize <= bytes + 1; readSize++) {
      const { lines, after } = await readAll(new TextFileReader(path, 1, undefined, 'Source: text', readSize));
      expect({ readSize, lines }).toEqual({ readSize, lines: MIXED_LF_LINES });
      for (const { count, position } of after) {
        const rest = await readAll(new TextFileReader(path, 2, position, 'Source: text', 3));
        expect({ readSize, position, lines: rest.lines }).toEqual({ readSize, position, lines: MIXED_LF_LINES.slice(count) });
      }
    }
  });

  it('readTextFile on a file and on a directory keeps a lone "\\r" in its line', async () => {
    const dir = directory({ 'a.txt': 'a1\ra2\r', 'b.txt': 'b1\r\nb2\rb3' });
    expect((await readAll(new TextSourceReader(join(dir, 'a.txt'), 10, undefined))).lines).toEqual(['a1\ra2']);
    expect((await readAll(new TextSourceReader(dir, 10, undefined))).lines).toEqual(['a1\ra2', 'b1', 'b2\rb3']);
  });

  it('a bounded and a continuous FileSource end lines at a lone "\\r"', async () => {
    const dir = directory({ 'a.txt': 'a1\ra2\r', 'b.txt': 'b1\r\nb2\rb3' });
    const bounded = new FileSourceReader([dir], null, 10, undefined, 'Source: files');
    expect((await readAll(bounded)).lines).toEqual(['a1', 'a2', 'b1', 'b2', 'b3']);
    const continuous = new FileSourceReader([dir], 5, 10, undefined, 'Source: files');
    try {
      expect((await continuous.next())?.values).toEqual(['a1', 'a2']);
      expect((await continuous.next())?.values).toEqual(['b1', 'b2', 'b3']);
      writeFileSync(join(dir, 'c.txt'), '\rc2\r');
      expect((await continuous.next())?.values).toEqual(['', 'c2']);
    } finally {
      continuous.cancel();
    }
  });
});
