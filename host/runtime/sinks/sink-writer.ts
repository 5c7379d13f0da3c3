/**
 * How a sink task writes. Sinks are two-phase: records written after checkpoint n's barrier
 * belong to checkpoint n+1 and only become visible (printed, collected, files renamed) once that
 * checkpoint completes, or at the end of a bounded input. A restart throws away what was not
 * committed, so nothing reaches the outside twice. Without checkpointing and restarts there is
 * nothing to roll back, and sinks write through at once.
 */
export interface SinkWriter {
  open(): Promise<void>;
  write(values: readonly unknown[]): void | Promise<void>;
  /** The barrier of `checkpointId` arrived: seal what was written since the previous one. */
  preCommit(checkpointId: number): Promise<void>;
  /** Checkpoint `checkpointId` completed: make what it sealed visible. */
  commit(checkpointId: number): Promise<void>;
  /** End of a bounded input: make everything visible. */
  endOfInput(): Promise<void>;
  /** The attempt failed: drop what is not committed. */
  abort(): Promise<void>;
}

/**
 * Keeps written items per pending checkpoint until they are committed (or written through at
 * once when the sink is not transactional).
 */
export class PendingEpochs<T> {
  private current: T[] = [];
  private readonly sealed = new Map<number, T[]>();

  constructor(
    private readonly transactional: boolean,
    private readonly publish: (items: T[]) => void | Promise<void>,
  ) {}

  add(items: readonly T[]): void | Promise<void> {
    if (!this.transactional) return this.publish([...items]);
    for (const item of items) this.current.push(item);
    return undefined;
  }

  seal(checkpointId: number): void {
    this.sealed.set(checkpointId, this.current);
    this.current = [];
  }

  /** Publishes everything sealed up to and including `checkpointId`, in order. */
  async commit(checkpointId: number): Promise<void> {
    for (const id of [...this.sealed.keys()].sort((a, b) => a - b)) {
      if (id > checkpointId) break;
      const items = this.sealed.get(id)!;
      this.sealed.delete(id);
      if (items.length > 0) await this.publish(items);
    }
  }

  async flushAll(): Promise<void> {
    await this.commit(Infinity);
    const items = this.current;
    this.current = [];
    if (items.length > 0) await this.publish(items);
  }

  discard(): void {
    this.current = [];
    this.sealed.clear();
  }
}
