import type { BatchEncoder } from '../../shared/codec/batch-encoder.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { MIN_PUT_BATCH_ROWS } from '../../shared/protocol/put-batch.ts';
import { compareBytes, NO_BYTES } from './bytes.ts';

const { StateOp } = sluice.fn.v1;
type Operation = sluice.fn.v1.IStateOperation;
type StateKey = sluice.fn.v1.IStateKey;

/**
 * Consecutive value PUTs to one state, gathered in the wire's batch in the place of their
 * operations (shared/protocol/put-batch.ts). The keys and values are the entries' own, which
 * they replace rather than change, so they are kept, not copied.
 */
export class PutRun {
  private readonly keys: Uint8Array[] = [];
  private readonly values: Uint8Array[] = [];
  private readonly times: number[] = [];
  private readonly first: StateKey;

  constructor(key: StateKey, value: Uint8Array, time: number) {
    this.first = key;
    this.add(key, value, time);
  }

  /** Whether a PUT of `key` may join the run: the same state and namespace. */
  accepts(key: StateKey): boolean {
    const first = this.first;
    return (
      key.stateName === first.stateName &&
      key.kind === first.kind &&
      (key.namespace === first.namespace || compareBytes(key.namespace ?? NO_BYTES, first.namespace ?? NO_BYTES) === 0)
    );
  }

  add(key: StateKey, value: Uint8Array, time: number): void {
    this.keys.push(key.key!);
    this.values.push(value);
    this.times.push(time);
  }

  get length(): number {
    return this.keys.length;
  }

  /** The run as operations: one PUT_BATCH, or plain PUTs when it is short. */
  operations(encoder: BatchEncoder): Operation[] {
    const { keys, values, times } = this;
    const { stateName, kind, namespace } = this.first;
    const n = keys.length;
    if (n < MIN_PUT_BATCH_ROWS) {
      const out = new Array<Operation>(n);
      for (let i = 0; i < n; i++) {
        out[i] = { key: { stateName, kind, key: keys[i], namespace }, op: StateOp.PUT, values: [values[i]!], time: times[i] };
      }
      return out;
    }
    const batch = encoder.encode({ length: n, keys, values, timestamps: times });
    return [{ key: { stateName, kind, namespace }, op: StateOp.PUT_BATCH, batch }];
  }
}
