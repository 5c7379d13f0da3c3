/**
 * FileSink with a row format: each subtask writes lines into an in-progress part file
 * (".part-<subtask>-<n>.inprogress"); at a barrier the file is closed and becomes pending;
 * when the checkpoint completes (or the job finishes) pending files are renamed to their final
 * names ("part-<subtask>-<n>"). A restart first finishes the commit of the checkpoint it
 * restores (renaming its pending files if that had not happened, also those of subtasks that
 * no longer exist at the new parallelism: see sinkStatesTakenOver), then deletes the other
 * in-progress files of the subtasks it stands for: no committed file ever holds a record twice,
 * and none is lost.
 *
 * Invariant: a part file never replaces another. A subtask numbers its files past every part
 * file of its subtask index already in the directory (final or in progress, from any earlier
 * run, whatever state was restored), creates them exclusively, and renames a pending file only
 * onto a name that does not exist. Only the one writer of a subtask index creates or renames
 * files of that index, so nothing can come between that check and the rename.
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

/** What a checkpoint keeps for a sink subtask: the files it sealed and has not committed yet. */
export interface FileSinkState {
  files: PartFile[];
}

/** A part file's name taken apart: whose it is, its number, and whether it is still in progress. */
interface PartName {
  subtask: number;
  n: number;
  inProgress: boolean;
}

export class FileWriter implements SinkWriter {
  private file: FileHandle | null = null;
  private current: PartFile | null = null;
  private readonly pending = new Map<number, PartFile[]>();
  /** The next part number; set by open(). */
  private counter = 0;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly encode: (value: unknown) => string;

  constructor(
    private readonly sink: FileSink<unknown>,
    private readonly subtask: number,
    /** The sink's parallelism in this run. */
    private readonly parallelism: number,
    /** The states this subtask takes over from the checkpoint this attempt restores (see sinkStatesTakenOver). */
    private readonly restored: readonly FileSinkState[],
    /** Makes what the encoder threw for `record` the job's error. */
    private readonly encoderFailure: (thrown: unknown, record: { value: unknown }) => unknown = (thrown) => thrown,
  ) {
    this.prefix = sink.options.partPrefix ?? 'part';
    this.suffix = sink.options.partSuffix ?? '';
    this.encode = sink.options.encoder ?? formatValue;
  }

  async open(): Promise<void> {
    const dir = this.sink.directory;
    await mkdir(dir, { recursive: true });
    // The restored checkpoint completed, so its files are committed, whether or not the
    // rename happened before the failure.
    for (const state of this.restored) {
      for (const f of state.files) if (await exists(f.temp)) await publish(f);
    }
    const parts = (await readdir(dir)).map((name) => [name, this.parse(name)] as const);
    // Counted before the deletions below, so that no number is ever used twice in the directory.
    for (const [, part] of parts) if (part !== null && part.subtask === this.subtask) this.counter = Math.max(this.counter, part.n + 1);
    // Anything else still in progress of this subtask index, or of a higher one whose states
    // this subtask took over (or would have), belongs to work after that checkpoint.
    for (const [name, part] of parts) {
      if (part?.inProgress === true && part.subtask % this.parallelism === this.subtask) await rm(join(dir, name), { force: true });
    }
  }

  /** `<prefix>-<subtask>-<n><suffix>`, or `.` that `.inprogress`; null for any other name. */
  private parse(name: string): PartName | null {
    const inProgress = name.startsWith('.') && name.endsWith('.inprogress');
    const final = inProgress ? name.slice(1, -'.inprogress'.length) : name;
    const head = `${this.prefix}-`;
    if (!final.startsWith(head) || !final.endsWith(this.suffix) || final.length < head.length + this.suffix.length) return null;
    const match = /^(\d+)-(\d+)$/.exec(final.slice(head.length, final.length - this.suffix.length));
    return match === null ? null : { subtask: Number(match[1]), n: Number(match[2]), inProgress };
  }

  async write(values: readonly unknown[]): Promise<void> {
    if (this.file === null) {
      const final = `${this.prefix}-${this.subtask}-${this.counter}${this.suffix}`;
      this.counter++;
      const part = { temp: join(this.sink.directory, `.${final}.inprogress`), final: join(this.sink.directory, final) };
      this.current = part;
      // 'wx': created here or not at all (see the invariant above).
      this.file = await open(part.temp, 'wx').catch((error: unknown) => {
        throw new Error(`FileSink: cannot create ${part.temp}: is another job writing part files into ${this.sink.directory}?`, { cause: error });
      });
    }
    await this.file.write(this.lines(values));
  }

  /** The records' lines, one after the other, each ended by "\n". */
  private lines(values: readonly unknown[]): string {
    let text = '';
    let i = 0;
    try {
      for (; i < values.length; i++) text += `${this.encode(values[i])}\n`;
    } catch (error) {
      throw this.encoderFailure(error, { value: values[i] });
    }
    return text;
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
    // After the end of input, the files it sealed go with this checkpoint (SinkWriter.preCommit).
    const final = this.pending.get(FINAL_EPOCH) ?? [];
    this.pending.delete(FINAL_EPOCH);
    this.pending.set(checkpointId, [...final, ...(await this.closeCurrent())]);
  }

  /**
   * Every file sealed up to this checkpoint and not committed yet: the files of a checkpoint
   * that was abandoned are committed with the next one that completes.
   */
  checkpointState(checkpointId: number): FileSinkState {
    const files: PartFile[] = [];
    for (const [id, sealed] of this.pending) if (id <= checkpointId) files.push(...sealed);
    return { files };
  }

  async commit(checkpointId: number): Promise<void> {
    for (const id of [...this.pending.keys()].sort((a, b) => a - b)) {
      if (id > checkpointId) break;
      for (const f of this.pending.get(id)!) await publish(f);
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

/** Gives a sealed part file its final name, which must be free (see the invariant above). */
async function publish(f: PartFile): Promise<void> {
  if (await exists(f.final)) throw new Error(`FileSink: will not replace ${f.final} with ${f.temp}: a part file of that name already exists`);
  await rename(f.temp, f.final);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
