/**
 * A MessagePort's doorbell: a few slots of shared memory through which the sending end tells a
 * receiving thread that is blocked (not running its event loop) that a message is waiting, or
 * that nothing more will come. The receiver takes the messages itself with receiveMessageOnPort
 * (blocking-port-channel.ts), so the bell carries no data, only a count.
 *
 *   sender                               receiver (blocked)
 *    postMessage(m) ─────────────────▶   queue: m
 *    rung += 1, notify ──────────────▶   wakes, takes m from the queue
 *    closed = 1, rung += 1, notify ──▶   wakes, takes what is left, then sees the end
 *
 * Invariant: the sender rings only after the message is in the port's queue (postMessage has
 * returned), so a receiver that read the count before looking at the queue either finds the
 * message or finds the count changed and looks again.
 *
 * No imports: the stream relay thread (worker/stream-relay-thread.ts) loads it and must start fast.
 */

/** Slot indices in the Int32Array. */
const RUNG = 0;
const CLOSED = 1;
const SLOTS = 2;

export class PortSignal {
  readonly buffer: SharedArrayBuffer;
  private readonly slots: Int32Array;

  /** A new bell, or the other end's view of one (the buffer passed in workerData). */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.slots = new Int32Array(buffer);
  }

  /** The sender: call after each message posted to the port (`count` for as many at once). */
  ring(count = 1): void {
    Atomics.add(this.slots, RUNG, count);
    Atomics.notify(this.slots, RUNG);
  }

  /** The sender: its end has closed; nothing more will be posted. */
  close(): void {
    Atomics.store(this.slots, CLOSED, 1);
    this.ring();
  }

  /** The receiver: how many times the bell has rung so far. */
  get rung(): number {
    return Atomics.load(this.slots, RUNG);
  }

  /** The receiver: whether the sender's end has closed. */
  get closed(): boolean {
    return Atomics.load(this.slots, CLOSED) === 1;
  }

  /** The receiver: blocks while the count is still `seen`, for at most `ms`. */
  wait(seen: number, ms: number): void {
    Atomics.wait(this.slots, RUNG, seen, ms);
  }
}
