/**
 * Reads a source in chunks of rows. Every reader can say where it is (a position that is plain
 * data, stored in checkpoints) and start again from such a position after a restart.
 */
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';

export interface SourceReader {
  /** The next chunk, or null at the end. A promise when the data is not there yet. */
  next(): RowBatch | null | Promise<RowBatch | null>;
  /**
   * Called at a checkpoint barrier, between chunks (a next() may be pending): the rows the
   * reader holds that must go out before the barrier, and its position after them, plain data.
   * Restarting from that position reads exactly what comes after those rows.
   */
  checkpoint(): { chunks: RowBatch[]; position: unknown };
  /** Stops a reader that is waiting or producing (job cancelled). */
  cancel(): void;
}

/** A source restored at its end: it reads nothing. */
export class FinishedReader implements SourceReader {
  next(): null {
    return null;
  }
  checkpoint(): { chunks: RowBatch[]; position: unknown } {
    return { chunks: [], position: null };
  }
  cancel(): void {}
}

export function rows(values: unknown[], timestamps: (number | null)[] | null = null): RowBatch {
  return { length: values.length, values, keys: null, timestamps };
}
