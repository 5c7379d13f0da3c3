/**
 * FileSink with a row format: each subtask's writer puts a record's line into the in-progress
 * part file of the record's bucket (the directory its BucketAssigner names), one open file per
 * bucket, named for the writer (`.part-<writer id>-<subtask>-<n>.inprogress`, see
 * part-file-names.ts). A file is closed (rolled) when its rolling policy says so and at every
 * barrier; a closed file is pending until the checkpoint whose barrier came next completes (or the
 * job finishes), when it is renamed to its final name (`part-<writer id>-<subtask>-<n>`):
 *
 *   write ──▶ in progress ──policy: size, rollover, inactivity──▶ closed (rolled, no checkpoint yet)
 *                  │                                                   │
 *                  └────────────── barrier n (every bucket) ───────────┴──▶ pending in checkpoint n
 *   checkpoint n completes (or the job ends) ──▶ every file pending in n renamed to its final name
 *
 * A restart first finishes the commit of the checkpoint it restores (renaming its pending files
 * if that had not happened, also those of subtasks that no longer exist at the new parallelism:
 * see sinkStatesTakenOver), then deletes the other in-progress files of the writers whose ids
 * the restored states hold, and of this run's earlier attempts (see file-sink-restore.ts): no
 * committed file ever holds a record twice, none is lost, and no other job's file is touched.
 *
 * Invariant: a part file never replaces another. Its name holds its writer's id, which no other
 * writer has; it is created exclusively, and renamed only onto a name that does not exist.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BasePathBucketAssigner, bucketIdProblem, DateTimeBucketAssigner, type BucketAssigner, type BucketAssignerContext } from '../../api/bucket-assigners.ts';
import { shownArgument, type RollingPolicy } from '../../api/file-sink-config.ts';
import { formatValue } from '../../api/format-value.ts';
import type { FileSink } from '../../api/sinks.ts';
import { PartFileBucket, type PartFile, type PartNaming } from './part-file-bucket.ts';
import { newWriterId } from './part-file-names.ts';
import { rollsBeforeRecord, rollsOnTime, wallClock, type SinkClock } from './part-file-rolling.ts';
import { publish, removeFile, restoreFileSink, type FileSinkState } from './file-sink-restore.ts';
import type { SinkWriter } from './sink-writer.ts';
import { FINAL_EPOCH } from './sink-writer.ts';

export type { FileSinkState } from './file-sink-restore.ts';

/** A record a user function failed on, as the job's error names it. */
type FailedRecord = { value: unknown };

/** What the sink task and the tests give a FileWriter besides the sink. */
export interface FileWriterHooks {
  /** Makes what the encoder threw for `record` the job's error. */
  encoderFailure?: (thrown: unknown, record: FailedRecord) => unknown;
  /** Makes what the bucket assigner threw (or the bad id it gave) for `record` the job's error. */
  assignerFailure?: (thrown: unknown, record: FailedRecord) => unknown;
  /** Processing time for the rolling policy and the bucket assigner (a test's clock, or the wall clock). */
  clock?: SinkClock;
  /** The ids of the writers of this subtask in the run's earlier attempts: their in-progress files are this job's to delete. */
  earlierWriters?: readonly string[];
  /** This writer's id (by default a new UUID). */
  id?: string;
}

/** The context the assigner gets: one object, moved from record to record (as Flink's is). */
class AssignerContext implements BucketAssignerContext {
  now = 0;
  watermark = -Infinity;
  recordTimestamp: number | null = null;

  currentProcessingTime(): number {
    return this.now;
  }

  currentWatermark(): number {
    return this.watermark;
  }

  timestamp(): number | null {
    return this.recordTimestamp;
  }
}

