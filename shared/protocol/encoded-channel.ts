/**
 * A channel of messages over a channel of their encoded bytes, for a stream whose far end only
 * moves bytes: process mode's State stream, which the worker's state relay thread carries between
 * a MessagePort and gRPC (worker/state-relay.ts). Encoding stays with the side that has the
 * codecs loaded, so the relay thread loads none. Bytes cross the port moved, not copied.
 */
import { ChannelBase } from './channel-base.ts';
import type { BlockingReceiver, FnChannel } from './channel.ts';
import { transferable } from './port-channel.ts';

export class EncodedChannel<Out, In> extends ChannelBase<Out, In> implements BlockingReceiver {
  constructor(
    private readonly bytes: FnChannel<Uint8Array, Uint8Array> & BlockingReceiver,
    private readonly encode: (message: Out) => Uint8Array,
    decode: (bytes: Uint8Array) => In,
  ) {
    super();
    bytes.onMessage((encoded) => {
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
    bytes.onClose((error) => this.markClosed(error));
  }

  send(message: Out): void {
    if (this.closed) return;
    const encoded = this.encode(message);
    // An encoder's small outputs are views into a shared pool: those are copied into their own.
    const own = transferable(encoded) === null ? new Uint8Array(encoded) : encoded;
    this.bytes.send(own, [own.buffer as ArrayBuffer]);
  }

  receiveNow(): boolean {
    if (this.closed) return false;
    return this.bytes.receiveNow();
  }

  close(): void {
    this.end(null);
  }

  private end(error: Error | null): void {
    this.markClosed(error);
    this.bytes.close();
  }
}
