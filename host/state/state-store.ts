/**
 * Where keyed state lives: key group -> state name -> table, so that a snapshot of a key-group
 * range touches only that range. A list or map state's table maps record keys to records; a
 * value-like state's is a ValueTable (value-table.ts: typed arrays, no object per value, since
 * every bundle's write-back rewrites thousands of them). Timers live beside it, per timer
 * state and key group, in heaps (timer-queue.ts).
 *
 * Invariants:
 * - no empty table, list record or map record is kept: removing the last value removes the
 *   container, so "absent" has one representation and snapshots are canonical;
 * - every byte array kept is a private copy (see copyBytes);
 * - `entries` counts stored values (a value state's value, a list element, a map entry, a
 *   timer) and `bytes` their payload: key + namespace once per record, plus each value
 *   and map key, plus 8 per timer. Only the record operations below change them.
 */
import type { sluice } from '../../shared/generated/protocol.js';
import type { TtlPolicy } from './state-ttl.ts';
import { TimerQueue } from './timer-queue.ts';
import { ValueTable } from './value-table.ts';

export type StateKind = sluice.fn.v1.StateKind;

export interface StateInfo {
  kind: StateKind;
  ttl: TtlPolicy | null;
}

/** A value-like state's record as a snapshot reads it (the store keeps it in a ValueTable). */
export interface ValueRecord {
  value: Uint8Array;
  /** Last access, ms. */
  ts: number;
}

/** Elements and their timestamps, side by side. */
export interface ListRecord {
  values: Uint8Array[];
  ts: number[];
}

export interface MapEntry {
  value: Uint8Array;
  ts: number;
}

/** Map key (latin1) -> entry, in insertion order. */
export type MapRecord = Map<string, MapEntry>;

export type StateRecord = ValueRecord | ListRecord | MapRecord;

/** Record key -> record: list and map states (value-like states keep a ValueTable). */
export type StateTable<R extends ListRecord | MapRecord = ListRecord | MapRecord> = Map<string, R>;

/** Where one operation lands. */
export interface StateTarget {
  keyGroup: number;
  stateName: string;
  recordKey: string;
  /** The record key's parts as bytes (the request's own), and their ValueTable hash (entryHash). */
  key: Uint8Array;
  namespace: Uint8Array;
  hash: number;
  ttl: TtlPolicy | null;
}

/** What a list or map record is stored under. */
export type RecordPlace = Pick<StateTarget, 'keyGroup' | 'stateName' | 'recordKey'>;

export class StateStore {
  /** Every state ever used or declared, by name. */
  readonly states = new Map<string, StateInfo>();
  /** Timer state name -> key group -> queue; queues are dropped when empty. */
  readonly timers = new Map<string, Map<number, TimerQueue>>();
  entries = 0;
  bytes = 0;
  /** The next timer registration's sequence number. */
  timerSeq = 0;
  private readonly groups: (Map<string, StateTable | ValueTable> | undefined)[];

  constructor(readonly maxParallelism: number) {
    this.groups = new Array<Map<string, StateTable | ValueTable> | undefined>(maxParallelism).fill(undefined);
  }

  /** The tables of one key group, by state name; undefined if it holds no state. */
  keyGroupTables(keyGroup: number): ReadonlyMap<string, StateTable | ValueTable> | undefined {
    return this.groups[keyGroup];
  }

  /** A list or map state's table. */
  table<R extends ListRecord | MapRecord>(keyGroup: number, stateName: string): StateTable<R> | undefined {
    return this.groups[keyGroup]?.get(stateName) as StateTable<R> | undefined;
  }

  /** A value-like state's table. */
  valueTable(keyGroup: number, stateName: string): ValueTable | undefined {
    return this.groups[keyGroup]?.get(stateName) as ValueTable | undefined;
  }

  valueTableForWrite(keyGroup: number, stateName: string): ValueTable {
    const group = this.group(keyGroup);
    let table = group.get(stateName) as ValueTable | undefined;
    if (table === undefined) {
      table = new ValueTable();
      group.set(stateName, table);
    }
    return table;
  }

  /** Stores a list or map record (new or replacing); the caller accounts for its contents. */
  setRecord(t: RecordPlace, record: ListRecord | MapRecord): void {
    const group = this.group(t.keyGroup);
    let table = group.get(t.stateName) as StateTable | undefined;
    if (table === undefined) {
      table = new Map();
      group.set(t.stateName, table);
    }
    table.set(t.recordKey, record);
  }

  /** Removes a list or map record and any table left empty; the caller accounts for its contents. */
  deleteRecord(t: StateTarget): void {
    const table = this.table(t.keyGroup, t.stateName);
    if (table !== undefined && table.delete(t.recordKey)) this.dropTableIfEmpty(t.keyGroup, t.stateName);
  }

  /** Drops a table that holds nothing, and its key group's map if that is left empty. */
  dropTableIfEmpty(keyGroup: number, stateName: string): void {
    const group = this.groups[keyGroup];
    if (group === undefined || group.get(stateName)?.size !== 0) return;
    group.delete(stateName);
    if (group.size === 0) this.groups[keyGroup] = undefined;
  }

  private group(keyGroup: number): Map<string, StateTable | ValueTable> {
    let group = this.groups[keyGroup];
    if (group === undefined) {
      group = new Map();
      this.groups[keyGroup] = group;
    }
    return group;
  }

  account(entries: number, bytes: number): void {
    this.entries += entries;
    this.bytes += bytes;
  }

  timerQueue(timerState: string, keyGroup: number): TimerQueue | undefined {
    return this.timers.get(timerState)?.get(keyGroup);
  }

  timerQueueForWrite(timerState: string, keyGroup: number): TimerQueue {
    let byGroup = this.timers.get(timerState);
    if (byGroup === undefined) {
      byGroup = new Map();
      this.timers.set(timerState, byGroup);
    }
    let queue = byGroup.get(keyGroup);
    if (queue === undefined) {
      queue = new TimerQueue();
      byGroup.set(keyGroup, queue);
    }
    return queue;
  }

  dropTimerQueueIfEmpty(timerState: string, keyGroup: number): void {
    const byGroup = this.timers.get(timerState);
    if (byGroup?.get(keyGroup)?.size !== 0) return;
    byGroup.delete(keyGroup);
    if (byGroup.size === 0) this.timers.delete(timerState);
  }
}
