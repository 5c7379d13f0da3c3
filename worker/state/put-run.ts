import type { BatchEncoder } from '../../shared/codec/batch-encoder.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { MIN_PUT_BATCH_ROWS } from '../../shared/protocol/put-batch.ts';

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

  /** Whether a PUT of `key` may join the run: the same state, in the default namespace. */
  accepts(key: StateKey): boolean {
    return key.stateName === this.first.stateName && key.kind === this.first.kind && (key.namespace?.length ?? 0) === 0;
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
    const { keys, values, times, first } = this;
    const n = keys.length;
    if (n < MIN_PUT_BATCH_ROWS) {
      const out = new Array<Operation>(n);
      for (let i = 0; i < n; i++) {
        out[i] = { key: { stateName: first.stateName, kind: first.kind, key: keys[i] }, op: StateOp.PUT, values: [values[i]!], time: times[i] };
      }
      return out;
    }
    const batch = encoder.encode({ length: n, keys, values, timestamps: times });
    return [{ key: { stateName: first.stateName, kind: first.kind }, op: StateOp.PUT_BATCH, batch }];
  }
}
