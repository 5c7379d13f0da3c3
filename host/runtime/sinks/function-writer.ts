import type { SinkFunction } from '../../api/sinks.ts';
import { PendingEpochs, type SinkWriter } from './sink-writer.ts';

/** addSink(SinkFunction): invoke() for each record, in order, once committed. */
export class FunctionWriter implements SinkWriter {
  private readonly epochs: PendingEpochs<unknown>;

  constructor(
    private readonly fn: SinkFunction<unknown>,
    transactional: boolean,
  ) {
    this.epochs = new PendingEpochs<unknown>(transactional, async (items) => {
      for (const item of items) await fn.invoke(item);
    });
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
  commit(checkpointId: number): Promise<void> {
    return this.epochs.commit(checkpointId);
  }
  async endOfInput(): Promise<void> {
    await this.epochs.flushAll();
    await this.fn.close?.();
  }
  async abort(): Promise<void> {
    this.epochs.discard();
  }
}
