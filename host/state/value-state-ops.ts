/** VALUE, REDUCING and AGGREGATING state: one opaque value per key and namespace. */
import { copyBytes, copyRange, recordKeySize, writeRange } from './byte-keys.ts';
import type { PlannedPuts } from './put-batches.ts';
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
      return valuesResult([copyBytes(record.value)]);
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
  put(store, t.keyGroup, t.stateName, t.recordKey, value, 0, value.length, now);
  return emptyResult();
}

/** PUT_BATCH: its rows' PUTs, in order; a row without a time of its own is at `hostNow`. */
export function putValues(store: StateStore, stateName: string, puts: PlannedPuts, hostNow: number): void {
  const { keyGroups, recordKeys, times } = puts;
  const { data, offsets } = puts.values;
  for (let r = 0; r < puts.length; r++) {
    const time = times[r]!;
    put(store, keyGroups[r]!, stateName, recordKeys[r]!, data, offsets[r]!, offsets[r + 1]!, time > 0 ? time : hostNow);
  }
}

/**
 * Stores bytes[start, end) as the value. A value the same size as the one stored is written
 * over it: a bundle's write-back rewrites every key it changed, and a new array per key and
 * bundle kept the old ones for the garbage collector to find in the old generation. GET
 * answers with a copy, so no one else holds a stored array.
 */
function put(store: StateStore, keyGroup: number, stateName: string, recordKey: string, bytes: Uint8Array, start: number, end: number, now: number): void {
  const record = store.table<ValueRecord>(keyGroup, stateName)?.get(recordKey);
  const length = end - start;
  if (record === undefined) {
    store.setRecordAt(keyGroup, stateName, recordKey, { value: copyRange(bytes, start, end), ts: now });
    store.account(1, recordKeySize(recordKey) + length);
  } else {
    if (record.value.length === length) {
      writeRange(record.value, bytes, start);
    } else {
      store.account(0, length - record.value.length);
      record.value = copyRange(bytes, start, end);
    }
    record.ts = now;
  }
}

export function clearValue(store: StateStore, t: StateTarget): StateResult {
  const record = store.table<ValueRecord>(t.keyGroup, t.stateName)?.get(t.recordKey);
  if (record !== undefined) removeValue(store, t, record);
  return emptyResult();
}
