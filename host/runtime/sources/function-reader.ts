/**
 * A user SourceFunction. Its run() may yield records (sync or async iterable: the pipeline
 * pulls, so backpressure is natural) or push them with ctx.collect (which returns a promise to
 * await when the pipeline is full). Pushed records are handed on in chunks, and at once when
 * the function pauses, so a slow source is not delayed by batching.
 *
 * The function is this attempt's own copy (see fresh-source-function.ts). Once the reader is
 * cancelled, nothing the function produces goes anywhere: ctx.collect throws SourceCancelledError
 * (so a run() that ignores cancel() stops at its next record) and a generator is closed.
 *
 * Its lifecycle, as a Flink source function's, close() always following an open() that completed:
 *
 *   first next() ─▶ open(runtime context) ─▶ run() ─▶ close() ─▶ end of input (or run()'s failure)
 *   cancel()     ─▶ cancel() ─────────────▶ run() returns ─▶ close()   (the attempt waits for it,
 *                                                                     task.cancellation.timeout)
 */
import type { RuntimeContext } from '../../../shared/api/contexts.ts';
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { SluiceError } from '../../../shared/errors/errors.ts';
import type { SourceContext, SourceFunction } from '../../api/sources.ts';
import { hostLog } from '../../log.ts';
import { logCloseFailure } from '../function-closes.ts';
import { rows, type SourceReader } from './source-reader.ts';

/** Thrown by ctx.collect of a source whose attempt has stopped (its run() should return). */
export class SourceCancelledError extends SluiceError {}

/** What the attempt gives a source function's reader. */
export interface SourceLifecycle {
  /** What the function's open() receives. */
  readonly context: RuntimeContext;
  /**
   * Told, as open() is called, of the end of the function's life: resolves once close() has
   * run after run(), or once open() has failed (then close() is not called).
   */
  closing(closed: Promise<void>): void;
}

export class FunctionReader implements SourceReader {
  private values: unknown[] = [];
  private timestamps: (number | null)[] = [];
  private timestamped = false;
  private ready: RowBatch[] = [];
  private done = false;
  private failure: unknown = null;
  private wake: (() => void) | null = null;
  private space: (() => void) | null = null;
  private flushScheduled = false;
  private started = false;
  private cancelled = false;

  /**
   * `restored`: the position a checkpoint holds for it; null on a fresh start (restoreState is
   * not called). `failure` makes what one of the function's methods threw the job's error.
   */
  constructor(
    private readonly fn: SourceFunction<unknown>,
    private readonly chunk: number,
    restored: { position: unknown } | null,
    private readonly failure_: (method: string, thrown: unknown) => unknown,
    private readonly lifecycle: SourceLifecycle,
  ) {
    if (restored !== null) {
      try {
        fn.restoreState(restored.position);
      } catch (error) {
        throw failure_('restoreState', error);
      }
    }
  }

  private start(): void {
    this.started = true;
    void this.live();
  }

  /** open(), run(), close(): the function's life in this attempt (see the top of the file). */
  private async live(): Promise<void> {
    let closed!: () => void;
    this.lifecycle.closing(new Promise<void>((resolve) => (closed = resolve)));
    try {
      await this.fn.open(this.lifecycle.context);
    } catch (error) {
      closed();
      this.finish({ error, method: 'open' });
      return;
    }
    const ctx: SourceContext<unknown> = {
      collect: (value) => this.collect(value, null),
      collectWithTimestamp: (value, timestamp) => this.collect(value, timestamp),
    };
    let failed: { error: unknown; method: string } | null = null;
    try {
      // Cancelled while open() ran: run() would only be told to stop.
      if (!this.cancelled) await this.drain(await this.fn.run(ctx));
    } catch (error) {
      failed = { error, method: 'run' };
    }
    try {
      await this.fn.close();
    } catch (error) {
      // At the end of the input a failing close() fails the job, as a worker's does; after
      // run() failed or the attempt stopped, the failure that came first stays the one reported.
      if (failed === null && !this.cancelled) failed = { error, method: 'close' };
      else logCloseFailure(hostLog, this.failure_('close', error));
    }
    closed();
    this.finish(failed);
  }

  private async drain(result: unknown): Promise<void> {
    if (result === undefined || result === null) return;
    const asyncIt = (result as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> })[Symbol.asyncIterator];
    const syncIt = (result as { [Symbol.iterator]?: () => Iterator<unknown> })[Symbol.iterator];
    const it = typeof asyncIt === 'function' ? asyncIt.call(result) : typeof syncIt === 'function' ? syncIt.call(result) : null;
    if (it === null) return;
    for (;;) {
      if (this.cancelled) return this.closeIterator(it);
      const step = await it.next();
      if (this.cancelled) return this.closeIterator(it);
      if (step.done === true) return;
      const wait = this.collect(step.value, null);
      if (wait !== undefined) await wait;
    }
  }

  /** Runs the generator's `finally` blocks; it is not resumed again. */
  private async closeIterator(it: Iterator<unknown> | AsyncIterator<unknown>): Promise<void> {
    await it.return?.();
  }

  private collect(value: unknown, timestamp: number | null): void | Promise<void> {
    if (this.cancelled) throw new SourceCancelledError('the source was cancelled (its attempt stopped): run() must return');
    if (this.done) return undefined;
    this.values.push(value);
    this.timestamps.push(timestamp);
    if (timestamp !== null) this.timestamped = true;
    if (this.values.length >= this.chunk) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    if (this.ready.length < 1) return undefined;
    return new Promise<void>((resolve) => (this.space = resolve));
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.values.length === 0) return;
    this.ready.push(rows(this.values, this.timestamped ? this.timestamps : null));
    this.values = [];
    this.timestamps = [];
    this.timestamped = false;
    this.notify();
  }

  private finish(failed: { error: unknown; method: string } | null): void {
    // A cancelled source's end (SourceCancelledError included) concerns no one.
    if (this.cancelled) return;
    this.flush();
    this.failure = failed === null ? null : this.failure_(failed.method, failed.error);
    this.done = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  next(): RowBatch | null | Promise<RowBatch | null> {
    if (!this.started) this.start();
    const batch = this.ready.shift();
    if (batch !== undefined) {
      const space = this.space;
      this.space = null;
      space?.();
      return batch;
    }
    if (this.done) {
      if (this.failure !== null) return Promise.reject(this.failure);
      return null;
    }
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => this.next());
  }

  /**
   * What the function produced and the pipeline has not taken yet goes out before the barrier;
   * the function's own snapshot (taken in the same synchronous step, so it cannot have produced
   * more meanwhile) is then exactly where the rows stop.
   */
  checkpoint(): { chunks: RowBatch[]; position: unknown } {
    this.flush();
    const chunks = this.ready;
    this.ready = [];
    const space = this.space;
    this.space = null;
    space?.();
    try {
      return { chunks, position: this.fn.snapshotState() };
    } catch (error) {
      throw this.failure_('snapshotState', error);
    }
  }

  cancel(): void {
    this.cancelled = true;
    this.done = true;
    this.values = [];
    this.timestamps = [];
    this.ready = [];
    this.fn.cancel();
    this.notify();
    const space = this.space;
    this.space = null;
    space?.();
  }
}
