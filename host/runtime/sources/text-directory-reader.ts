/**
 * readTextFile on a directory: the lines of every file in it, file after file in the order of
 * their names (so that every run, and a restart, reads them in the same order), as Flink's
 * readTextFile reads one: its subdirectories are not entered (Flink enumerates nested files only
 * when asked), and hidden files, whose names start with "." or "_" (a file sink's in-progress
 * files, a "_SUCCESS" marker), are skipped, as Flink's file input formats skip them. Each file is
 * read as a file alone is (TextFileReader: its own byte order mark, its last line ended by its
 * end).
 *
 * Its position is the file being read, by name, and the byte offset in it: a restart reads that
 * file from the offset, and then the files whose names come after it. The files are listed when
 * the reader starts, so a restart also reads files added since with names after its position.
 *
 * A listing or a read that fails while the job runs (the directory or a file deleted since the
 * job started, EIO) is a SourceIOError naming the source and the path (source-io-failure.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { sourceIOFailure } from './source-io-failure.ts';
import type { SourceReader } from './source-reader.ts';
import { TextFileReader } from './text-file-reader.ts';

export interface TextDirectoryPosition {
  /** The name of the file being read; the files named before it have been read. "" before the first. */
  readonly file: string;
  /** The byte offset in it of the first line not yet read (TextFileReader's position). */
  readonly offset: number;
}

export class TextDirectoryReader implements SourceReader {
  /** The files still to open, in order; listed by the first next(). */
  private files: string[] | null = null;
  private current: { name: string; reader: TextFileReader } | null = null;
  /** The position after the last chunk next() returned. */
  private returned: TextDirectoryPosition;
  private cancelled = false;

  constructor(
    private readonly directory: string,
    private readonly chunk: number,
    /** Where to start: a position this reader's checkpoint() gave; null to read every file. */
    private readonly start: TextDirectoryPosition | null,
    /** The source's name, for its errors. */
    private readonly source: string,
  ) {
    this.returned = start ?? { file: '', offset: 0 };
  }

  async next(): Promise<RowBatch | null> {
    this.files ??= await filesToRead(this.directory, this.returned.file).catch((error: unknown) => {
      throw sourceIOFailure(this.source, this.directory, error);
    });
    for (;;) {
      if (this.cancelled) return null;
      if (this.current === null) {
        const name = this.files.shift();
        if (name === undefined) return null;
        const offset = name === this.start?.file ? this.start.offset : 0;
        this.current = { name, reader: new TextFileReader(join(this.directory, name), this.chunk, offset, this.source) };
      }
      const batch = await this.current.reader.next();
      if (batch !== null) {
        this.returned = { file: this.current.name, offset: this.current.reader.checkpoint().position };
        return batch;
      }
      // That file has ended (its reader closed it): on to the next.
      this.current = null;
    }
  }

  checkpoint(): { chunks: RowBatch[]; position: TextDirectoryPosition } {
    return { chunks: [], position: this.returned };
  }

  cancel(): void {
    this.cancelled = true;
    this.current?.reader.cancel();
  }
}

/** Whether a position is a directory reader's (a single file's is a number). */
export function isTextDirectoryPosition(position: unknown): position is TextDirectoryPosition {
  const p = position as Partial<TextDirectoryPosition> | null;
  return typeof p === 'object' && p !== null && typeof p.file === 'string' && typeof p.offset === 'number';
}

/** The names of the files in `directory` to read from `from` on: not hidden, not directories, sorted. */
async function filesToRead(directory: string, from: string): Promise<string[]> {
  const names = (await readdir(directory)).filter((name) => !name.startsWith('.') && !name.startsWith('_') && name >= from).sort();
  const files: string[] = [];
  // stat follows a symbolic link, as reading it does: a link to a file is read, one to a directory is not.
  for (const name of names) if ((await stat(join(directory, name))).isFile()) files.push(name);
  return files;
}
