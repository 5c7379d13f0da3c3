/**
 * FileSink with a row format: each subtask writes lines into an in-progress part file
 * ("." + name + ".inprogress"); at a barrier the file is closed and becomes pending; when the
 * checkpoint completes (or the input ends) pending files are renamed to their final names
 * (part-<subtask>-<n>). A restart deletes in-progress and pending files the last completed
 * checkpoint does not know, so a committed file never holds a record twice.
 */
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { formatValue } from '../../api/format-value.ts';
import type { FileSink } from '../../api/sinks.ts';
import type { SinkWriter } from './sink-writer.ts';

export class FileWriter implements SinkWriter {
  private file: FileHandle | null = null;
  private current: { temp: string; final: string } | null = null;
  private readonly pending = new Map<number, { temp: string; final: string }[]>();
  private sealedWithoutId: { temp: string; final: string }[] = [];
  private counter: number;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly encode: (value: unknown) => string;

  constructor(
    private readonly sink: FileSink<unknown>,
    private readonly subtask: number,
    /** Part counter to continue from (restored from a checkpoint). */
    startCounter: number,
  ) {
    this.counter = startCounter;
    this.prefix = sink.options.partPrefix ?? 'part';
    this.suffix = sink.options.partSuffix ?? '';
    this.encode = sink.options.encoder ?? formatValue;
  }

  async open(): Promise<void> {
    await mkdir(this.sink.directory, { recursive: true });
    // Leftovers of this subtask from a failed attempt: nothing committed refers to them.
    const mine = `.${this.prefix}-${this.subtask}-`;
    for (const name of await readdir(this.sink.directory)) {
      if (name.startsWith(mine) && name.endsWith('.inprogress')) await rm(join(this.sink.directory, name), { force: true });
    }
  }

  /** The next part number, for checkpoints. */
  partCounter(): number {
    return this.counter;
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

  private async closeCurrent(): Promise<{ temp: string; final: string }[]> {
    if (this.file === null || this.current === null) return [];
    await this.file.sync();
    await this.file.close();
    const done = this.current;
    this.file = null;
    this.current = null;
    return [done];
  }

  async preCommit(checkpointId: number): Promise<void> {
    const closed = await this.closeCurrent();
    this.pending.set(checkpointId, [...this.sealedWithoutId, ...closed]);
    this.sealedWithoutId = [];
  }

  async commit(checkpointId: number): Promise<void> {
    for (const id of [...this.pending.keys()].sort((a, b) => a - b)) {
      if (id > checkpointId) break;
      for (const f of this.pending.get(id)!) await rename(f.temp, f.final);
      this.pending.delete(id);
    }
  }

  async endOfInput(): Promise<void> {
    this.sealedWithoutId.push(...(await this.closeCurrent()));
    await this.commit(Infinity);
    for (const f of this.sealedWithoutId) await rename(f.temp, f.final);
    this.sealedWithoutId = [];
  }

  async abort(): Promise<void> {
    const all = [...this.sealedWithoutId, ...[...this.pending.values()].flat()];
    if (this.file !== null) {
      await this.file.close().catch(() => undefined);
      if (this.current !== null) all.push(this.current);
    }
    this.file = null;
    this.current = null;
    this.pending.clear();
    this.sealedWithoutId = [];
    for (const f of all) await rm(f.temp, { force: true });
  }
}
