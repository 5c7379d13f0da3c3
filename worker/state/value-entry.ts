import { sluice } from '../../shared/generated/protocol.js';
import { CacheEntry, ENTRY_OVERHEAD_BYTES } from './state-cache.ts';
import type { StateWire } from './state-wire.ts';

const { StateOp } = sluice.fn.v1;

export const NOT_DECODED: unique symbol = Symbol('not decoded');

/** A read of a value-like state in flight. */
export interface ValueLoad {
  /** The clock when the read was made. */
  readonly time: number;
  readonly result: Promise<Uint8Array | null>;
}

/**
 * The cached form of a value, reducing or aggregating state under one key.
 *
 * Invariant: when `known`, `value` is what the host holds with this entry's pending write
 * applied (null: absent); `stamp`/`exact` say how fresh it is (see ttl-policy.ts). A write makes
 * the entry known whatever the host holds, so it cancels a read in flight (`loading`): that
 * read's answer is returned to its caller but not cached.
 */
export class ValueEntry extends CacheEntry {
  known = false;
  value: Uint8Array | null = null;
  stamp = 0;
  exact = true;
  /** A PUT (or CLEAR when value is null) of `value` at `stamp` is owed to the host. */
  pendingWrite = false;
  loading: ValueLoad | null = null;
  /** `value` decoded, kept only when the decoded value is immutable (a primitive). */
  decoded: unknown = NOT_DECODED;

  constructor(
    id: string,
    readonly stateKey: sluice.fn.v1.IStateKey,
  ) {
    super(id);
  }

  get bytes(): number {
    return ENTRY_OVERHEAD_BYTES + this.id.length * 2 + (this.value?.length ?? 0);
  }

  get dirty(): boolean {
    return this.pendingWrite;
  }

  write(value: Uint8Array | null, now: number): void {
    this.known = true;
    this.value = value;
    this.stamp = now;
    this.exact = true;
    this.pendingWrite = true;
    this.loading = null;
    this.decoded = NOT_DECODED;
  }

  /** Installs what the host answered to a read made at `time`. */
  install(value: Uint8Array | null, time: number, exact: boolean): void {
    this.known = true;
    this.value = value;
    this.stamp = time;
    this.exact = exact;
    this.decoded = NOT_DECODED;
  }

  /** Forgets the content (a read must ask the host); pending writes must be written back first. */
  forget(): void {
    this.known = false;
    this.value = null;
    this.decoded = NOT_DECODED;
  }

  writeBack(wire: StateWire): void {
    if (!this.pendingWrite) return;
    this.pendingWrite = false;
    if (this.value === null) {
      wire.push({ key: this.stateKey, op: StateOp.CLEAR, time: this.stamp }, 32);
    } else {
      const op = { key: this.stateKey, op: StateOp.PUT, values: [this.value], time: this.stamp };
      wire.push(op, 32 + this.value.length);
    }
  }
}
