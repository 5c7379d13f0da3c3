/**
 * How a sink task writes. Sinks are two-phase: records written after checkpoint n's barrier
 * belong to checkpoint n+1 and only become visible (printed, collected, files renamed) once that
 * checkpoint completes; what comes after the last barrier becomes visible once the whole job
 * has finished (not when this one sink reaches its end: another part of the job may still fail
 * and restart from the last checkpoint). A restart throws away what was not committed, so
 * nothing reaches the outside twice. Without checkpointing and restarts there is nothing to
 * roll back, and sinks write through at once.
 */
export interface SinkWriter {
  open(): Promise<void>;
  /** `timestamps`: each value's event time (null: none), when the records carry any. */
  write(values: readonly unknown[], timestamps?: readonly (number | null)[] | null): void | Promise<void>;
  /** The watermark the sink's input has reached (a file sink's bucket assigner reads it). */
  watermark?(timestamp: number): void;
  /**
   * The barrier of `checkpointId` arrived: seal what was written since the previous one. Also
   * called after endOfInput() while the job runs on (the sink has finished): what the end of
   * input sealed then belongs to `checkpointId`.
   */
  preCommit(checkpointId: number): Promise<void>;
  /** What the sink needs after a restart to finish committing `checkpointId` (plain data). */
  checkpointState(checkpointId: number): unknown;
  /** Makes visible what every checkpoint up to `checkpointId` sealed (Infinity: everything). */
  commit(checkpointId: number): Promise<void>;
  /** End of input: seals what remains; commit(Infinity) publishes it once the job has finished. */
  endOfInput(): Promise<void>;
  /** The attempt failed: stop writing; what is not yet sealed is thrown away. */
  abort(): Promise<void>;
  /**
   * A new attempt starts from checkpoint `checkpointId` (0: from the start). What checkpoints
   * up to it sealed is made visible now, if its commit had not happened before the failure
   * (a checkpoint can complete and the job fail before the sinks were told); what came later
   * is thrown away, since the new attempt produces it again.
   */
  restart(checkpointId: number): Promise<void>;
}

/** The epoch of what comes after the last barrier. */
export const FINAL_EPOCH = Number.MAX_SAFE_INTEGER;

/**
 * Keeps written items per pending checkpoint until they are committed (or written through at
 * once when the sink is not transactional).
 */
export class PendingEpochs<T> {
  private current: T[] = [];
  private readonly sealed = new Map<number, T[]>();

  constructor(
    private readonly transactional: boolean,
    /**
     * Reads `items` only: a batch's values are handed on as they are, never changed afterwards.
     * One that can fail part of the way sets `progress.published` to how many items it has
     * published: a commit that fails keeps the rest of its epoch, for the next commit to publish.
     */
    private readonly publish: (items: readonly T[], progress: { published: number }) => void | Promise<void>,
  ) {}

  add(items: readonly T[]): void | Promise<void> {
    if (!this.transactional) return this.publish(items, { published: 0 });
    for (const item of items) this.current.push(item);
    return undefined;
  }

  /**
   * Seals what was written since the last seal into `checkpointId`; after the end of input
   * (a sink that finished while the job runs on), what the end sealed goes with it too, so that
   * the checkpoint's completion publishes it.
   */
  seal(checkpointId: number): void {
    const final = this.sealed.get(FINAL_EPOCH);
    this.sealed.delete(FINAL_EPOCH);
    this.sealed.set(checkpointId, final === undefined ? this.current : [...final, ...this.current]);
    this.current = [];
  }

  /**
   * Publishes everything sealed up to and including `checkpointId`, in order. When publishing
   * fails, what was not published stays sealed: neither lost nor published twice by the commit
   * that follows (a restart's, or the job's final one again).
   */
  async commit(checkpointId: number): Promise<void> {
    for (const id of [...this.sealed.keys()].sort((a, b) => a - b)) {
      if (id > checkpointId) break;
      const items = this.sealed.get(id)!;
      if (items.length === 0) {
        this.sealed.delete(id);
        continue;
      }
      const progress = { published: 0 };
      try {
        await this.publish(items, progress);
      } catch (error) {
        this.sealed.set(id, items.slice(progress.published));
        throw error;
      }
      this.sealed.delete(id);
    }
  }

  /** Seals what remains as the final epoch. */
  sealFinal(): void {
    this.seal(FINAL_EPOCH);
  }

  /** Drops what is not sealed (the attempt writing it failed). */
  dropCurrent(): void {
    this.current = [];
  }

  /** See SinkWriter.restart. */
  async restart(checkpointId: number): Promise<void> {
    this.current = [];
    await this.commit(checkpointId);
    this.sealed.clear();
  }
}
