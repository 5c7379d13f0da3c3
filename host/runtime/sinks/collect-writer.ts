import { PendingEpochs, type SinkWriter } from './sink-writer.ts';

/** executeAndCollect(): results land in the caller's array, each once, across restarts. */
export class CollectWriter implements SinkWriter {
  private readonly epochs: PendingEpochs<unknown>;

  constructor(
    results: unknown[],
    limit: number | null,
    transactional: boolean,
    /** Called once `limit` results are in: the job can stop. */
    onLimit: () => void,
  ) {
    this.epochs = new PendingEpochs<unknown>(transactional, (items) => {
      for (const item of items) {
        if (limit !== null && results.length >= limit) break;
        results.push(item);
      }
      if (limit !== null && results.length >= limit) onLimit();
    });
  }

  async open(): Promise<void> {}
  write(values: readonly unknown[]): void | Promise<void> {
    return this.epochs.add(values);
  }
  async preCommit(checkpointId: number): Promise<void> {
    this.epochs.seal(checkpointId);
  }
  commit(checkpointId: number): Promise<void> {
    return this.epochs.commit(checkpointId);
  }
  async endOfInput(): Promise<void> {
    this.epochs.sealFinal();
  }
  checkpointState(): null {
    return null;
  }
  async abort(): Promise<void> {
    this.epochs.dropCurrent();
  }
  restart(checkpointId: number): Promise<void> {
    return this.epochs.restart(checkpointId);
  }
}
