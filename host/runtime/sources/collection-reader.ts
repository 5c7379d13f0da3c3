import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import { rows, type SourceReader } from './source-reader.ts';

/** fromCollection: the values in order; its position is an index. */
export class CollectionReader implements SourceReader {
  private index: number;

  constructor(
    private readonly values: readonly unknown[],
    private readonly chunk: number,
    position: unknown,
  ) {
    this.index = typeof position === 'number' ? position : 0;
  }

  next(): RowBatch | null {
    if (this.index >= this.values.length) return null;
    const end = Math.min(this.values.length, this.index + this.chunk);
    const values = this.values.slice(this.index, end);
    this.index = end;
    return rows(values);
  }

  checkpoint(): { chunks: RowBatch[]; position: number } {
    return { chunks: [], position: this.index };
  }

  cancel(): void {
    this.index = this.values.length;
  }
}
