/**
 * One bucket of a file sink subtask's writer, as Flink's FileWriterBucket: a directory under
 * the base path, its part counter, and its in-progress part file while one is open. Its files are
 * named for the writer (see part-file-names.ts) and numbered from 0 in each bucket.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpenPart } from './part-file-rolling.ts';
import { inProgressName, partFileName } from './part-file-names.ts';

/** A part file: where it is written (hidden) and the name it is committed under. */
export interface PartFile {
  temp: string;
  final: string;
}

/** How the writer names its files: all but the number, which is the bucket's. */
export interface PartNaming {
  readonly prefix: string;
  readonly suffix: string;
  readonly writerId: string;
  readonly subtask: number;
}

export class PartFileBucket {
  /** Invariant: `file`, `current` and `part` are all null (no file open) or none is. */
  private file: FileHandle | null = null;
  private current: PartFile | null = null;
  private openPart: OpenPart | null = null;
  /** The next part number. */
  private counter = 0;
  private made = false;

  constructor(
    readonly id: string,
    /** The bucket's directory: the base path, joined with the id. */
    readonly directory: string,
    private readonly naming: PartNaming,
  ) {}

  /** What the rolling policy reads of the open part file, or null when none is open. */
  get part(): OpenPart | null {
    return this.openPart;
  }

  /** The in-progress file open for writing (its path), or null. */
  get openFile(): string | null {
    return this.current?.temp ?? null;
  }

  /** Begins the next part file; none may be open. */
  async open(now: number): Promise<OpenPart> {
    if (!this.made) await mkdir(this.directory, { recursive: true });
    this.made = true;
    const { prefix, suffix, writerId, subtask } = this.naming;
    const final = partFileName(prefix, writerId, subtask, this.counter++, suffix);
    const file = { temp: join(this.directory, inProgressName(final)), final: join(this.directory, final) };
    // 'wx': created here or not at all. No other writer has this writer's id, so this only fails
    // if the file system does (or something else made the file).
    this.file = await open(file.temp, 'wx').catch((error: unknown) => {
      throw new Error(`FileSink: cannot create ${file.temp}`, { cause: error });
    });
    this.current = file;
    this.openPart = { openedAt: now, lastWriteAt: now, size: 0 };
    return this.openPart;
  }

  async append(text: string): Promise<void> {
    if (text !== '') await this.file!.write(text).catch((error: unknown) => this.failedOn(error));
  }

  /** Closes the open file, if any, and returns it (it is then pending). */
  async close(): Promise<PartFile | null> {
    if (this.file === null || this.current === null) return null;
    await this.file.sync().catch((error: unknown) => this.failedOn(error));
    await this.file.close();
    return this.forget();
  }

  /**
   * Throws what a call on the open file threw, naming the file: a write's or an fsync's system
   * error names none (a SinkIOError then says which part file it was).
   */
  private failedOn(error: unknown): never {
    const system = error as NodeJS.ErrnoException;
    if (error instanceof Error && typeof system.code === 'string' && system.path === undefined && this.current !== null) system.path = this.current.temp;
    throw error;
  }

  /** Closes the open file without syncing it (the attempt failed) and returns it, for deleting. */
  async drop(): Promise<PartFile | null> {
    if (this.file !== null) await this.file.close().catch(() => undefined);
    return this.forget();
  }

  private forget(): PartFile | null {
    const done = this.current;
    this.file = null;
    this.current = null;
    this.openPart = null;
    return done;
  }
}
