/**
 * One parallel instance of a source: reads chunks and writes them downstream, respecting
 * backpressure. A checkpoint puts its barrier between two chunks, with the reader's position
 * at that point (what the reader still held goes out first), so the position and the barrier
 * describe the same point of the stream. A barrier does not wait for a slow source: it goes
 * out while the reader waits for data.
 */
import type { RowBatch } from '../../shared/codec/batch-layout.ts';
import { yieldToEventLoop } from '../../shared/event-loop.ts';
import type { SourcePosition } from '../checkpoint/completed-checkpoint.ts';
import type { RecordWriter } from './record-writer.ts';
import type { SourceReader } from './sources/source-reader.ts';
import { END } from './stream-element.ts';

interface BarrierRequest {
  checkpointId: number;
  done: (position: SourcePosition | null) => void;
}

export class SourceTask {
  private readonly barrierRequests: BarrierRequest[] = [];
  private wakeForBarrier: (() => void) | null = null;
  private finished = false;
  private ended = false;
  /** Records read. */
  emitted = 0;

  constructor(
    readonly reader: SourceReader,
    private readonly writers: RecordWriter[],
  ) {}

  /** True once the source has read its last record. */
  get isFinished(): boolean {
    return this.finished;
  }

  async run(): Promise<void> {
    let pending: Promise<RowBatch | null> | null = null;
    for (;;) {
      await this.injectBarriers();
      let chunk: RowBatch | null;
      if (pending === null) {
        const next = this.reader.next();
        if (!(next instanceof Promise)) {
          chunk = next;
        } else {
          pending = next;
          continue;
        }
      } else {
        // Wait for the data or for a barrier, whichever comes first.
        const arrived = await Promise.race([pending.then(() => true), this.barrierWanted().then(() => false)]);
        if (!arrived) continue;
        chunk = await pending;
        pending = null;
      }
      if (chunk === null) break;
      await this.emit(chunk);
      // A source that never has to wait (an async generator, a fast reader into fast consumers)
      // would keep the host in promise callbacks for ever: timers, I/O, cancellation would
      // never run. A turn of the event loop per chunk costs little (chunks are large under load).
      await yieldToEventLoop();
    }
    this.finished = true;
    // Barriers asked for by now still go out, with the end as their position.
    await this.injectBarriers();
    this.ended = true;
    for (const writer of this.writers) await writer.broadcast(END);
    for (const r of this.barrierRequests.splice(0)) r.done(null);
  }

  /**
   * Asks for a barrier; resolves with the source's position at it, or null when the source has
   * already ended its output (no barrier can follow it any more).
   */
  requestBarrier(checkpointId: number): Promise<SourcePosition | null> {
    if (this.ended) return Promise.resolve(null);
    return new Promise((done) => {
      this.barrierRequests.push({ checkpointId, done });
      const wake = this.wakeForBarrier;
      this.wakeForBarrier = null;
      wake?.();
    });
  }

  private barrierWanted(): Promise<void> {
    if (this.barrierRequests.length > 0) return Promise.resolve();
    return new Promise((resolve) => (this.wakeForBarrier = resolve));
  }

  private async emit(chunk: RowBatch): Promise<void> {
    this.emitted += chunk.length;
    for (const writer of this.writers) {
      const p = writer.emit(chunk);
      if (p !== undefined) await p;
    }
  }

  private async injectBarriers(): Promise<void> {
    while (this.barrierRequests.length > 0) {
      const { checkpointId, done } = this.barrierRequests.shift()!;
      const { chunks, position } = this.finished ? { chunks: [], position: null } : this.reader.checkpoint();
      for (const chunk of chunks) await this.emit(chunk);
      for (const writer of this.writers) await writer.broadcast({ kind: 'barrier', checkpointId });
      done({ done: this.finished, position });
    }
  }

  cancel(): void {
    this.reader.cancel();
    const wake = this.wakeForBarrier;
    this.wakeForBarrier = null;
    wake?.();
  }
}
