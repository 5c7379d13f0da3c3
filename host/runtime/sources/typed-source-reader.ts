/**
 * What a source with a declared type hands on, checked and shaped by that type where the host
 * emits it, exactly as a stage boundary would deliver it (BatchNormalizer: decode(encode(batch))
 * without the bytes): a FLOAT rounded to 32 bits, a value that does not fit refused. A worker
 * stage's input encoder would do the same, but a sink the source feeds directly (through union()
 * or rebalance() too) runs in the host and nothing would: the same values would be printed or
 * collected differently with a `map(x => x)` in between, and a value the type cannot carry would
 * reach the sink. Wrapping a source's reader here shapes what every consumer gets, so a source
 * feeding a worker stage and a sink delivers the same values to both and fails the same way.
 *
 *   reader.next() ─▶ chunk ─▶ normalize ─▶ SourceTask ─▶ writers (sinks, worker stages)
 *                               └─ does not fit: `refusal` (the source's own failure)
 */
import type { RowBatch } from '../../../shared/codec/batch-layout.ts';
import type { BatchNormalizer } from '../../../shared/codec/batch-normalizer.ts';
import { ValueEncodeError } from '../../../shared/codec/value-encode-error.ts';
import type { SourceReader } from './source-reader.ts';

export class TypedSourceReader implements SourceReader {
  constructor(
    private readonly reader: SourceReader,
    private readonly normalizer: BatchNormalizer,
    /** Makes a value the type refused the job's error. */
    private readonly refusal: (error: ValueEncodeError) => unknown,
  ) {}

  next(): RowBatch | null | Promise<RowBatch | null> {
    const next = this.reader.next();
    return next instanceof Promise ? next.then((chunk) => this.shape(chunk)) : this.shape(next);
  }

  checkpoint(): { chunks: RowBatch[]; position: unknown } {
    const { chunks, position } = this.reader.checkpoint();
    return { chunks: chunks.map((chunk) => this.shape(chunk)!), position };
  }

  cancel(): void {
    this.reader.cancel();
  }

  private shape(chunk: RowBatch | null): RowBatch | null {
    if (chunk === null) return null;
    try {
      return this.normalizer.normalize(chunk);
    } catch (error) {
      throw error instanceof ValueEncodeError ? this.refusal(error) : error;
    }
  }
}
