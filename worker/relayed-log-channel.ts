/**
 * Process mode's Logging, carried by the stream relay thread (worker/stream-relay.ts): each
 * message is encoded here and posted to the relay at once, which writes it to gRPC; the host
 * answers each with an empty LogControl, for which the relay rings `received`. So a log entry
 * leaves even when this thread never runs its event loop again (a function in an endless loop or
 * running out of memory), and drainNow() can wait until the host has every entry sent so far.
 *
 * Invariant: `unconfirmed` holds the last messages sent, oldest first, of which the host had not
 * yet acknowledged when they were last counted; message number `sent - unconfirmed.length` is the
 * first of them (at most UNCONFIRMED_LIMIT are kept: a relay that stopped writing must not make
 * this thread hold every entry since).
 */
import { ChannelBase } from '../shared/protocol/channel-base.ts';
import type { FnChannel } from '../shared/protocol/channel.ts';
import type { LogControl, LogEntries } from '../shared/protocol/messages.ts';
import type { PortSignal } from '../shared/protocol/port-signal.ts';
import { transferable } from '../shared/protocol/port-channel.ts';

const UNCONFIRMED_LIMIT = 1000;

export class RelayedLogChannel extends ChannelBase<LogEntries, LogControl> {
  private sent = 0;
  private unconfirmed: LogEntries[] = [];
  /** The bell's count when this channel was made: acknowledgements are counted from there. */
  private readonly base: number;

  constructor(
    private readonly port: FnChannel<Uint8Array, never>,
    private readonly received: PortSignal,
    private readonly encode: (entries: LogEntries) => Uint8Array,
  ) {
    super();
    this.base = received.rung;
    port.onClose((error) => this.markClosed(error));
  }

  send(message: LogEntries): void {
    if (this.closed) return;
    const encoded = this.encode(message);
    const own = transferable(encoded) === null ? new Uint8Array(encoded) : encoded;
    this.port.send(own, [own.buffer as ArrayBuffer]);
    this.sent++;
    this.unconfirmed.push(message);
    this.forgetReceived();
  }

  drainNow(timeoutMs: number): LogEntries[] {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rung = this.received.rung;
      if (this.acknowledged(rung) >= this.sent || this.received.closed) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      this.received.wait(rung, left);
    }
    this.forgetReceived();
    return [...this.unconfirmed];
  }

  close(): void {
    this.markClosed(null);
    this.port.close();
  }

  private forgetReceived(): void {
    const outstanding = Math.max(0, this.sent - this.acknowledged(this.received.rung));
    const keep = Math.min(outstanding, UNCONFIRMED_LIMIT);
    if (keep < this.unconfirmed.length) this.unconfirmed.splice(0, this.unconfirmed.length - keep);
  }

  /**
   * How many messages the host has acknowledged, given the bell's count `rung` (read first). The
   * relay's end rings once more without an acknowledgement (PortSignal.close); read after the
   * count, `closed` may discount that ring when it had not yet come, which errs on the side of
   * writing an entry twice rather than losing it.
   */
  private acknowledged(rung: number): number {
    return rung - this.base - (this.received.closed ? 1 : 0);
  }
}
