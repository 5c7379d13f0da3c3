/**
 * readTextFile's reader: a file's lines (TextFileReader), or those of the files in a directory
 * (TextDirectoryReader), whichever the path names when the source starts. Their positions differ
 * in shape (a byte offset; a file name and an offset), so a restored one says which it was. That
 * the path is there was checked before the job started; a failure to look at it now (the path
 * deleted since, an I/O error) is a SourceIOError (source-io-failure.ts).
 */
import { stat } from 'node:fs/promises';
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { sourceIOFailure } from './source-io-failure.ts';
import type { SourceReader } from './source-reader.ts';
import { isTextDirectoryPosition, TextDirectoryReader } from './text-directory-reader.ts';
import { TextFileReader } from './text-file-reader.ts';

export class TextSourceReader implements SourceReader {
  private reader: SourceReader | null = null;
  private opening: Promise<SourceReader> | null = null;
  private cancelled = false;

  constructor(
    private readonly path: string,
    private readonly chunk: number,
    /** A position a checkpoint holds; undefined or null for a fresh start. */
    private readonly position: unknown,
    /** The source's name, for its errors (readTextFile names its source so). */
    private readonly source = `Source: Text File Source (${path})`,
  ) {}

  next(): RowBatch | null | Promise<RowBatch | null> {
    if (this.reader !== null) return this.reader.next();
    return (this.opening ??= this.open()).then((reader) => reader.next());
  }

  private async open(): Promise<SourceReader> {
    const directory = await stat(this.path).then(
      (found) => found.isDirectory(),
      (error: unknown) => {
        throw sourceIOFailure(this.source, this.path, error);
      },
    );
    const p = this.position ?? null;
    const wrong = (): Error => new Error(`not a position of a text ${directory ? 'directory' : 'file'} source: ${JSON.stringify(p)} (${this.path})`);
    if (directory) {
      if (p !== null && !isTextDirectoryPosition(p)) throw wrong();
      this.reader = new TextDirectoryReader(this.path, this.chunk, isTextDirectoryPosition(p) ? p : null, this.source);
    } else {
      if (p !== null && typeof p !== 'number') throw wrong();
      this.reader = new TextFileReader(this.path, this.chunk, p, this.source);
    }
    if (this.cancelled) this.reader.cancel();
    return this.reader;
  }

  /** Before the reader is open, nothing was read: the position is the one it starts from. */
  checkpoint(): { chunks: RowBatch[]; position: unknown } {
    return this.reader?.checkpoint() ?? { chunks: [], position: this.position ?? null };
  }

  cancel(): void {
    this.cancelled = true;
    this.reader?.cancel();
  }
}
