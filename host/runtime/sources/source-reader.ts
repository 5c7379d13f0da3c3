/**
 * Reads a source in chunks of rows. Every reader can say where it is (a position that is plain
 * data, stored in checkpoints) and start again from such a position after a restart.
 */
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';

export interface SourceReader {
  /** The next chunk, or null at the end. A promise when the data is not there yet. */
  next(): RowBatch | null | Promise<RowBatch | null>;
  /** Where the reader is: the rows returned so far are before this position. */
  position(): unknown;
  /** Stops a reader that is waiting or producing (job cancelled). */
  cancel(): void;
}

export function rows(values: unknown[], timestamps: (number | null)[] | null = null): RowBatch {
  return { length: values.length, values, keys: null, timestamps };
}
