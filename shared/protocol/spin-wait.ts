/**
 * Thread mode's answer to the cost of a wake-up: after a thread sends a message, its event loop
 * keeps turning (setImmediate after setImmediate, each turn polling its ports without blocking)
 * until the other side's next message arrives, for at most the spin time, instead of going to
 * sleep at once. A sleeping thread takes 45–60 µs to wake on these machines and then runs its
 * first microseconds cold; a record at a low rate costs two wake-ups (host → worker → host),
 * more than P3's target for thread mode (benchmarks/RESULTS.md, sixth and eighth rounds).
 *
 *   send ─▶ poll, poll, poll … ◀─ answer      (answered within the spin time: spin next time too)
 *   send ─▶ poll … (spin time) sleep … ◀─ answer   (too slow: the next send does not spin)
 *
 * A channel spins only while its other side answered within the spin time the last time, so
 * a thread whose peer works for long stretches (a costly function) stops spinning after one
 * try and gives its core back. The turns are ordinary event-loop turns: every timer, message
 * and I/O callback runs as usual while a thread spins.
 */

/** The thread's spinning: one chain of immediates, kept going while any channel holds it. */
class EventLoopSpin {
  private readonly holders = new Set<SpinWait>();
  private running = false;

  hold(holder: SpinWait): void {
    this.holders.add(holder);
    if (!this.running) {
      this.running = true;
      setImmediate(this.turn);
    }
  }

  release(holder: SpinWait): void {
    this.holders.delete(holder);
  }

  get spinning(): boolean {
    return this.running;
  }

  private readonly turn = (): void => {
    for (const holder of this.holders) if (!holder.holding) this.holders.delete(holder);
    if (this.holders.size === 0) {
      this.running = false;
      return;
    }
    setImmediate(this.turn);
  };
}

const threadSpin = new EventLoopSpin();

/** One channel's side of the spinning: when to hold the loop, and until when. */
export class SpinWait {
  /** When the oldest message still unanswered was sent; null when none is. */
  private sentAt: number | null = null;
  /** Whether the other side answered within the spin time last time (optimistic at first). */
  private answersFast = true;
  /** Until when this channel keeps the loop turning (clock time); -Infinity: it does not. */
  private until = -Infinity;

  /** `spinMs` 0 never spins. `clock` in ms: performance.now, or a test's. */
  constructor(
    private readonly spinMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Whether this channel keeps the thread's loop turning now. */
  get holding(): boolean {
    return this.clock() < this.until;
  }

  /** Call after sending a message. */
  sent(): void {
    if (this.spinMs <= 0) return;
    const now = this.clock();
    this.sentAt ??= now;
    if (!this.answersFast) return;
    this.until = now + this.spinMs;
    threadSpin.hold(this);
  }

  /** Call when a message arrives. */
  received(): void {
    if (this.sentAt === null) return;
    this.answersFast = this.clock() - this.sentAt <= this.spinMs;
    this.sentAt = null;
    this.release();
  }

  /** Call when the channel closes: it never holds the loop again. */
  close(): void {
    this.sentAt = null;
    this.answersFast = false;
    this.release();
  }

  private release(): void {
    this.until = -Infinity;
    threadSpin.release(this);
  }
}

/** Whether this thread's loop is being kept turning (for tests). */
export function threadIsSpinning(): boolean {
  return threadSpin.spinning;
}
