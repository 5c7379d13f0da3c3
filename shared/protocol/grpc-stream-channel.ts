/**
 * A channel over one gRPC bidirectional stream (process mode). Used by the host for server
 * calls and by the worker for client calls; both are Node duplex streams of messages.
 */
import { ChannelBase } from './channel-base.ts';

/** What the channel needs of a grpc-js call stream (client or server side). */
export interface MessageStream {
  on(event: string, listener: (...args: never[]) => void): unknown;
  write(message: unknown): boolean;
  end(): unknown;
  readonly writableEnded: boolean;
}

export class GrpcStreamChannel<Out, In> extends ChannelBase<Out, In> {
  constructor(private readonly stream: MessageStream) {
    super();
    stream.on('data', (message: In) => this.deliver(message));
    stream.on('end', () => {
      this.markClosed(null);
      // Half-close our side too, so the peer's stream ends cleanly.
      if (!stream.writableEnded) stream.end();
    });
    stream.on('error', (error: Error) => this.markClosed(error));
    stream.on('close', () => this.markClosed(null));
  }

  send(message: Out): void {
    if (this.closed || this.stream.writableEnded) return;
    // Writes are bounded by the protocol's own flow control (Data) or are small and few
    // (Control, State, Logging), so the stream's internal buffer is not waited on here.
    this.stream.write(message);
  }

  close(): void {
    if (!this.stream.writableEnded) this.stream.end();
    this.markClosed(null);
  }
}
