import type { SinkFunction } from '../../api/sinks.ts';
import { FINAL_EPOCH, PendingEpochs, type SinkWriter } from './sink-writer.ts';

/** addSink(SinkFunction): invoke() for each record, in order, once committed. */
export class FunctionWriter implements SinkWriter {
  private readonly epochs: PendingEpochs<unknown>;

  constructor(
    private readonly fn: SinkFunction<unknown>,
    transactional: boolean,
  ) {
    this.epochs = new PendingEpochs<unknown>(transactional, (items) => invokeEach(fn, items, 0));
  }

  async open(): Promise<void> {
    await this.fn.open?.();
  }
  write(values: readonly unknown[]): void | Promise<void> {
    return this.epochs.add(values);
  }
  async preCommit(checkpointId: number): Promise<void> {
    this.epochs.seal(checkpointId);
  }
  async endOfInput(): Promise<void> {
    this.epochs.sealFinal();
  }
  checkpointState(): null {
    return null;
  }
  async commit(checkpointId: number): Promise<void> {
    await this.epochs.commit(checkpointId);
    if (checkpointId >= FINAL_EPOCH && !this.closed) {
      this.closed = true;
      await this.fn.close?.();
    }
  }
  private closed = false;
  async abort(): Promise<void> {
    this.epochs.dropCurrent();
  }
  restart(checkpointId: number): Promise<void> {
    return this.epochs.restart(checkpointId);
  }
}

/** Calls invoke() for each item in order, awaiting only what returns a promise. */
function invokeEach(fn: SinkFunction<unknown>, items: readonly unknown[], from: number): void | Promise<void> {
  for (let i = from; i < items.length; i++) {
    const r = fn.invoke(items[i]);
    if (r instanceof Promise) return r.then(() => invokeEach(fn, items, i + 1));
  }
  return undefined;
}
