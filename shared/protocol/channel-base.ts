import type { FnChannel } from './channel.ts';

/**
 * Handler bookkeeping shared by the channel implementations. Messages that arrive before a
 * handler is set are queued, so a side may attach its handler after the stream opened without
 * losing the first messages.
 */
export abstract class ChannelBase<Out, In> implements FnChannel<Out, In> {
  private handler: ((message: In) => void) | null = null;
  private early: In[] = [];
  private closeHandlers: ((error: Error | null) => void)[] = [];
  private closedWith: { error: Error | null } | null = null;

  abstract send(message: Out, transfer?: readonly ArrayBuffer[]): void;
  abstract close(): void;

  onMessage(handler: (message: In) => void): void {
    this.handler = handler;
    const early = this.early;
    this.early = [];
    for (const m of early) handler(m);
  }

  onClose(handler: (error: Error | null) => void): void {
    if (this.closedWith !== null) {
      const { error } = this.closedWith;
      queueMicrotask(() => handler(error));
      return;
    }
    this.closeHandlers.push(handler);
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  protected deliver(message: In): void {
    if (this.closedWith !== null) return;
    if (this.handler === null) this.early.push(message);
    else this.handler(message);
  }

  /** Marks the channel closed and tells the close handlers, once. */
  protected markClosed(error: Error | null): void {
    if (this.closedWith !== null) return;
    this.closedWith = { error };
    const handlers = this.closeHandlers;
    this.closeHandlers = [];
    for (const h of handlers) h(error);
  }
}
