import { genericSizeEstimate } from '../../shared/codec/generic-copy.ts';
import type { GenericWriter } from '../../shared/codec/generic-writer.ts';
import { sluice } from '../../shared/generated/protocol.js';
import type { PutSource } from './put-run.ts';
import { CacheEntry, ENTRY_OVERHEAD_BYTES } from './state-cache.ts';
import type { StateId } from './state-id.ts';
import type { StateWire } from './state-wire.ts';
import type { StateValueCodec } from './worker-state-options.ts';

const { StateOp } = sluice.fn.v1;

export const NOT_DECODED: unique symbol = Symbol('not decoded');


/**
 * The cached form of a value, reducing or aggregating state under one key.
 *
 * Invariant: when `known`, `value` is what the host holds with this entry's pending write
 * applied (null: absent); `stamp`/`exact` say how fresh it is (see ttl-policy.ts). A write makes
 * the entry known whatever the host holds, so it cancels a read in flight (`loading`): that
 * read's answer is returned to its caller but not cached.
 *
 * A primitive written (a counter, a sum) is kept decoded and only encoded when its bytes are
 * needed (write-back, eviction): a value updated on every record is encoded once per bundle.
 * So is an object whose encoding's round trip is a plain copy (arrays and plain objects of
 * primitives and strings: shared/codec/generic-copy.ts), as a private copy made when it is
 * written; reads get copies of it, so neither later changes to the object written nor changes
 * to what a read returned leak into the state. Other objects are encoded when written.
 */
export class ValueEntry extends CacheEntry implements PutSource {
  known = false;
  /** `decoded` holds a value (a primitive, or a private copy of an object) that has not been encoded yet. */
  private unencoded = false;
  /**
   * `value` decoded, kept only when it is immutable (a primitive) or a private copy of an object
   * (genericCopy's) that no one else holds: a read hands out a copy of it, never it.
   */
  decoded: unknown = NOT_DECODED;
  /** A PUT (or CLEAR when value is null) of `value` at `stamp` is owed to the host. */
  pendingWrite = false;
  stamp = 0;
  private bytes_: Uint8Array | null = null;
  exact = true;
  /** A prefetch's read of this entry in flight: only that read may install its answer. */
  loading: Promise<Uint8Array | null> | null = null;

  /**
   * `state` names the state (its stateName, kind and namespace, no key): one object for every entry of the
   * state, which the write-back's runs compare (put-run.ts) without reading anything of the
   * entry's own.
   */
  constructor(
    id: StateId,
    private readonly state: sluice.fn.v1.IStateKey,
    private readonly codec: StateValueCodec,
  ) {
    super(id);
  }

  /** The wire key of this entry's state and key, for a read or a CLEAR (made when needed: they are rare). */
  get stateKey(): sluice.fn.v1.IStateKey {
    return { stateName: this.state.stateName, kind: this.state.kind, key: this.key, namespace: this.state.namespace };
  }

  /** The value's bytes (null: absent), encoding a primitive written since on first need. */
  get value(): Uint8Array | null {
    if (this.unencoded) {
      this.bytes_ = this.codec.encode(this.decoded);
      this.unencoded = false;
    }
    return this.bytes_;
  }

  set value(bytes: Uint8Array | null) {
    this.bytes_ = bytes;
    this.unencoded = false;
  }

  /** Whether a value is set (without encoding one that waits to be). */
  get present(): boolean {
    return this.unencoded || this.bytes_ !== null;
  }

  get bytes(): number {
    return ENTRY_OVERHEAD_BYTES + this.idBytes + (this.unencoded ? genericSizeEstimate(this.decoded) : (this.bytes_?.length ?? 0));
  }

  get dirty(): boolean {
    return this.pendingWrite;
  }

  /**
   * Writes a primitive (not null) over the unencoded value this entry holds, when nothing
   * else the cache keeps about the entry changes: it is on the cache's list of entries to write
   * back (the one written back at the last bundle's end stays there until a bundle leaves it
   * clean) and `value` counts as many bytes (a counter's next value). Returns false, writing
   * nothing, otherwise: writeDecoded it then.
   */
  rewritePrimitive(value: unknown, now: number): boolean {
    if (!this.unencoded || !this.listedDirty) return false;
    // Two numbers count the same; anything else is measured (a counter's update is the first case).
    if ((typeof value !== 'number' || typeof this.decoded !== 'number') && genericSizeEstimate(value) !== genericSizeEstimate(this.decoded)) return false;
    this.decoded = value;
    this.stamp = now;
    this.pendingWrite = true;
    return true;
  }

  /**
   * Writes a primitive (not null), or a private copy of an object (genericCopy's, which no one
   * else may hold): kept decoded, encoded when its bytes are needed.
   */
  writeDecoded(value: unknown, now: number): void {
    this.write(null, now);
    this.decoded = value;
    this.unencoded = true;
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

  /**
   * The PUT goes into the wire's run as this entry's key and value, appended to the run's
   * columns there and then (writeKey, writeValue). A primitive is encoded straight into the
   * value column and stays decoded here: kept, its bytes would live until the next bundle
   * rewrote them, long enough to reach the old generation, thousands a bundle, for the garbage
   * collector to find there.
   */
  writeBack(wire: StateWire): void {
    if (!this.pendingWrite) return;
    this.pendingWrite = false;
    if (!this.present) {
      wire.push({ key: this.stateKey, op: StateOp.CLEAR, time: this.stamp }, 32);
    } else {
      wire.put(this.state, this, this.stamp, 32 + (this.unencoded ? genericSizeEstimate(this.decoded) : this.bytes_!.length));
    }
  }

  writeValue(values: GenericWriter): void {
    if (this.unencoded) this.codec.encodeInto(this.decoded, values);
    else values.writeBytes(this.bytes_!);
  }
}
