/**
 * A channel over a channel whose far end only moves messages between a MessagePort and gRPC:
 * process mode's State and Data streams, which the worker's stream relay thread carries
 * (worker/stream-relay.ts). Incoming messages arrive as the bytes gRPC received and are decoded
 * here, where the protocol's codecs are loaded (the relay loads none of them, to start fast).
 * Outgoing ones leave in the form the relay writes: State's encoded here (`encodedBytes`), Data's
 * as they are, their Arrow bytes moved, for the relay to encode (`asTheyAre`), so that copying a
 * batch into its message is done on the relay's core. Buffers cross the port moved, not copied.
 */
import { ChannelBase } from './channel-base.ts';
import type { BlockingReceiver, FnChannel } from './channel.ts';
import { transferable } from './port-channel.ts';

/** What goes onto the port for one message, and the buffers that move with it. */
export interface Outgoing<Wire> {
  wire: Wire;
  transfer: readonly ArrayBuffer[] | undefined;
}

/** An outgoing form: the message and the buffers its sender gave up, to what crosses the port. */
export type OutgoingForm<Out, Wire> = (message: Out, transfer: readonly ArrayBuffer[] | undefined) => Outgoing<Wire>;

/** Each message encoded here; the bytes move (an encoder's small outputs, views into a shared pool, are copied first). */
export function encodedBytes<Out>(encode: (message: Out) => Uint8Array): OutgoingForm<Out, Uint8Array> {
  return (message) => {
    const encoded = encode(message);
    const own = transferable(encoded) === null ? new Uint8Array(encoded) : encoded;
    return { wire: own, transfer: [own.buffer as ArrayBuffer] };
  };
}

/** Each message as it is, a structured clone with its sender's buffers moved. */
export function asTheyAre<Out>(): OutgoingForm<Out, Out> {
  return (message, transfer) => ({ wire: message, transfer });
}

export class EncodedChannel<Out, In, Wire = Uint8Array> extends ChannelBase<Out, In> {
  constructor(
    protected readonly port: FnChannel<Wire, Uint8Array>,
    private readonly outgoing: OutgoingForm<Out, Wire>,
    decode: (bytes: Uint8Array) => In,
  ) {
    super();
    port.onMessage((encoded) => {
      let message: In;
      try {
        message = decode(encoded);
      } catch (error) {
        // As over gRPC, where a message that cannot be decoded fails its stream.
        this.end(new Error(`a message could not be decoded: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
      this.deliver(message);
    });
    port.onClose((error) => this.markClosed(error));
  }

  send(message: Out, transfer?: readonly ArrayBuffer[]): void {
    if (this.closed) return;
    const { wire, transfer: moved } = this.outgoing(message, transfer);
    this.port.send(wire, moved);
  }

  close(): void {
    this.end(null);
  }

  private end(error: Error | null): void {
    this.markClosed(error);
    this.port.close();
  }
}

/** An encoded channel whose receiver may block for a message: State's (BlockingReceiver). */
export class BlockingEncodedChannel<Out, In> extends EncodedChannel<Out, In> implements BlockingReceiver {
  constructor(
    protected override readonly port: FnChannel<Uint8Array, Uint8Array> & BlockingReceiver,
    outgoing: OutgoingForm<Out, Uint8Array>,
    decode: (bytes: Uint8Array) => In,
  ) {
    super(port, outgoing, decode);
  }

  receiveNow(): boolean {
    if (this.closed) return false;
    return this.port.receiveNow();
  }
}
