/**
 * A FileSource's reader: the lines of its files, one file after another (TextFileReader for
 * each), the files found by file-enumeration.ts.
 *
 * Bounded (no monitor interval): the files are listed when the reader starts, read, and the
 * reader ends. Continuous: it lists them again every interval, and queues the files it has not
 * seen before, by path; with nothing left to read it waits for the next look. A look that
 * fails (a directory gone for a while) is logged, and the next one tries again, as in Flink;
 * only the first must succeed (check-sources.ts checked the paths before the job started). A
 * first look or a read that fails (a file deleted before it was read, EIO) is a SourceIOError
 * naming the source and the path (source-io-failure.ts), which the restart strategy may restart.
 *
 * Its position is what is left to read: the file being read and the byte offset in it of the
 * first line not yet returned, the files queued after it, and (continuous only) every path seen
 * so far, so that a restart neither lists the files again (a bounded source reads the set it
 * started with) nor reads one twice.
 */
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { hostLog } from '../../log.ts';
import { enumerateFiles } from './file-enumeration.ts';
import { sourceIOFailure } from './source-io-failure.ts';
import type { SourceReader } from './source-reader.ts';
import { TextFileReader } from './text-file-reader.ts';

export interface FileSourcePosition {
  /** The file being read, or null between files. */
  readonly file: string | null;
  /** The byte offset in `file` of the first line not yet read. */
  readonly offset: number;
  /** The files to read after it, in order. */
  readonly queued: readonly string[];
  /** Continuous: every path seen so far (read, being read, or queued); null for a bounded source. */
  readonly seen: readonly string[] | null;
}

export class FileSourceReader implements SourceReader {
  private queued: string[] = [];
  private seen: Set<string> | null = null;
  private current: { path: string; reader: TextFileReader } | null = null;
  /** Whether the files have been listed, or restored from a position. */
  private started = false;
  private listing: Promise<void> | null = null;
  /** When the last look for files began (ms since the epoch). */
  private lastLook = 0;
  private cancelled = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly paths: readonly string[],
    private readonly monitorIntervalMs: number | null,
    private readonly chunk: number,
    position: unknown,
    /** The source's name, for the log. */
    private readonly sourceName: string,
  ) {
    if (position === undefined || position === null) return;
    if (!isFileSourcePosition(position) || (position.seen === null) !== (monitorIntervalMs === null)) {
      throw new Error(`${sourceName}: not a position of a ${monitorIntervalMs === null ? 'bounded' : 'continuous'} file source: ${JSON.stringify(position)}`);
    }
    this.started = true;
    this.queued = [...position.queued];
    if (position.seen !== null) this.seen = new Set(position.seen);
    if (position.file !== null) this.current = { path: position.file, reader: new TextFileReader(position.file, chunk, position.offset, sourceName, undefined, 'any') };
  }

  async next(): Promise<RowBatch | null> {
    if (!this.started) {
      await (this.listing ??= this.look(true));
      this.started = true;
    }
    for (;;) {
      if (this.cancelled) return null;
      if (this.current === null) {
        const path = this.queued.shift();
        if (path !== undefined) {
          this.current = { path, reader: new TextFileReader(path, this.chunk, 0, this.sourceName, undefined, 'any') };
        } else if (this.monitorIntervalMs === null) {
          return null;
        } else {
          await this.waitForNextLook(this.monitorIntervalMs);
          if (!this.cancelled) await this.look(false);
          continue;
        }
      }
      const batch = await this.current.reader.next();
      if (batch !== null) return batch;
      // That file has ended (its reader closed it), every line of it returned.
      this.current = null;
    }
  }

  /** Lists the files, and queues those not seen before. The first look's failure is the source's; a later one's is logged. */
  private async look(first: boolean): Promise<void> {
    this.lastLook = Date.now();
    let files: string[];
    try {
      files = await enumerateFiles(this.paths);
    } catch (error) {
      if (first) throw sourceIOFailure(this.sourceName, this.paths.join(', '), error);
      hostLog.error(`${this.sourceName}: could not list its files (${(error as Error).message}); trying again in ${this.monitorIntervalMs} ms`);
      return;
    }
    if (this.monitorIntervalMs === null) {
      this.queued = files;
      return;
    }
    const seen = (this.seen ??= new Set());
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      this.queued.push(file);
    }
  }

  private waitForNextLook(interval: number): Promise<void> {
    const delay = Math.max(0, this.lastLook + interval - Date.now());
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = null;
    });
  }

  /** Before the files are listed, nothing was read: a restart starts afresh (null). */
  checkpoint(): { chunks: RowBatch[]; position: FileSourcePosition | null } {
    if (!this.started) return { chunks: [], position: null };
    const current = this.current;
    return {
      chunks: [],
      position: {
        file: current?.path ?? null,
        offset: current === null ? 0 : current.reader.checkpoint().position,
        queued: [...this.queued],
        seen: this.seen === null ? null : [...this.seen],
      },
    };
  }

  cancel(): void {
    this.cancelled = true;
    this.current?.reader.cancel();
    this.wake?.();
  }
}

function isFileSourcePosition(position: unknown): position is FileSourcePosition {
  const p = position as Partial<FileSourcePosition>;
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
  return (
    typeof p === 'object' &&
    (p.file === null || typeof p.file === 'string') &&
    typeof p.offset === 'number' &&
    strings(p.queued) &&
    (p.seen === null || strings(p.seen))
  );
}
