/**
 * The two ends of a port whose receiver may block for a message (BlockingReceiver): the State
 * port, over which a worker waits for the answer to a state read its cache cannot serve. The
 * sending end rings a PortSignal after every message and closes it when the port closes; the
 * receiving end, blocked, takes messages straight from the port's queue (receiveMessageOnPort)
 * between waits on the signal.
 *
 * Thread mode: the host holds the sending end, the worker thread the receiving end. Process
 * mode: the worker's stream relay thread (worker/stream-relay-thread.ts) holds the sending end and
 * the worker's main thread the receiving end; the same classes, so that blocking works the same.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { BlockingReceiver } from './channel.ts';
import { PortChannel } from './port-channel.ts';
import type { PortSignal } from './port-signal.ts';

/**
 * How long one wait on the signal lasts at most. Every wake-up is rung, so a receiver normally
 * wakes at once; the slice bounds what a wake-up missed for any reason costs (one slice, after
 * which the queue and the closed slot are read again) instead of a thread blocked for good.
 */
const WAIT_SLICE_MS = 100;

/** The sending end: each message it posts rings the signal; its end closing closes the signal. */
export class SignallingPortChannel<Out, In> extends PortChannel<Out, In> {
  constructor(
    port: MessagePort,
    private readonly signal: PortSignal,
    spinMs = 0,
  ) {
    super(port, spinMs);
    // Either end closing, or the other thread dying, ends the port; a blocked receiver must learn
    // it from the signal, since its own 'close' event waits for an event loop that is not turning.
    this.onClose(() => signal.close());
  }

  override send(message: Out, transfer?: readonly ArrayBuffer[]): void {
    if (this.closed) return;
    super.send(message, transfer);
    this.signal.ring();
  }
}

/**
 * The receiving end. Messages taken by receiveNow are gone from the port's queue, so they are
 * never emitted again as 'message' events: each message reaches the handler once, and in order
 * whichever way it was taken (the port emits its events one message at a time, each taken from
 * the queue as it is emitted).
 */
export class BlockingPortChannel<Out, In> extends PortChannel<Out, In> implements BlockingReceiver {
  constructor(
    port: MessagePort,
    private readonly signal: PortSignal,
    spinMs = 0,
  ) {
    super(port, spinMs);
  }

  receiveNow(): boolean {
    for (;;) {
      if (this.closed) return false;
      // Both read before the queue is: a message posted after the look changes the count (the
      // wait below then returns at once), and every message posted before the close is in the
      // queue by the time the closed slot reads 1.
      const closed = this.signal.closed;
      const seen = this.signal.rung;
      let received = 0;
      for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
        received++;
        this.spin.received();
        this.deliver(m.message as In);
      }
      if (received > 0) return true;
      if (closed) {
        this.spin.close();
        this.markClosed(null);
        return false;
      }
      this.signal.wait(seen, WAIT_SLICE_MS);
    }
  }
}
