import { BatchEncoder } from '../../shared/codec/batch-encoder.ts';
import type { sluice } from '../../shared/generated/protocol.js';
import { StateAccessError } from '../../shared/errors/errors.ts';
import { PUT_BATCH_LAYOUT } from '../../shared/protocol/put-batch.ts';
import { PutRun, type PutSource } from './put-run.ts';
import type { StateChannel } from './state-channel.ts';

type Operation = sluice.fn.v1.IStateOperation;
type Result = sluice.fn.v1.IStateResult;
type Request = sluice.fn.v1.IStateRequest & { id: string; instructionId: string };

interface PendingRead {
  operation: Operation;
  resolve: (r: Result) => void;
  reject: (e: unknown) => void;
}

/**
 * The worker's outgoing side of the State service: a batch of writes waiting to be sent, and
 * the requests sent but not yet answered.
 *
 * A function's read the cache cannot serve is blocking (readNow: the thread waits for the
 * answer); a prefetch's reads are not (read, inside gatherReads), and their answers fill the
 * cache before the rows that need them run.
 *
 * Invariants: operations reach the host in the order they were pushed. A read travels in the
 * same request as every write pushed before it, after them, so a read never overtakes a write.
 * A write is acknowledged once the response to its request has arrived; drain() resolves only
 * when every request sent so far has been answered. Consecutive value PUTs to one state (what
 * a bundle's write-back mostly is) go as one PUT_BATCH operation (put-run.ts); the counts
 * below count the PUTs in it.
 */
export class StateWire {
  /** Carried by every request; empty between bundles. */
  instructionId = '';
  requests = 0;
  operations = 0;

