import { sluice } from '../../shared/generated/protocol.js';
import { CacheEntry, ENTRY_OVERHEAD_BYTES } from './state-cache.ts';
import type { StateId } from './state-id.ts';
import type { StateWire } from './state-wire.ts';
import type { TtlPolicy } from './ttl-policy.ts';

const { StateOp } = sluice.fn.v1;
const ELEMENT_OVERHEAD_BYTES = 16;

export const LIST_MISS: unique symbol = Symbol('list miss');

/**
 * The cached form of a list state under one key. Either `known` (elements is the whole list:
 * what the host holds plus pending writes) or partial (elements holds only what was appended
 * here since the list was last written back or read: the host's part is unknown).
 *
 * Invariants: elements[i] carries stamps[i]; the first `inexactCount` stamps are "observed"
 * (see ttl-policy.ts), the rest exact. When `replaced`, the host's list must be replaced by
 * `elements` (all exact); otherwise elements[sentCount..] are appends owed to the host.
 */
export class ListEntry extends CacheEntry {
  known = false;
  elements: Uint8Array[] = [];
  stamps: number[] = [];
  inexactCount = 0;
  replaced = false;
  sentCount = 0;
  /** When the list was last replaced: the time of a CLEAR. */
  replacedAt = 0;
  private contentBytes = 0;

  constructor(
    id: StateId,
    readonly stateKey: sluice.fn.v1.IStateKey,
    private readonly ttl: TtlPolicy,
  ) {
    super(id);
  }

  get bytes(): number {
    const elements = this.elements.length * ELEMENT_OVERHEAD_BYTES;
    return ENTRY_OVERHEAD_BYTES + this.idBytes + this.contentBytes + elements;
  }

  get dirty(): boolean {
    return this.replaced || this.sentCount < this.elements.length;
  }

  append(value: Uint8Array, now: number): void {
    this.elements.push(value);
    this.stamps.push(now);
    this.contentBytes += value.length;
  }

  replace(values: Uint8Array[], now: number): void {
    this.known = true;
    this.elements = values;
    this.stamps = values.map(() => now);
    this.inexactCount = 0;
    this.replaced = true;
    this.sentCount = 0;
    this.replacedAt = now;
    this.contentBytes = sumLengths(values);
  }

  /** Empties the entry before a read of the host; pending writes must be written back first. */
  forget(): void {
    this.known = false;
    this.setElements([], [], 0);
    this.sentCount = 0;
  }

  /** Installs what the host answered to a read made at `time`, followed by later appends. */
  install(loaded: Uint8Array[], time: number, exact: boolean): void {
    this.known = true;
    this.setElements(
      loaded.concat(this.elements),
      loaded.map(() => time).concat(this.stamps),
      exact ? 0 : loaded.length,
    );
    this.sentCount += loaded.length;
  }

  /** Drops from a partial entry the appends already sent: the host has them, nobody reads them here. */
  dropSent(): void {
    if (this.known || this.sentCount === 0) return;
    this.setElements(this.elements.slice(this.sentCount), this.stamps.slice(this.sentCount), 0);
    this.sentCount = 0;
  }

  /**
   * The whole list at `now` as the host would answer, or LIST_MISS when only the host can say.
   * Drops elements that are certainly expired; refreshes the rest when reads do (owing the host
   * a rewrite of the list).
   */
  readLocal(now: number): Uint8Array[] | typeof LIST_MISS {
    if (!this.known) return LIST_MISS;
    const ttl = this.ttl;
    if (!ttl.enabled) return this.elements;
    let expired = 0;
    for (let i = 0; i < this.elements.length; i++) {
      const freshness = ttl.check(this.stamps[i]!, i >= this.inexactCount, now);
      if (freshness === 'unknown') return LIST_MISS;
      if (freshness === 'absent') expired++;
    }
    if (expired > 0) this.dropExpired(now);
    if (ttl.refreshes() && this.elements.length > 0 && this.stamps.some((s) => s !== now)) {
      this.stamps = this.elements.map(() => now);
      this.inexactCount = 0;
      this.replaced = true;
      this.replacedAt = now;
    }
    return this.elements;
  }

  writeBack(wire: StateWire): void {
    if (this.replaced) {
      if (this.elements.length === 0) wire.push({ key: this.stateKey, op: StateOp.CLEAR, time: this.replacedAt }, 32);
      else this.pushGroups(wire, 0, StateOp.PUT);
    } else if (this.sentCount < this.elements.length) {
      this.pushGroups(wire, this.sentCount, StateOp.APPEND);
    }
    this.replaced = false;
    this.sentCount = this.elements.length;
    if (!this.known) this.dropSent();
  }

  /**
   * Sends elements[from..] in runs: the first with `firstOp`, the rest as APPEND. Under TTL a run
   * holds elements of one stamp (an operation has one time); without TTL, one run.
   */
  private pushGroups(wire: StateWire, from: number, firstOp: sluice.fn.v1.StateOp): void {
    let op = firstOp;
    let start = from;
    while (start < this.elements.length) {
      let end = this.elements.length;
      if (this.ttl.enabled) {
        end = start + 1;
        while (end < this.elements.length && this.stamps[end] === this.stamps[start]) end++;
      }
      const values = this.elements.slice(start, end);
      wire.push({ key: this.stateKey, op, values, time: this.stamps[end - 1]! }, 32 + sumLengths(values));
      op = StateOp.APPEND;
      start = end;
    }
  }

  private dropExpired(now: number): void {
    const elements: Uint8Array[] = [];
    const stamps: number[] = [];
    let inexact = 0;
    let sent = 0;
    for (let i = 0; i < this.elements.length; i++) {
      const exact = i >= this.inexactCount;
      if (this.ttl.check(this.stamps[i]!, exact, now) === 'absent') continue;
      elements.push(this.elements[i]!);
      stamps.push(this.stamps[i]!);
      if (!exact) inexact++;
      if (i < this.sentCount) sent++;
    }
    this.setElements(elements, stamps, inexact);
    this.sentCount = sent;
  }

  private setElements(elements: Uint8Array[], stamps: number[], inexactCount: number): void {
    this.elements = elements;
    this.stamps = stamps;
    this.inexactCount = inexactCount;
    this.contentBytes = sumLengths(elements);
  }
}

function sumLengths(values: Uint8Array[]): number {
  let n = 0;
  for (const v of values) n += v.length;
  return n;
}
