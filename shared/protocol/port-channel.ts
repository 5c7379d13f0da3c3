/**
 * A channel over a worker_threads MessagePort (thread mode). Messages cross as structured
 * clones; Arrow buffers listed in `transfer` move to the other thread instead of being copied.
 */
import type { MessagePort } from 'node:worker_threads';
import { ChannelBase } from './channel-base.ts';
import { SpinWait } from './spin-wait.ts';

export class PortChannel<Out, In> extends ChannelBase<Out, In> {
  protected readonly spin: SpinWait;

  /** `spinMs`: how long to keep polling for an answer after a send (spin-wait.ts); 0 never. */
  constructor(
    protected readonly port: MessagePort,
    spinMs = 0,
  ) {
    super();
    this.spin = new SpinWait(spinMs);
    port.on('message', (message: In) => {
      this.spin.received();
      this.deliver(message);
    });
    // 'close' fires when either end closes, including when the other thread dies.
    port.on('close', () => {
      this.spin.close();
      this.markClosed(null);
    });
  }

  send(message: Out, transfer?: readonly ArrayBuffer[]): void {
    if (this.closed) return;
    this.port.postMessage(message, transfer === undefined ? undefined : [...transfer]);
    this.spin.sent();
  }

  close(): void {
    this.port.close();
    this.spin.close();
    this.markClosed(null);
  }
}

/**
 * The buffer of `bytes`, if moving it to another thread is safe: it must be exactly the view's
 * own buffer. A view into a larger buffer (Node's Buffer pool, a message it was decoded from)
 * must be copied instead, or the rest of that buffer would vanish from under its owner.
 */
export function transferable(bytes: Uint8Array | null | undefined): ArrayBuffer | null {
  if (bytes === null || bytes === undefined) return null;
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer)) return null;
  if (bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return null;
  return buffer;
}