export class FileWriter implements SinkWriter {
  /** This writer's unique id, in the names of its files and in its checkpointed state. */
  readonly id: string;
  /** Every bucket written into by this writer (its counter must outlive its open file). */
  private readonly buckets = new Map<string, PartFileBucket>();
  /** Invariant: the buckets with a part file open, and only those. */
  private readonly openBuckets = new Set<PartFileBucket>();
  /** Files rolled since the last barrier: closed, in no checkpoint yet. */
  private rolled: PartFile[] = [];
  private readonly pending = new Map<number, PartFile[]>();
  private readonly naming: PartNaming;
  private readonly encode: (value: unknown) => string;
  private readonly policy: RollingPolicy;
  private readonly assigner: BucketAssigner<unknown>;
  private readonly context = new AssignerContext();
  private readonly clock: SinkClock;
  private readonly encoderFailure: (thrown: unknown, record: FailedRecord) => unknown;
  private readonly assignerFailure: (thrown: unknown, record: FailedRecord) => unknown;
  private readonly earlierWriters: readonly string[];
  /** Cancels the bucket check's timer (set only while a part file is open and the policy has times). */
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
    /**
     * The states this subtask takes over from the checkpoint this attempt restores (see
     * sinkStatesTakenOver); null on a fresh start.
     */
    private readonly restored: readonly FileSinkState[] | null,
    hooks: FileWriterHooks = {},
  ) {
    this.id = hooks.id ?? newWriterId();
    this.naming = { prefix: sink.options.partPrefix ?? 'part', suffix: sink.options.partSuffix ?? '', writerId: this.id, subtask };
    this.encode = sink.options.encoder ?? formatValue;
    this.policy = sink.rollingPolicy;
    this.assigner = sink.bucketAssigner;
    this.clock = hooks.clock ?? wallClock;
    this.encoderFailure = hooks.encoderFailure ?? ((thrown) => thrown);
    this.assignerFailure = hooks.assignerFailure ?? ((thrown) => thrown);
    this.earlierWriters = hooks.earlierWriters ?? [];
  }

  async open(): Promise<void> {
    await mkdir(this.sink.directory, { recursive: true });
    await restoreFileSink(this.sink.directory, this.restored ?? [], this.earlierWriters);
  }

  /** The in-progress part files open for writing (their paths, in the order they were opened): for diagnostics and tests. */
  get openFiles(): string[] {
    return [...this.openBuckets].map((b) => b.openFile!);
  }

  /** The one in-progress part file open, or null when none is (for tests of one bucket). */
  get openFile(): string | null {
    const files = this.openFiles;
    if (files.length > 1) throw new Error(`FileSink: ${files.length} part files are open, in ${files.length} buckets`);
    return files[0] ?? null;
  }

  /** The watermark the sink's input has reached, for the bucket assigner's context. */
  watermark(timestamp: number): void {
    this.context.watermark = timestamp;
  }

  /**
   * Appends the records' lines, each to the part file of its bucket that the policy gives it:
   * before a record, its bucket's open file is rolled if it holds more than the part size or its
   * time is up (the batch's records are all written at one instant). An encoder or a bucket
   * assigner that throws writes none of the batch.
   */
  write(values: readonly unknown[], timestamps: readonly (number | null)[] | null = null): Promise<void> {
    return this.exclusive(async () => {
      this.throwIfBroken();
      const now = this.clock.now();
      const routed = this.route(values, timestamps, now);
      const texts = new Map<PartFileBucket, string>();
      for (let i = 0; i < routed.buckets.length; i++) {
        const bucket = routed.buckets[i]!;
        const line = routed.lines[i]!;
        let part = bucket.part;
        if (part !== null && rollsBeforeRecord(this.policy, part, now)) {
          await bucket.append(texts.get(bucket) ?? '');
          texts.delete(bucket);
          await this.roll(bucket);
          part = null;
        }
        if (part === null) {
          part = await bucket.open(now);
          this.openBuckets.add(bucket);
          this.armCheck();
        }
        texts.set(bucket, (texts.get(bucket) ?? '') + line);
        part.size += Buffer.byteLength(line);
        part.lastWriteAt = now;
      }
      for (const [bucket, text] of texts) await bucket.append(text);
    });
  }

  /** Each record's bucket and line (ended by "\n"), or the error of the first record the assigner or the encoder failed on. */
  private route(values: readonly unknown[], timestamps: readonly (number | null)[] | null, now: number): { buckets: PartFileBucket[]; lines: string[] } {
    const buckets: PartFileBucket[] = [];
    const lines: string[] = [];
    const context = this.context;
    context.now = now;
    // The built-ins decide by the processing time only, which the batch's records share.
    const assigner = this.assigner;
    const shared = assigner instanceof BasePathBucketAssigner ? '' : assigner instanceof DateTimeBucketAssigner ? assigner.bucketIdAt(now) : null;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      let id: unknown = shared;
      if (id === null) {
        context.recordTimestamp = timestamps?.[i] ?? null;
        try {
          id = assigner.getBucketId(value, context);
        } catch (error) {
          throw this.assignerFailure(error, { value });
        }
      }
      buckets.push(this.bucketFor(id, value));
      try {
        lines.push(`${this.encode(value)}\n`);
      } catch (error) {
        throw this.encoderFailure(error, { value });
      }
    }
    return { buckets, lines };
  }

  /** The bucket `id` names; a new one once its id is checked (the base path's is ""). */
  private bucketFor(id: unknown, value: unknown): PartFileBucket {
    const known = typeof id === 'string' ? this.buckets.get(id) : undefined;
    if (known !== undefined) return known;
    if (id !== '' || !(this.assigner instanceof BasePathBucketAssigner)) {
      const problem = bucketIdProblem(id);
      if (problem !== null) {
        const given = typeof id === 'string' ? `the bucket id ${JSON.stringify(id)}` : shownArgument(id);
        throw this.assignerFailure(new Error(`getBucketId gave ${given}, which ${problem}`), { value });
      }
    }
    const key = id as string;
    const bucket = new PartFileBucket(key, key === '' ? this.sink.directory : join(this.sink.directory, key), this.naming);
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** Closes `bucket`'s open file; it is then rolled (pending, in no checkpoint yet). */
  private async roll(bucket: PartFileBucket): Promise<void> {
    const done = await bucket.close();
    this.openBuckets.delete(bucket);
    if (done !== null) this.rolled.push(done);
  }

  /**
   * Checks every open file's times every bucket check interval, while any is open; a file whose
   * rollover or inactivity interval has passed is rolled.
   */
  private armCheck(): void {
    if (this.cancelTimer !== null || this.stopped || this.policy.limits === null) return;
    this.cancelTimer = this.clock.schedule(() => {
      this.cancelTimer = null;
      this.exclusive(async () => {
        if (this.stopped) return;
        const at = this.clock.now();
        for (const bucket of [...this.openBuckets]) if (rollsOnTime(this.policy, bucket.part!, at)) await this.roll(bucket);
        if (this.openBuckets.size > 0) this.armCheck();
      }).catch((error: unknown) => {
        this.timerFailure ??= { error };
      });
    }, this.sink.bucketCheckInterval);
  }

  /** Closes every open file and returns them (they are then pending). */
  private async closeAll(): Promise<PartFile[]> {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const closed: PartFile[] = [];
    for (const bucket of [...this.openBuckets]) {
      const done = await bucket.close();
      this.openBuckets.delete(bucket);
      if (done !== null) closed.push(done);
    }
    return closed;
  }

  async preCommit(checkpointId: number): Promise<void> {
    await this.exclusive(async () => {
      this.throwIfBroken();
      // After the end of input, the files it sealed go with this checkpoint (SinkWriter.preCommit).
      const sealed = [...(this.pending.get(FINAL_EPOCH) ?? []), ...this.rolled];
      this.pending.delete(FINAL_EPOCH);
      this.rolled = [];
      sealed.push(...(await this.closeAll()));
      this.pending.set(checkpointId, sealed);
    });
  }

  /**
   * Every file sealed up to this checkpoint and not committed yet (the files of a checkpoint
   * that was abandoned are committed with the next one that completes), and this writer's id.
   */
  checkpointState(checkpointId: number): FileSinkState {
    const files: PartFile[] = [];
    for (const [id, sealed] of this.pending) if (id <= checkpointId) files.push(...sealed);
    return { files, writer: this.id };
  }

  async commit(checkpointId: number): Promise<void> {
    // The job has finished (or stopped with all it needed): nothing is written any more.
    if (checkpointId === Infinity) this.stop();
    for (const id of [...this.pending.keys()].sort((a, b) => a - b)) {
      if (id > checkpointId) break;
      // Each file leaves the list once renamed: a commit that failed part-way (a rename the
      // system refused) is tried again with what it had left, never renaming a file twice.
      const files = this.pending.get(id)!;
      while (files.length > 0) {
        await publish(files[0]!);
        files.shift();
      }
      this.pending.delete(id);
    }
  }

  async endOfInput(): Promise<void> {
    await this.exclusive(async () => {
      this.throwIfBroken();
      this.stop();
      const sealed = [...this.rolled, ...(await this.closeAll())];
      this.rolled = [];
      this.pending.set(FINAL_EPOCH, sealed);
    });
  }

  /** A FileWriter is made per attempt; the restored checkpoint's files are committed in open(). */
  async restart(): Promise<void> {}

  /**
   * Stops writing and deletes what no checkpoint holds: the open files and those rolled since
   * the last barrier. Sealed files stay: a checkpoint that completed may still need them renamed
   * (the next attempt's open() does that, and deletes the others).
   */
  async abort(): Promise<void> {
    this.aborted = true;
    this.stop();
    await this.exclusive(async () => {
      const unsealed = [...this.rolled];
      this.rolled = [];
      for (const bucket of [...this.openBuckets]) {
        const dropped = await bucket.drop();
        this.openBuckets.delete(bucket);
        if (dropped !== null) unsealed.push(dropped);
      }
      for (const f of unsealed) await removeFile(f.temp);
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
