/**
 * FileSink with a row format: each subtask writes lines into an in-progress part file
 * (".part-<subtask>-<n>.inprogress"); at a barrier the file is closed and becomes pending;
 * when the checkpoint completes (or the job finishes) pending files are renamed to their final
 * names ("part-<subtask>-<n>"). A restart first finishes the commit of the checkpoint it
 * restores (renaming its pending files if that had not happened), then deletes this subtask's
 * other in-progress files: no committed file ever holds a record twice, and none is lost.
 */
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { formatValue } from '../../api/format-value.ts';
import type { FileSink } from '../../api/sinks.ts';
import type { SinkWriter } from './sink-writer.ts';
import { FINAL_EPOCH } from './sink-writer.ts';

interface PartFile {
  temp: string;
  final: string;
}

/** What a checkpoint keeps for the sink: the next part number and the files it sealed. */
export interface FileSinkState {
  counter: number;
  files: PartFile[];
}

export class FileWriter implements SinkWriter {
  private file: FileHandle | null = null;
  private current: PartFile | null = null;
  private readonly pending = new Map<number, PartFile[]>();
  private counter: number;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly encode: (value: unknown) => string;

  constructor(
    private readonly sink: FileSink<unknown>,
    private readonly subtask: number,
    /** The state of the checkpoint this attempt restores, if any. */
    private readonly restored: FileSinkState | null,
  ) {
    this.counter = restored?.counter ?? 0;
    this.prefix = sink.options.partPrefix ?? 'part';
    this.suffix = sink.options.partSuffix ?? '';
    this.encode = sink.options.encoder ?? formatValue;
  }

  async open(): Promise<void> {
    await mkdir(this.sink.directory, { recursive: true });
    // The restored checkpoint completed, so its files are committed, whether or not the
    // rename happened before the failure.
    for (const f of this.restored?.files ?? []) {
      if (await exists(f.temp)) await rename(f.temp, f.final);
    }
    // Anything else of this subtask still in progress belongs to work after that checkpoint.
    const mine = `.${this.prefix}-${this.subtask}-`;
    for (const name of await readdir(this.sink.directory)) {
      if (name.startsWith(mine) && name.endsWith('.inprogress')) await rm(join(this.sink.directory, name), { force: true });
    }
  }

  async write(values: readonly unknown[]): Promise<void> {
    if (this.file === null) {
      const final = `${this.prefix}-${this.subtask}-${this.counter}${this.suffix}`;
      this.counter++;
      this.current = { temp: join(this.sink.directory, `.${final}.inprogress`), final: join(this.sink.directory, final) };
      this.file = await open(this.current.temp, 'w');
    }
    let text = '';
    for (const v of values) text += `${this.encode(v)}\n`;
    await this.file.write(text);
  }

  private async closeCurrent(): Promise<PartFile[]> {
    if (this.file === null || this.current === null) return [];
    await this.file.sync();
    await this.file.close();
    const done = this.current;
    this.file = null;
    this.current = null;
    return [done];
  }

  async preCommit(checkpointId: number): Promise<void> {
    this.pending.set(checkpointId, await this.closeCurrent());
  }

  /**
   * Every file sealed up to this checkpoint and not committed yet: the files of a checkpoint
   * that was abandoned are committed with the next one that completes.
   */
  checkpointState(checkpointId: number): FileSinkState {
    const files: PartFile[] = [];
    for (const [id, sealed] of this.pending) if (id <= checkpointId) files.push(...sealed);
    return { counter: this.counter, files };
  }

  async commit(checkpointId: number): Promise<void> {
    for (const id of [...this.pending.keys()].sort((a, b) => a - b)) {
      if (id > checkpointId) break;
      for (const f of this.pending.get(id)!) await rename(f.temp, f.final);
      this.pending.delete(id);
    }
  }

  async endOfInput(): Promise<void> {
    this.pending.set(FINAL_EPOCH, await this.closeCurrent());
  }

  /** A FileWriter is made per attempt; the restored checkpoint's files are committed in open(). */
  async restart(): Promise<void> {}

  /**
   * Stops writing. Sealed files stay: a checkpoint that completed may still need them renamed
   * (the next attempt's open() does that, and deletes the others).
   */
  async abort(): Promise<void> {
    const current = this.current;
    if (this.file !== null) await this.file.close().catch(() => undefined);
    this.file = null;
    this.current = null;
    if (current !== null) await rm(current.temp, { force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
