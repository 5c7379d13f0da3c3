/**
 * How the rows of a batch run through the head of a chain, in order: synchronously while every
 * row is done when its push returns; once a row waits (an `async` function, a state read, a
 * turn of the event loop), the rest of the batch continues from that row's promise.
 *
 *   row, row, row ─▶ push returns a promise ─▶ RowRun: on settle, next rows …
 *
 * A RowRun is one object per batch whose handlers are bound once: a waiting row costs
 * a `then` on its promise, not the suspension of an `async` loop (whose frame is saved and
 * restored at every await). Measured on an `async` function that awaits a resolved value: ~105
 * against ~160 ns a row, and ~550 against ~650 bytes allocated (benchmarks/RESULTS.md, tenth
 * round).
 */
import type { RowBatch } from '../../shared/codec/batch-layout.ts';
import type { Pushed } from './downstream.ts';
import type { ElementScope } from './element-scope.ts';
import type { ChainOperator } from './operators/base.ts';

/**
 * How long a batch's rows run before the event loop gets a turn. Without turns, nothing moves
 * on the wire while a batch runs: the outputs already sent stay in the socket's buffers (a
 * batch of results is larger than they and the HTTP/2 window), the next input batch is not
 * read, heartbeats wait. With a slow function a 10,000-row batch takes tens of milliseconds,
 * and the worker then idled for a fifth of the time waiting for its own transfers. A turn costs
 * a few microseconds; the clock is read every CLOCK_EVERY rows.
 */
const SLICE_MS = 2;
const CLOCK_EVERY = 64;

/** When `rows` rows starting now are due a turn of the event loop: never, if too few to slice. */
function sliceDeadline(rows: number): number {
  return rows > CLOCK_EVERY ? performance.now() + SLICE_MS : Infinity;
}

/** What pushes row `i` of the batch into the chain. */
export type RowStep = (i: number) => Pushed;

/**
 * Rows [from, end) of `batch`, in order: synchronously until a step has to wait, or until the
 * rows have taken SLICE_MS, when the event loop gets a turn. Undefined when they all ran
 * synchronously (a step that throws then throws here); otherwise a promise of the rest.
 */
export function runRows(head: ChainOperator, scope: ElementScope, batch: RowBatch, from: number, end: number, step: RowStep): Pushed {
  return new RowRun(head, scope, batch, from, end, step).start(from);
}

/**
 * One batch's rows [from, end): each row starts once the one before it is done. When the head
 * handed over its function's own promise (ChainOperator.isHead), the outcome goes back to the
 * head, which carries the record on or fails it. The promise of the rest is made when a row
 * first waits; the first failure after that rejects it and no further row starts.
 */
class RowRun {
  private done: Promise<void> | null = null;
  private resolve!: () => void;
  private reject!: (thrown: unknown) => void;
  /** The row running, or waiting (or whose wait just ended). */
  private i = -1;
  /** Rows done since the clock was last read. */
  private sinceClock = 0;
  private sliceEnd: number;

  constructor(
    private readonly head: ChainOperator,
    private readonly scope: ElementScope,
    private readonly batch: RowBatch,
    from: number,
    private readonly end: number,
    private readonly step: RowStep,
  ) {
    this.sliceEnd = sliceDeadline(end - from);
  }

  /** Rows from `from` synchronously, until one waits, the slice is over or the batch ends. */
  start(from: number): Pushed {
    const { batch, end, step, scope } = this;
    const keys = batch.keys;
    // The row and the count since the clock stay in locals while rows run synchronously.
    let since = this.sinceClock;
    try {
      for (let i = from; i < end; i++) {
        if (keys !== null) scope.setRow(keys, i);
        const pushed = step(i);
        if (pushed !== undefined) {
          this.i = i;
          this.sinceClock = since;
          this.wait(pushed);
          return this.pending();
        }
        if (++since === CLOCK_EVERY) {
          since = 0;
          if (this.turnDue(i)) {
            this.i = i;
            this.sinceClock = 0;
            setImmediate(this.afterTurn);
            return this.pending();
          }
        }
      }
    } catch (thrown) {
      if (this.done === null) throw thrown;
      this.reject(thrown);
      return undefined;
    }
    if (this.done === null) return undefined;
    this.resolve();
    return undefined;
  }

  /** The promise of the rest of the batch, made the first time a row waits. */
  private pending(): Promise<void> {
    this.done ??= new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    return this.done;
  }

  /** Whether the current row, which waited, ends the slice (the clock is read every CLOCK_EVERY rows). */
  private sliceOver(): boolean {
    if (++this.sinceClock < CLOCK_EVERY) return false;
    this.sinceClock = 0;
    return this.turnDue(this.i);
  }

  /** Whether the event loop is due a turn after row `i`: rows remain and the slice's time is up. */
  private turnDue(i: number): boolean {
    return i + 1 < this.end && performance.now() > this.sliceEnd;
  }

  private wait(pushed: Promise<void>): void {
    const head = this.head;
    if (head.handedOver) {
      head.handedOver = false;
      pushed.then(this.answered, this.answerFailed);
    } else {
      pushed.then(this.rowDone, this.rejected);
    }
  }

  /** The head's function answered the current row: the head carries it on. */
  private readonly answered = (result: unknown): void => {
    let more: Pushed;
    try {
      more = this.head.settle(result);
    } catch (thrown) {
      this.reject(thrown);
      return;
    }
    if (more !== undefined) more.then(this.rowDone, this.rejected);
    else this.rowDone();
  };

  /** The head's function failed the current row: the head's policy decides (skip, or fail). */
  private readonly answerFailed = (thrown: unknown): void => {
    try {
      this.head.settleFailure(thrown);
    } catch (failure) {
      this.reject(failure);
      return;
    }
    this.rowDone();
  };

  private readonly rejected = (thrown: unknown): void => this.reject(thrown);

  /** The current row is done: the next ones, after a turn of the event loop if the slice is over. */
  private readonly rowDone = (): void => {
    if (this.i + 1 >= this.end) this.resolve();
    else if (this.sliceOver()) setImmediate(this.afterTurn);
    // Once a row has waited, start() settles the run's own promise; what it returns is that promise.
    else void this.start(this.i + 1);
  };

  private readonly afterTurn = (): void => {
    this.sliceEnd = performance.now() + SLICE_MS;
    void this.start(this.i + 1);
  };
}
