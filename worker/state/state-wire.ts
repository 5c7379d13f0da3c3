import type { sluice } from '../../shared/generated/protocol.js';
import { StateAccessError } from '../../shared/errors/errors.ts';
import type { StateChannel } from './state-channel.ts';

type Operation = sluice.fn.v1.IStateOperation;
type Result = sluice.fn.v1.IStateResult;

/**
 * The worker's outgoing side of the State service: a batch of writes waiting to be sent, and
 * the requests sent but not yet answered.
 *
 * Invariants: operations reach the host in the order they were pushed. A read travels in the
 * same request as every write pushed before it, after them, so a read never overtakes a write.
 * A write is acknowledged once the response to its request has arrived; drain() resolves only
 * when every request sent so far has been answered.
 */
export class StateWire {
  /** Carried by every request; empty between bundles. */
  instructionId = '';
  requests = 0;
  operations = 0;

  private batch: Operation[] = [];
  private batchBytes = 0;
  private nextRequestId = 1;
  private readonly unanswered = new Set<Promise<void>>();
  private failure: StateAccessError | null = null;

  constructor(
    private readonly channel: StateChannel,
    private readonly maxBatchOperations: number,
    private readonly maxBatchBytes: number,
    /** Told about the first failure of any request (the cache is then no longer the host's). */
    private readonly onFailure: (error: StateAccessError) => void,
  ) {}

  get pendingOperations(): number {
    return this.batch.length;
  }

  /** Queues a write; sends the batch once it is large. `bytes` is its estimated encoded size. */
  push(operation: Operation, bytes: number): void {
    this.batch.push(operation);
    this.batchBytes += bytes;
    if (this.batch.length >= this.maxBatchOperations || this.batchBytes >= this.maxBatchBytes) this.flush();
  }

  /** Sends the queued writes now, without waiting for the answer. */
  flush(): void {
    if (this.batch.length === 0) return;
    void this.send(this.takeBatch());
  }

  /** Sends the queued writes and then `operation` in one request; resolves with its result. */
  read(operation: Operation): Promise<Result> {
    const operations = this.takeBatch();
    operations.push(operation);
    const index = operations.length - 1;
    const id = this.nextRequestId;
    return this.send(operations).then((results) => {
      const result = results[index];
      if (result === undefined || result === null) {
        throw new StateAccessError(
          `state request ${id}: the host answered ${results.length} results for ${operations.length} operations`,
        );
      }
      return result;
    });
  }

  /**
   * Sends what is queued and resolves when every request sent so far has been answered; rejects
   * with the first failure since the last drain.
   */
  async drain(): Promise<void> {
    this.flush();
    while (this.unanswered.size > 0) await Promise.all(this.unanswered);
    const failure = this.failure;
    this.failure = null;
    if (failure !== null) throw failure;
  }

  /** Forgets the queued writes (worker restart, state restore). */
  discardPending(): void {
    this.takeBatch();
  }

  private takeBatch(): Operation[] {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    return batch;
  }

  private send(operations: Operation[]): Promise<Result[]> {
    const id = String(this.nextRequestId++);
    const instructionId = this.instructionId;
    this.requests++;
    this.operations += operations.length;
    let response: Promise<sluice.fn.v1.IStateResponse>;
    try {
      response = this.channel.request({ id, instructionId, operations });
    } catch (thrown) {
      response = Promise.reject(thrown);
    }
    const results = response.then(
      (r) => {
        if (r.error) throw refused(id, instructionId, r.error);
        return r.results ?? [];
      },
      (thrown: unknown) => {
        throw new StateAccessError(`state request ${id} failed: ${describe(thrown)}`, { cause: thrown });
      },
    );
    const answered: Promise<void> = results.then(
      () => {
        this.unanswered.delete(answered);
      },
      (error: StateAccessError) => {
        this.unanswered.delete(answered);
        if (this.failure === null) this.failure = error;
        this.onFailure(error);
      },
    );
    this.unanswered.add(answered);
    return results;
  }
}

function refused(id: string, instructionId: string, error: sluice.fn.v1.IError): StateAccessError {
  const bundle = instructionId === '' ? '' : ` (bundle ${instructionId})`;
  const e = new StateAccessError(
    `the host refused state request ${id}${bundle}: ${error.name || 'Error'}: ${error.message ?? ''}`,
  );
  if (error.stack) e.stack = `${e.name}: ${e.message}\n  remote stack:\n${error.stack}`;
  return e;
}

function describe(thrown: unknown): string {
  return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
}
