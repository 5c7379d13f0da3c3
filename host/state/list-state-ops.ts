/** LIST state: an ordered list of opaque elements, each with its own TTL timestamp. */
import { copyBytes, recordKeySize } from './byte-keys.ts';
import type { ListRecord, StateStore, StateTarget } from './state-store.ts';
import { emptyResult, valuesResult, type StateResult } from './state-results.ts';
import { freshness } from './state-ttl.ts';

function sumLengths(values: Uint8Array[]): number {
  let n = 0;
  for (const v of values) n += v.length;
  return n;
}

function listOf(store: StateStore, t: StateTarget): ListRecord | undefined {
  return store.table<ListRecord>(t.keyGroup, t.stateName)?.get(t.recordKey);
}

function removeList(store: StateStore, t: StateTarget, record: ListRecord): void {
  store.deleteRecord(t);
  store.account(-record.values.length, -(recordKeySize(t.recordKey) + sumLengths(record.values)));
}

/** GET: every element, in order; found iff at least one is returned. */
export function getList(store: StateStore, t: StateTarget, now: number): StateResult {
  const record = listOf(store, t);
  if (record === undefined) return emptyResult();
  if (t.ttl === null) return valuesResult(record.values.slice());
  const out: Uint8Array[] = [];
  const keptValues: Uint8Array[] = [];
  const keptTs: number[] = [];
  let removedBytes = 0;
  for (let i = 0; i < record.values.length; i++) {
    const value = record.values[i]!;
    const f = freshness(record.ts[i]!, t.ttl, now);
    if (f === 'fresh') {
      out.push(value);
      keptValues.push(value);
      keptTs.push(t.ttl.refreshOnRead ? now : record.ts[i]!);
    } else {
      if (f === 'expired-returned') out.push(value);
      removedBytes += value.length;
    }
  }
  const removed = record.values.length - keptValues.length;
  if (keptValues.length === 0) {
    removeList(store, t, record);
  } else {
    record.values = keptValues;
    record.ts = keptTs;
    store.account(-removed, -removedBytes);
  }
  return valuesResult(out);
}

/** APPEND: adds `values` at the end. */
export function appendList(store: StateStore, t: StateTarget, values: Uint8Array[], now: number): StateResult {
  if (values.length === 0) return emptyResult();
  let record = listOf(store, t);
  let bytes = 0;
  if (record === undefined) {
    record = { values: [], ts: [] };
    store.setRecord(t, record);
    bytes += recordKeySize(t.recordKey);
  }
  for (const v of values) {
    const kept = copyBytes(v);
    record.values.push(kept);
    record.ts.push(now);
    bytes += kept.length;
  }
  store.account(values.length, bytes);
  return emptyResult();
}

/** PUT: replaces the list with `values`; no values clears it. */
export function putList(store: StateStore, t: StateTarget, values: Uint8Array[], now: number): StateResult {
  clearList(store, t);
  return appendList(store, t, values, now);
}

export function clearList(store: StateStore, t: StateTarget): StateResult {
  const record = listOf(store, t);
  if (record !== undefined) removeList(store, t, record);
  return emptyResult();
}
