import type { RuntimeContext } from '../../../shared/api/contexts.ts';
import type { SinkFunction } from '../../api/sinks.ts';
import { hostLog } from '../../log.ts';
import { logCloseFailure } from '../function-closes.ts';
import { FINAL_EPOCH, PendingEpochs, type SinkWriter } from './sink-writer.ts';

/** Makes what one of the function's methods threw (about `record`, if given) the job's error. */
export type SinkFunctionFailure = (method: string, thrown: unknown, record?: { value: unknown }) => unknown;

/**
 * addSink(SinkFunction): invoke() for each record, in order, once committed. The function is
 * open while an attempt uses it, as in Flink: open() before its first record (or before a
 * restart publishes what an earlier attempt's checkpoint sealed), with this subtask's runtime
 * context in that attempt, and close() once after it: after the job's last commit, or when the
 * attempt stops (cancelled, or failed anywhere; what close() throws then is logged). A record
 * whose invoke() throws is invoked again by the commit that follows; those before it are not.
 */
export class FunctionWriter implements SinkWriter {
  private readonly epochs: PendingEpochs<unknown>;
  private opened = false;
  /** What open() receives: set as each attempt starts (the writer outlives attempts). */
  private context: RuntimeContext | null = null;

  constructor(
    private readonly fn: SinkFunction<unknown>,
    transactional: boolean,
    private readonly failure: SinkFunctionFailure = (_method, thrown) => thrown,
  ) {
    // Synchronous while the function is open (every batch of a running sink): a promise only
    // where invoke() returns one, or where a restart publishes before the attempt opened it.
    this.epochs = new PendingEpochs<unknown>(transactional, (items, progress) =>
      this.opened ? invokeEach(fn, items, 0, failure, progress) : this.open().then(() => invokeEach(fn, items, 0, failure, progress)),
    );
  }

  /** The runtime context of this subtask in the attempt that starts. */
  useContext(context: RuntimeContext): void {
    this.context = context;
  }

  async open(): Promise<void> {
    if (this.opened) return;
    const context = this.context;
    if (context === null) throw new Error('a sink function was opened before its attempt gave it a runtime context');
    try {
      await this.fn.open?.(context);
    } catch (error) {
      throw this.failure('open', error);
    }
    this.opened = true;
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
    if (checkpointId >= FINAL_EPOCH && this.opened) {
      this.opened = false;
      try {
        await this.fn.close?.();
      } catch (error) {
        throw this.failure('close', error);
      }
    }
  }
  async abort(): Promise<void> {
    this.epochs.dropCurrent();
    if (!this.opened) return;
    this.opened = false;
    try {
      await this.fn.close?.();
    } catch (error) {
      logCloseFailure(hostLog, this.failure('close', error));
    }
  }
  restart(checkpointId: number): Promise<void> {
    return this.epochs.restart(checkpointId);
  }
}

/** Calls invoke() for each item in order, awaiting only what returns a promise. */
function invokeEach(
  fn: SinkFunction<unknown>,
  items: readonly unknown[],
  from: number,
  failure: SinkFunctionFailure,
  progress: { published: number },
): void | Promise<void> {
  for (let i = from; i < items.length; i++) {
    let r: unknown;
    try {
      r = fn.invoke(items[i]);
    } catch (error) {
      throw failure('invoke', error, { value: items[i] });
    }
    if (r instanceof Promise) {
      return r.then(
        () => {
          progress.published = i + 1;
          return invokeEach(fn, items, i + 1, failure, progress);
        },
        (error: unknown) => {
          throw failure('invoke', error, { value: items[i] });
        },
      );
    }
    progress.published = i + 1;
  }
  return undefined;
}
