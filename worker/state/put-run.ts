import type { BatchEncoder } from '../../shared/codec/batch-encoder.ts';
import { GenericWriter } from '../../shared/codec/generic-writer.ts';
import { KeyColumn } from '../../shared/codec/key-column.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { MIN_PUT_BATCH_ROWS } from '../../shared/protocol/put-batch.ts';
import { compareBytes, NO_BYTES } from './bytes.ts';

const { StateOp } = sluice.fn.v1;
type Operation = sluice.fn.v1.IStateOperation;
type StateKey = sluice.fn.v1.IStateKey;

/** What a PUT of a run writes: its key's bytes and its value's encoding, each appended to a column. */
export interface PutSource {
  /** Appends the key's bytes (encoded, as the wire carries them). */
  writeKey(keys: GenericWriter): void;
  /** Appends the value, encoded; throws, appending nothing, if it cannot be encoded. */
  writeValue(values: GenericWriter): void;
}

/**
 * Consecutive value PUTs to one state, gathered in the wire's batch in the place of their
 * operations (shared/protocol/put-batch.ts). Each PUT's key and value are appended to two
 * columns of bytes as it joins, which the batch encoder then copies in one piece each: a
 * bundle's write-back is one PUT per key it changed, and a Uint8Array per key and per value,
 * each read back by the encoder, cost more than the writes themselves.
 */
export class PutRun {
  private readonly keys = new GenericWriter({ initialCapacity: 1024 });
  private readonly keyEnds: number[] = [0];
  private readonly values = new GenericWriter({ initialCapacity: 1024 });
  private readonly valueEnds: number[] = [0];
  private readonly times: number[] = [];

  constructor(
    private readonly first: StateKey,
    source: PutSource,
    time: number,
  ) {
    this.add(source, time);
  }

  /** Whether a PUT of `key` may join the run: the same state and namespace. */
  accepts(key: StateKey): boolean {
    const first = this.first;
    if (key === first) return true;
    return (
      key.stateName === first.stateName &&
      key.kind === first.kind &&
      (key.namespace === first.namespace || compareBytes(key.namespace ?? NO_BYTES, first.namespace ?? NO_BYTES) === 0)
    );
  }

  /** Appends what `source` holds now. A value that cannot be encoded throws, and nothing is added. */
  add(source: PutSource, time: number): void {
    source.writeValue(this.values);
    this.valueEnds.push(this.values.length);
    source.writeKey(this.keys);
    this.keyEnds.push(this.keys.length);
    this.times.push(time);
  }

  get length(): number {
    return this.times.length;
  }

  /** The run as operations: one PUT_BATCH, or plain PUTs when it is short. */
  operations(encoder: BatchEncoder): Operation[] {
    const { times } = this;
    const { stateName, kind, namespace } = this.first;
    const n = times.length;
    const keys = column(this.keys, this.keyEnds);
    const values = column(this.values, this.valueEnds);
    if (n < MIN_PUT_BATCH_ROWS) {
      const out = new Array<Operation>(n);
      for (let i = 0; i < n; i++) {
        out[i] = { key: { stateName, kind, key: keys.at(i)!.slice(), namespace }, op: StateOp.PUT, values: [values.at(i)!.slice()], time: times[i] };
      }
      return out;
    }
    const batch = encoder.encodeColumns(keys, times, values);
    return [{ key: { stateName, kind, namespace }, op: StateOp.PUT_BATCH, batch }];
  }
}

function column(writer: GenericWriter, ends: number[]): KeyColumn {
  const bytes = writer.bytes();
  return new KeyColumn(ends.length - 1, bytes.buffer, bytes.byteOffset, Int32Array.from(ends));
}
