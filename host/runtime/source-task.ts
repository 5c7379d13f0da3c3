/**
 * One parallel instance of a source: reads chunks and writes them downstream, respecting
 * backpressure. Checkpoints inject a barrier between two chunks, after recording the reader's
 * position, so the position and the barrier describe the same point of the stream.
 */
import type { RecordWriter } from './record-writer.ts';
import type { SourceReader } from './sources/source-reader.ts';
import { END } from './stream-element.ts';

export class SourceTask {
  private readonly barrierRequests: { checkpointId: number; done: (position: unknown) => void }[] = [];
  private finished = false;
  /** Records read. */
  emitted = 0;

  constructor(
    readonly reader: SourceReader,
    private readonly writers: RecordWriter[],
  ) {}

  get isFinished(): boolean {
    return this.finished;
  }

  async run(): Promise<void> {
    for (;;) {
      await this.injectBarriers();
      const next = this.reader.next();
      const chunk = next instanceof Promise ? await next : next;
      if (chunk === null) break;
      this.emitted += chunk.length;
      for (const writer of this.writers) {
        const p = writer.emit(chunk);
        if (p !== undefined) await p;
      }
    }
    this.finished = true;
    // A checkpoint requested now finds the source done: its position is its end.
    await this.injectBarriers();
    for (const writer of this.writers) await writer.broadcast(END);
  }

  /**
   * Asks for a barrier; resolves with the source's position at the barrier, or null when the
   * source has already finished (a finished source takes no part in later checkpoints).
   */
  requestBarrier(checkpointId: number): Promise<unknown> {
    if (this.finished) return Promise.resolve(null);
    return new Promise((done) => this.barrierRequests.push({ checkpointId, done }));
  }

  private async injectBarriers(): Promise<void> {
    while (this.barrierRequests.length > 0) {
      const { checkpointId, done } = this.barrierRequests.shift()!;
      const position = this.finished ? null : this.reader.position();
      for (const writer of this.writers) await writer.broadcast({ kind: 'barrier', checkpointId });
      done(position);
    }
  }

  cancel(): void {
    this.reader.cancel();
  }
}
