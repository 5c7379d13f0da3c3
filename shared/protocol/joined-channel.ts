import { ChannelBase } from './channel-base.ts';
import type { FnChannel } from './channel.ts';

/**
 * One logical channel over two one-way streams: messages go out on `outgoing` and come in on
 * `incoming`. Process mode carries Data this way, each direction on an HTTP/2 connection of its
 * own (see worker/grpc-connection.ts). The channel closes when either stream does, and closing
 * it ends both. A message arriving on the outgoing stream breaks the protocol and closes the
 * channel with an error.
 */
export class JoinedChannel<Out, In> extends ChannelBase<Out, In> {
  constructor(
    private readonly outgoing: FnChannel<Out, unknown>,
    private readonly incoming: FnChannel<unknown, In>,
  ) {
    super();
    incoming.onMessage((message) => this.deliver(message));
    outgoing.onMessage(() => this.end(new Error('a message arrived on the stream that only sends')));
    const ended = (error: Error | null): void => this.end(error);
    outgoing.onClose(ended);
    incoming.onClose(ended);
  }

  send(message: Out, transfer?: readonly ArrayBuffer[]): void {
    this.outgoing.send(message, transfer);
  }

  close(): void {
    this.end(null);
  }

  private end(error: Error | null): void {
    this.markClosed(error);
    this.outgoing.close();
    this.incoming.close();
  }
}
