/**
 * How the rows of a batch run through the head of a chain, in order: synchronously while every
 * row is done when its push returns; once a row waits (an `async` function, a state read, a
 * turn of the event loop), the rest of the batch continues from that row's promise.
 *
 *   row, row, row ─▶ push returns a promise ─▶ RowContinuation: on settle, next rows …
 *
 * The continuation is one object per batch whose handlers are bound once: a waiting row costs
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
 * rows have taken SLICE_MS, when the event loop gets a turn.
 */
export function runRows(head: ChainOperator, scope: ElementScope, batch: RowBatch, from: number, end: number, step: RowStep): Pushed {
  const keys = batch.keys;
  const sliceEnd = sliceDeadline(end - from);
  for (let i = from; i < end; i++) {
    if (keys !== null) scope.setKey(keys.at(i) ?? null);
    const pushed = step(i);
    if (pushed !== undefined) return new RowContinuation(head, scope, batch, i, end, step).waitFor(pushed);
    if ((i - from) % CLOCK_EVERY === CLOCK_EVERY - 1 && i + 1 < end && performance.now() > sliceEnd) {
      return new RowContinuation(head, scope, batch, i, end, step).yieldTurn();
    }
  }
  return undefined;
}

/**
 * The rest of a batch after row `at`, which is waiting: each row starts once the one before it
 * is done. When the head handed over its function's own promise (ChainOperator.isHead), the
 * outcome goes back to the head, which carries the record on or fails it. The first failure
 * rejects `done` and no further row starts.
 */
class RowContinuation {
  private readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (thrown: unknown) => void;
  /** The row that is waiting (or whose wait just ended). */
  private i: number;
  private sliceEnd: number;

  constructor(
    private readonly head: ChainOperator,
    private readonly scope: ElementScope,
    private readonly batch: RowBatch,
    private readonly at: number,
    private readonly end: number,
    private readonly step: RowStep,
  ) {
    this.i = at;
    this.sliceEnd = sliceDeadline(end - at);
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Continues once `pushed`, the current row's push, settles. */
  waitFor(pushed: Promise<void>): Promise<void> {
    this.wait(pushed);
    return this.done;
  }

  /** Continues after a turn of the event loop (the current row is done). */
  yieldTurn(): Promise<void> {
    setImmediate(this.afterTurn);
    return this.done;
  }

  private wait(pushed: Promise<void>): void {
    const head = this.head;
    if (head.handedOver) {
      head.handedOver = false;
      pushed.then(this.answered, this.answerFailed);
    } else {
      pushed.then(this.rowDone, this.reject);
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
    if (more !== undefined) more.then(this.rowDone, this.reject);
    else this.next();
  };

  /** The head's function failed the current row: the head's policy decides (skip, or fail). */
  private readonly answerFailed = (thrown: unknown): void => {
    try {
      this.head.settleFailure(thrown);
    } catch (failure) {
      this.reject(failure);
      return;
    }
    this.next();
  };

  private readonly rowDone = (): void => this.next();

  private readonly afterTurn = (): void => {
    this.sliceEnd = performance.now() + SLICE_MS;
    this.start(this.i + 1);
  };

  /** The current row is done: the next ones, after a turn of the event loop if the slice is over. */
  private next(): void {
    const i = this.i;
    if (i + 1 >= this.end) {
      this.resolve();
      return;
    }
    if (i > this.at && (i - this.at) % CLOCK_EVERY === 0 && performance.now() > this.sliceEnd) {
      setImmediate(this.afterTurn);
      return;
    }
    this.start(i + 1);
  }

  /** Rows from `from` synchronously, until one waits or the batch ends. */
  private start(from: number): void {
    const { batch, end, step, scope } = this;
    const keys = batch.keys;
    try {
      for (let i = from; i < end; i++) {
        this.i = i;
        if (keys !== null) scope.setKey(keys.at(i) ?? null);
        const pushed = step(i);
        if (pushed !== undefined) {
          this.wait(pushed);
          return;
        }
        if (i > this.at && (i - this.at) % CLOCK_EVERY === 0 && i + 1 < end && performance.now() > this.sliceEnd) {
          setImmediate(this.afterTurn);
          return;
        }
      }
    } catch (thrown) {
      this.reject(thrown);
      return;
    }
    this.resolve();
  }
}
