/** MAP state: opaque map keys to opaque values, per key and namespace; iterated in map-key byte order. */
import { copyBytes, fromLatin1, recordKeySize } from './byte-keys.ts';
import { encodeToken, type MapIteration, type MapIterations } from './map-iterations.ts';
import type { MapEntry, MapRecord, StateStore, StateTarget } from './state-store.ts';
import { emptyResult, foundResult, NO_CONTINUATION, valuesResult, type StateResult } from './state-results.ts';
import { freshness, isExpired } from './state-ttl.ts';

function mapOf(store: StateStore, t: StateTarget): MapRecord | undefined {
  return store.table<MapRecord>(t.keyGroup, t.stateName)?.get(t.recordKey);
}

function removeEntry(store: StateStore, t: StateTarget, record: MapRecord, mapKey: string, entry: MapEntry): void {
  record.delete(mapKey);
  let bytes = mapKey.length + entry.value.length;
  if (record.size === 0) {
    store.deleteRecord(t);
    bytes += recordKeySize(t.recordKey);
  }
  store.account(-1, -bytes);
}

/** The entry's value as a read sees it (TTL applied: may remove it); undefined if absent. */
function readEntry(
  store: StateStore,
  t: StateTarget,
  record: MapRecord,
  mapKey: string,
  entry: MapEntry,
  now: number,
): Uint8Array | undefined {
  switch (freshness(entry.ts, t.ttl, now)) {
    case 'fresh':
      if (t.ttl?.refreshOnRead) entry.ts = now;
      return entry.value;
    case 'expired-returned':
      removeEntry(store, t, record, mapKey, entry);
      return entry.value;
    case 'expired-hidden':
      removeEntry(store, t, record, mapKey, entry);
      return undefined;
  }
}

/** MAP_GET: found and values = [value], or not found. */
export function getMapEntry(store: StateStore, t: StateTarget, mapKey: string, now: number): StateResult {
  const record = mapOf(store, t);
  const entry = record?.get(mapKey);
  if (record === undefined || entry === undefined) return emptyResult();
  const value = readEntry(store, t, record, mapKey, entry, now);
  return value === undefined ? emptyResult() : valuesResult([value]);
}

/** PUT: sets map_key to `value`. A new key goes last in iteration order; a replaced one keeps its place. */
export function putMapEntry(store: StateStore, t: StateTarget, mapKey: string, value: Uint8Array, now: number): StateResult {
  const kept = copyBytes(value);
  let record = mapOf(store, t);
  if (record === undefined) {
    record = new Map();
    store.setRecord(t, record);
    store.account(0, recordKeySize(t.recordKey));
  }
  const entry = record.get(mapKey);
  if (entry === undefined) {
    record.set(mapKey, { value: kept, ts: now });
    store.account(1, mapKey.length + kept.length);
  } else {
    store.account(0, kept.length - entry.value.length);
    entry.value = kept;
    entry.ts = now;
  }
  return emptyResult();
}

/** REMOVE: found iff an entry was stored under map_key (expired or not). */
export function removeMapEntry(store: StateStore, t: StateTarget, mapKey: string): StateResult {
  const record = mapOf(store, t);
  const entry = record?.get(mapKey);
  if (record === undefined || entry === undefined) return foundResult(false);
  removeEntry(store, t, record, mapKey, entry);
  return foundResult(true);
}

/**
 * MAP_IS_EMPTY: found iff the map has an entry a read could return, that is, despite the
 * op's name, found = NOT empty. It reads no value, so it neither refreshes timestamps nor
 * consumes an expired entry that ReturnExpiredIfNotCleanedUp would still return; under
 * NeverReturnExpired it removes the expired entries it passes.
 */
export function mapHasEntries(store: StateStore, t: StateTarget, now: number): StateResult {
  const record = mapOf(store, t);
  if (record === undefined) return foundResult(false);
  if (t.ttl === null || t.ttl.returnExpired) return foundResult(true);
  for (const [mapKey, entry] of record) {
    if (!isExpired(entry.ts, t.ttl, now)) return foundResult(true);
    removeEntry(store, t, record, mapKey, entry);
  }
  return foundResult(false);
}

export function clearMap(store: StateStore, t: StateTarget): StateResult {
  const record = mapOf(store, t);
  if (record === undefined) return emptyResult();
  let bytes = recordKeySize(t.recordKey);
  for (const [mapKey, entry] of record) bytes += mapKey.length + entry.value.length;
  store.deleteRecord(t);
  store.account(-record.size, -bytes);
  return emptyResult();
}

/**
 * Opens an iteration over the map as it is now and returns its first page. Entries come in
 * ascending order of their map-key bytes (map keys are latin1 strings of those bytes, so the
 * default sort is byte order): the worker's cache, which cannot know insertion order once
 * writes are merged, serves a map it holds whole in the same order, so iteration order does
 * not depend on the cache.
 */
export function startMapIteration(
  store: StateStore,
  iterations: MapIterations,
  instructionId: string,
  t: StateTarget,
  pageSize: number,
  now: number,
): StateResult {
  const record = mapOf(store, t);
  if (record === undefined) return emptyResult();
  const iteration = iterations.start(instructionId, t, [...record.keys()].sort());
  return mapIterationPage(store, iterations, iteration, t, 0, pageSize, now);
}

/**
 * MAP_ITERATE: up to `pageSize` entries from `position` on, map keys and values side by side,
 * found iff the page is not empty, and the token of the next page, or empty bytes when the
 * iteration is done (the iteration is then freed). Entries are read as MAP_GET reads them.
 */
export function mapIterationPage(
  store: StateStore,
  iterations: MapIterations,
  iteration: MapIteration,
  t: StateTarget,
  position: number,
  pageSize: number,
  now: number,
): StateResult {
  const record = mapOf(store, t);
  const mapKeys: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  const keys = iteration.keys;
  let next = position;
  while (next < keys.length && values.length < pageSize) {
    const mapKey = keys[next++]!;
    const entry = record?.get(mapKey);
    if (record === undefined || entry === undefined) continue;
    const value = readEntry(store, t, record, mapKey, entry, now);
    if (value === undefined) continue;
    mapKeys.push(fromLatin1(mapKey));
    values.push(value);
  }
  let continuation: Uint8Array;
  if (next < keys.length) {
    continuation = encodeToken({ id: iteration.id, position: next });
  } else {
    iterations.release(iteration.id);
    continuation = NO_CONTINUATION;
  }
  return { found: values.length > 0, values, mapKeys, continuation };
}
