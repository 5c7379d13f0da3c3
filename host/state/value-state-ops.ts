/** VALUE, REDUCING and AGGREGATING state: one opaque value per key and namespace. */
import { copyBytes, recordKeySize } from './byte-keys.ts';
import type { StateStore, StateTarget, ValueRecord } from './state-store.ts';
import { emptyResult, valuesResult, type StateResult } from './state-results.ts';
import { freshness } from './state-ttl.ts';

function removeValue(store: StateStore, t: StateTarget, record: ValueRecord): void {
  store.deleteRecord(t);
  store.account(-1, -(recordKeySize(t.recordKey) + record.value.length));
}

/** GET: found and values = [value], or not found. */
export function getValue(store: StateStore, t: StateTarget, now: number): StateResult {
  const record = store.table<ValueRecord>(t.keyGroup, t.stateName)?.get(t.recordKey);
  if (record === undefined) return emptyResult();
  switch (freshness(record.ts, t.ttl, now)) {
    case 'fresh':
      if (t.ttl?.refreshOnRead) record.ts = now;
      return valuesResult([record.value]);
    case 'expired-returned':
      removeValue(store, t, record);
      return valuesResult([record.value]);
    case 'expired-hidden':
      removeValue(store, t, record);
      return emptyResult();
  }
}

/** PUT: replaces the value with `value`. */
export function putValue(store: StateStore, t: StateTarget, value: Uint8Array, now: number): StateResult {
  const table = store.table<ValueRecord>(t.keyGroup, t.stateName);
  const record = table?.get(t.recordKey);
  const kept = copyBytes(value);
  if (record === undefined) {
    store.setRecord(t, { value: kept, ts: now });
    store.account(1, recordKeySize(t.recordKey) + kept.length);
  } else {
    store.account(0, kept.length - record.value.length);
    record.value = kept;
    record.ts = now;
  }
  return emptyResult();
}

export function clearValue(store: StateStore, t: StateTarget): StateResult {
  const record = store.table<ValueRecord>(t.keyGroup, t.stateName)?.get(t.recordKey);
  if (record !== undefined) removeValue(store, t, record);
  return emptyResult();
}