  private batch: (Operation | PutRun)[] = [];
  /** Operations in `batch`, each PUT of a run counted. */
  private batchOperations = 0;
  private batchBytes = 0;
  /** The reads in `batch`, in order, and who waits for their results. */
  private batchReads: PendingRead[] = [];
  private readonly putEncoder = new BatchEncoder(PUT_BATCH_LAYOUT);
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
    return this.batchOperations;
  }

  /** Queues a write; sends the batch once it is large. `bytes` is its estimated encoded size. */
  push(operation: Operation, bytes: number): void {
    this.batch.push(operation);
    this.added(bytes);
  }

  /**
   * Queues a PUT under `key` (of a value, reducing or aggregating state, whose writes replace)
   * of what `source` writes now. It joins the run of PUTs the batch ends with, if that run is
   * of the same state and namespace. `bytes` is its estimated encoded size.
   */
  put(key: sluice.fn.v1.IStateKey, source: PutSource, time: number, bytes: number): void {
    const last = this.batch[this.batch.length - 1];
    if (last instanceof PutRun && last.accepts(key)) last.add(source, time);
    else this.batch.push(new PutRun(key, source, time));
    this.added(bytes);
  }

  private added(bytes: number): void {
    this.batchOperations++;
    this.batchBytes += bytes;
    if (this.gathering === 0 && (this.batchOperations >= this.maxBatchOperations || this.batchBytes >= this.maxBatchBytes)) {
      this.flush();
    }
  }

  /** Sends the queued operations now; reads among them get their results when the answer comes. */
  flush(): void {
    if (this.batch.length === 0) return;
    const reads = this.batchReads;
    this.batchReads = [];
    const count = this.batchOperations;
    const operations = this.takeBatch();
    const id = this.nextRequestId;
    const sent = this.send(operations, count);
    if (reads.length === 0) return;
    sent.then(
      (results) => this.settleReads(reads, operations, results, String(id)),
      (error: unknown) => {
        for (const r of reads) r.reject(error);
      },
    );
  }

  /** Hands each of `reads` its result among `results`, the answer to `operations`. */
  private settleReads(reads: PendingRead[], operations: Operation[], results: Result[], id: string): void {
    if (reads.length === 0) return;
    // Where each read ended up: runs may have become several operations.
    for (let i = 0, r = 0; i < operations.length && r < reads.length; i++) {
      if (operations[i] !== reads[r]!.operation) continue;
      const read = reads[r++]!;
      const result = results[i];
      if (result === undefined || result === null) {
        read.reject(new StateAccessError(`state request ${id}: the host answered ${results.length} results for ${operations.length} operations`));
      } else read.resolve(result);
    }
  }

  /**
   * Queues `operation` (a read) after the queued writes; resolves with its result. It goes out
   * at once, in one request with those writes, unless reads are being gathered.
   */
  read(operation: Operation): Promise<Result> {
    const result = new Promise<Result>((resolve, reject) => {
      this.batchReads.push({ operation, resolve, reject });
    });
    this.batch.push(operation);
    this.batchOperations++;
    this.batchBytes += 32;
    if (this.gathering === 0) this.flush();
    return result;
  }

  /**
   * Sends the queued operations and `operation` (a read) after them, in one request, and blocks
   * until the host has answered it: its result. Reads queued for a gathered request go out in
   * it too, and get their results as usual.
   */
  readNow(operation: Operation): Result {
    this.batch.push(operation);
    this.batchOperations++;
    const reads = this.batchReads;
    this.batchReads = [];
    const count = this.batchOperations;
    const operations = this.takeBatch();
    const request = this.nextRequest(operations, count);
    let results: Result[];
    try {
      let response: sluice.fn.v1.IStateResponse;
      try {
        response = this.channel.requestNow(request);
      } catch (thrown) {
        throw transportFailure(request.id, thrown);
      }
      results = answered(request, response);
    } catch (error) {
      const failure = error as StateAccessError;
      for (const r of reads) r.reject(failure);
      this.failed(failure);
      throw failure;
    }
    this.settleReads(reads, operations, results, request.id);
    const result = results[operations.lastIndexOf(operation)];
    if (result === undefined || result === null) {
      throw new StateAccessError(`state request ${request.id}: the host answered ${results.length} results for ${operations.length} operations`);
    }
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
    this.batch = [];
    this.batchOperations = 0;
    this.batchBytes = 0;
    for (const r of reads) r.reject(new StateAccessError('the state cache was reset before this read was sent'));
  }

  /** Empties the batch; its runs become operations. */
  private takeBatch(): Operation[] {
    const batch = this.batch;
    this.batch = [];
    this.batchOperations = 0;
    this.batchBytes = 0;
    const operations: Operation[] = [];
    for (const item of batch) {
      if (item instanceof PutRun) operations.push(...item.operations(this.putEncoder));
      else operations.push(item);
    }
    return operations;
  }

  private send(operations: Operation[], count: number): Promise<Result[]> {
    const request = this.nextRequest(operations, count);
    let response: Promise<sluice.fn.v1.IStateResponse>;
    try {
      response = this.channel.request(request);
    } catch (thrown) {
      response = Promise.reject(thrown);
    }
    const results = response.then(
      (r) => answered(request, r),
      (thrown: unknown) => {
        throw transportFailure(request.id, thrown);
      },
    );
    const settled: Promise<void> = results.then(
      () => {
        this.unanswered.delete(settled);
      },
      (error: StateAccessError) => {
        this.unanswered.delete(settled);
        this.failed(error);
      },
    );
    this.unanswered.add(settled);
    return results;
  }

  /** The next request, carrying `operations` (`count` of them, each PUT of a run counted). */
  private nextRequest(operations: Operation[], count: number): Request {
    this.requests++;
    this.operations += count;
    return { id: String(this.nextRequestId++), instructionId: this.instructionId, operations };
  }

  /** Records a failed request: drain() reports the first; the cache is no longer the host's. */
  private failed(error: StateAccessError): void {
    if (this.failure === null) this.failure = error;
    this.onFailure(error);
  }
}

/** The results of `request`, or the host's refusal of it. */
function answered(request: Request, response: sluice.fn.v1.IStateResponse): Result[] {
  if (response.error) throw refused(request.id, request.instructionId, response.error);
  return response.results ?? [];
}

/** A request the transport could not carry (the State stream ended, a send failed). */
function transportFailure(id: string, thrown: unknown): StateAccessError {
  return new StateAccessError(`state request ${id} failed: ${describe(thrown)}`, { cause: thrown });
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
