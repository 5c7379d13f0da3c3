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
  /** The reads in `batch`: where their operation is and who waits for its result. */
  private batchReads: { index: number; resolve: (r: Result) => void; reject: (e: unknown) => void }[] = [];
  /** While > 0, reads wait in the batch instead of going out at once (see gatherReads). */
  private gathering = 0;
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
    if (this.gathering === 0 && (this.batch.length >= this.maxBatchOperations || this.batchBytes >= this.maxBatchBytes)) {
      this.flush();
    }
  }

  /** Sends the queued operations now; reads among them get their results when the answer comes. */
  flush(): void {
    if (this.batch.length === 0) return;
    const reads = this.batchReads;
    this.batchReads = [];
    const operations = this.takeBatch();
    const id = this.nextRequestId;
    const sent = this.send(operations);
    if (reads.length === 0) return;
    sent.then(
      (results) => {
        for (const r of reads) {
          const result = results[r.index];
          if (result === undefined || result === null) {
            r.reject(
              new StateAccessError(`state request ${id}: the host answered ${results.length} results for ${operations.length} operations`),
            );
          } else r.resolve(result);
        }
      },
      (error: unknown) => {
        for (const r of reads) r.reject(error);
      },
    );
  }

  /**
   * Queues `operation` (a read) after the queued writes; resolves with its result. It goes out
   * at once, in one request with those writes, unless reads are being gathered.
   */
  read(operation: Operation): Promise<Result> {
    const result = new Promise<Result>((resolve, reject) => {
      this.batchReads.push({ index: this.batch.length, resolve, reject });
    });
    this.batch.push(operation);
    this.batchBytes += 32;
    if (this.gathering === 0) this.flush();
    return result;
  }

  /**
   * Runs `gather` with reads held back, then sends everything queued in one request: many reads
   * (a prefetch) cost one round trip.
   */
  gatherReads(gather: () => void): void {
    this.gathering++;
    try {
      gather();
    } finally {
      this.gathering--;
      if (this.gathering === 0 && this.batchReads.length > 0) this.flush();
    }
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

  /** Forgets the queued writes (worker restart, state restore); queued reads fail. */
  discardPending(): void {
    const reads = this.batchReads;
    this.batchReads = [];
    this.takeBatch();
    for (const r of reads) r.reject(new StateAccessError('the state cache was reset before this read was sent'));
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
