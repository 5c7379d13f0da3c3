/**
 * FileSink with a row format: each subtask writes lines into an in-progress part file
 * (".part-<subtask>-<n>.inprogress"). The file is closed (rolled) when its rolling policy says
 * so and at every barrier; a closed file is pending until the checkpoint whose barrier came next
 * completes (or the job finishes), when it is renamed to its final name ("part-<subtask>-<n>"):
 *
 *   write ──▶ in progress ──policy: size, rollover, inactivity──▶ closed (rolled, no checkpoint yet)
 *                  │                                                   │
 *                  └────────────── barrier n ──────────────────────────┴──▶ pending in checkpoint n
 *   checkpoint n completes (or the job ends) ──▶ every file pending in n renamed to its final name
 *
 * A restart first finishes the commit of the checkpoint it restores (renaming its pending files
 * if that had not happened, also those of subtasks that no longer exist at the new parallelism:
 * see sinkStatesTakenOver), then deletes the other in-progress files of the subtasks it stands
 * for (rolled after that checkpoint, or open): no committed file ever holds a record twice, and
 * none is lost.
 *
 * Invariant: a part file never replaces another. A subtask numbers its files past every part
 * file of its subtask index already in the directory (final or in progress, from any earlier
 * run, whatever state was restored), creates them exclusively, and renames a pending file only
 * onto a name that does not exist. Only the one writer of a subtask index creates or renames
 * files of that index, so nothing can come between that check and the rename.
 */
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { RollingPolicy } from '../../api/file-sink-config.ts';
import { formatValue } from '../../api/format-value.ts';
import type { FileSink } from '../../api/sinks.ts';
import { nextTimeCheck, rollsBeforeRecord, rollsOnTime, wallClock, type OpenPart, type SinkClock } from './part-file-rolling.ts';
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
  /** Invariant: `file`, `current` and `part` are all null (no file open) or none is. */
  private file: FileHandle | null = null;
  private current: PartFile | null = null;
  private part: OpenPart | null = null;
  /** Files rolled since the last barrier: closed, in no checkpoint yet. */
  private rolled: PartFile[] = [];
  private readonly pending = new Map<number, PartFile[]>();
  /** The next part number; set by open(). */
  private counter = 0;
  private readonly prefix: string;
  private readonly suffix: string;
  private readonly encode: (value: unknown) => string;
  private readonly policy: RollingPolicy;
  /** Cancels the timer that checks the open file's time (set only while a file is open). */
  private cancelTimer: (() => void) | null = null;
  /** Each change of the files waits for the one before: a timer's roll never lands inside a write or a barrier. */
  private busy: Promise<void> = Promise.resolve();
  /** What a roll on the timer threw: the next write, barrier or end of input throws it. */
  private timerFailure: { error: unknown } | null = null;
  /** Set once the input has ended or the attempt stopped: no more timers. */
  private stopped = false;
  private aborted = false;

  constructor(
    private readonly sink: FileSink<unknown>,
    private readonly subtask: number,
    /** The sink's parallelism in this run. */
    private readonly parallelism: number,
    /** The states this subtask takes over from the checkpoint this attempt restores (see sinkStatesTakenOver). */
    /** Null on a fresh start (no checkpoint restored: nothing in the directory is this job's to delete). */
    private readonly restored: readonly FileSinkState[] | null,
    /** Makes what the encoder threw for `record` the job's error. */
    private readonly encoderFailure: (thrown: unknown, record: { value: unknown }) => unknown = (thrown) => thrown,
    /** Processing time for the rolling policy (a test's clock, or the wall clock). */
    private readonly clock: SinkClock = wallClock,
  ) {
    this.prefix = sink.options.partPrefix ?? 'part';
    this.suffix = sink.options.partSuffix ?? '';
    this.encode = sink.options.encoder ?? formatValue;
    this.policy = sink.rollingPolicy;
  }

  async open(): Promise<void> {
    const dir = this.sink.directory;
    await mkdir(dir, { recursive: true });
    // The restored checkpoint completed, so its files are committed, whether or not the
    // rename happened before the failure.
    for (const state of this.restored ?? []) {
      for (const f of state.files) if (await exists(f.temp)) await publish(f);
    }
    const parts = (await readdir(dir)).map((name) => [name, this.parse(name)] as const);
    // Counted before the deletions below, so that no number is ever used twice in the directory.
    for (const [, part] of parts) if (part !== null && part.subtask === this.subtask) this.counter = Math.max(this.counter, part.n + 1);
    // Restoring: anything else still in progress of this subtask index, or of a higher one whose
    // states this subtask took over (or would have), belongs to work after that checkpoint. A
    // fresh start deletes nothing: in-progress files there may be another job's, still writing
    // (a failed attempt deletes its own: abort()).
    if (this.restored === null) return;
    for (const [name, part] of parts) {
      if (part?.inProgress === true && part.subtask % this.parallelism === this.subtask) await rm(join(dir, name), { force: true });
    }
  }

  /** The in-progress part file open for writing (its path), or null when none is: for diagnostics and tests. */
  get openFile(): string | null {
    return this.current?.temp ?? null;
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

  /**
   * Appends the records' lines, each to the part file the policy gives it: before a record, the
   * open file is rolled if it holds more than the part size or its time is up (the batch's
   * records are all written at one instant). An encoder that throws writes none of the batch.
   */
  write(values: readonly unknown[]): Promise<void> {
    return this.exclusive(async () => {
      this.throwIfBroken();
      const lines = this.lines(values);
      const now = this.clock.now();
      let text = '';
      for (const line of lines) {
        if (this.part !== null && rollsBeforeRecord(this.policy, this.part, now)) {
          await this.append(text);
          text = '';
          this.rolled.push(...(await this.closeCurrent()));
        }
        const part = this.part ?? (await this.openPart(now));
        text += line;
        part.size += Buffer.byteLength(line);
        part.lastWriteAt = now;
      }
      await this.append(text);
    });
  }

  /** The records' lines, each ended by "\n". */
  private lines(values: readonly unknown[]): string[] {
    const lines: string[] = [];
    let i = 0;
    try {
      for (; i < values.length; i++) lines.push(`${this.encode(values[i])}\n`);
    } catch (error) {
      throw this.encoderFailure(error, { value: values[i] });
    }
    return lines;
  }

  private async append(text: string): Promise<void> {
    if (text !== '') await this.file!.write(text);
  }

  private async openPart(now: number): Promise<OpenPart> {
    const final = `${this.prefix}-${this.subtask}-${this.counter}${this.suffix}`;
    this.counter++;
    const file = { temp: join(this.sink.directory, `.${final}.inprogress`), final: join(this.sink.directory, final) };
    // 'wx': created here or not at all (see the invariant above).
    this.file = await open(file.temp, 'wx').catch((error: unknown) => {
      throw new Error(`FileSink: cannot create ${file.temp}: is another job writing part files into ${this.sink.directory}?`, { cause: error });
    });
    this.current = file;
    const part: OpenPart = { openedAt: now, lastWriteAt: now, size: 0 };
    this.part = part;
    this.armTimer(part, now);
    return part;
  }

  /**
   * Checks `part`'s time when it is next due; a write since only moves the inactivity deadline,
   * so the check then re-arms the timer instead of rolling. Only the timer of the file open now
   * does anything: one that fires as its file is being rolled finds another `part`, or none.
   */
  private armTimer(part: OpenPart, now: number): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const due = nextTimeCheck(this.policy, part);
    if (due === null || this.stopped) return;
    this.cancelTimer = this.clock.schedule(() => {
      this.cancelTimer = null;
      this.exclusive(async () => {
        if (this.part !== part || this.stopped) return;
        const at = this.clock.now();
        if (rollsOnTime(this.policy, part, at)) this.rolled.push(...(await this.closeCurrent()));
        else this.armTimer(part, at);
      }).catch((error: unknown) => {
        this.timerFailure ??= { error };
      });
    }, due - now);
  }

  /** Closes the open file, if any, and returns it (it is then pending). */
  private async closeCurrent(): Promise<PartFile[]> {
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (this.file === null || this.current === null) return [];
    await this.file.sync();
    await this.file.close();
    const done = this.current;
    this.file = null;
    this.current = null;
    this.part = null;
    return [done];
  }

  async preCommit(checkpointId: number): Promise<void> {
    await this.exclusive(async () => {
      this.throwIfBroken();
      // After the end of input, the files it sealed go with this checkpoint (SinkWriter.preCommit).
      const sealed = [...(this.pending.get(FINAL_EPOCH) ?? []), ...this.rolled];
      this.pending.delete(FINAL_EPOCH);
      this.rolled = [];
      sealed.push(...(await this.closeCurrent()));
      this.pending.set(checkpointId, sealed);
    });
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
    // The job has finished (or stopped with all it needed): nothing is written any more.
    if (checkpointId === Infinity) this.stop();
    for (const id of [...this.pending.keys()].sort((a, b) => a - b)) {
      if (id > checkpointId) break;
      for (const f of this.pending.get(id)!) await publish(f);
      this.pending.delete(id);
    }
  }

  async endOfInput(): Promise<void> {
    await this.exclusive(async () => {
      this.throwIfBroken();
      this.stop();
      const sealed = [...this.rolled, ...(await this.closeCurrent())];
      this.rolled = [];
      this.pending.set(FINAL_EPOCH, sealed);
    });
  }

  /** A FileWriter is made per attempt; the restored checkpoint's files are committed in open(). */
  async restart(): Promise<void> {}

  /**
   * Stops writing and deletes what no checkpoint holds: the open file and those rolled since the
   * last barrier. Sealed files stay: a checkpoint that completed may still need them renamed
   * (the next attempt's open() does that, and deletes the others).
   */
  async abort(): Promise<void> {
    this.aborted = true;
    this.stop();
    await this.exclusive(async () => {
      const unsealed = [...this.rolled, ...(this.current === null ? [] : [this.current])];
      if (this.file !== null) await this.file.close().catch(() => undefined);
      this.file = null;
      this.current = null;
      this.part = null;
      this.rolled = [];
      for (const f of unsealed) await rm(f.temp, { force: true });
    });
  }

  private stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private throwIfBroken(): void {
    if (this.aborted) throw new Error(`FileSink: subtask ${this.subtask} was aborted and writes no more`);
    if (this.timerFailure !== null) throw this.timerFailure.error;
  }

  /** Runs `change` once every change before it has finished (whether it failed or not). */
  private exclusive(change: () => Promise<void>): Promise<void> {
    const run = this.busy.then(change);
    this.busy = run.catch(() => undefined);
    return run;
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
