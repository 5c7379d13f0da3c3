/** VALUE, REDUCING and AGGREGATING state: one opaque value per key and namespace (value-table.ts). */
import { recordKeySize } from './byte-keys.ts';
import type { KeptPlan, PlannedPuts } from './put-batches.ts';
import type { StateStore, StateTarget } from './state-store.ts';
import { emptyResult, valuesResult, type StateResult } from './state-results.ts';
import { freshness } from './state-ttl.ts';
import type { ValueTable } from './value-table.ts';

function removeValue(store: StateStore, t: StateTarget, table: ValueTable, entry: number): void {
  store.account(-1, -(recordKeySize(t.recordKey) + table.valueLength(entry)));
  table.remove(entry);
  store.dropTableIfEmpty(t.keyGroup, t.stateName);
}

/** GET: found and values = [value], or not found. */
export function getValue(store: StateStore, t: StateTarget, now: number): StateResult {
  const table = store.valueTable(t.keyGroup, t.stateName);
  const entry = table?.find(t.hash, t.key, 0, t.key.length, t.namespace) ?? -1;
  if (table === undefined || entry < 0) return emptyResult();
  switch (freshness(table.timestamp(entry), t.ttl, now)) {
    case 'fresh':
      if (t.ttl?.refreshOnRead) table.setTimestamp(entry, now);
      return valuesResult([table.copyValue(entry)]);
    case 'expired-returned': {
      const value = table.copyValue(entry);
      removeValue(store, t, table, entry);
      return valuesResult([value]);
    }
    case 'expired-hidden':
      removeValue(store, t, table, entry);
      return emptyResult();
  }
}

/** PUT: replaces the value with `value`. */
export function putValue(store: StateStore, t: StateTarget, value: Uint8Array, now: number): StateResult {
  const table = store.valueTableForWrite(t.keyGroup, t.stateName);
  const grown = table.put(t.hash, t.key, 0, t.key.length, t.namespace, value, 0, value.length, now);
  store.account(table.inserted ? 1 : 0, table.inserted ? recordKeySize(t.recordKey) + grown : grown);
  return emptyResult();
}

/**
 * PUT_BATCH: its rows' PUTs, in order; a row without a time of its own is at `hostNow`. Each
 * row is filed under the hash its key group was taken from, read where the request holds it.
 */
export function putValues(store: StateStore, stateName: string, puts: PlannedPuts, hostNow: number): void {
  const { times, namespace, plan } = puts;
  const { keyGroups, hashes, order, entries } = plan;
  const keys = puts.keys.data;
  const keyOffsets = puts.keys.offsets;
  const values = puts.values.data;
  const valueOffsets = puts.values.offsets;
  let added = 0;
  let bytes = 0;
  let table: ValueTable | null = null;
  let tableGroup = -1;
  // Whether this key group's rows know their entries (the plan's last application left them, and the table is as it left it).
  let known = false;
  for (let i = 0; i < puts.length; i++) {
    const r = order[i]!;
    const keyGroup = keyGroups[r]!;
    if (keyGroup !== tableGroup) {
      if (table !== null) keep(plan, tableGroup, table);
      table = store.valueTableForWrite(keyGroup, stateName);
      tableGroup = keyGroup;
      known = plan.tables[keyGroup] === table && plan.renumberings[keyGroup] === table.renumberings;
    }
    const time = times[r]!;
    const valueStart = valueOffsets[r]!;
    const valueEnd = valueOffsets[r + 1]!;
    if (known) {
      bytes += table!.putAt(entries[r]!, values, valueStart, valueEnd, time > 0 ? time : hostNow);
      continue;
    }
    const keyStart = keyOffsets[r]!;
    const keyEnd = keyOffsets[r + 1]!;
    bytes += table!.put(hashes[r]!, keys, keyStart, keyEnd, namespace, values, valueStart, valueEnd, time > 0 ? time : hostNow);
    entries[r] = table!.lastEntry;
    if (table!.inserted) {
      added++;
      bytes += keyEnd - keyStart + namespace.length;
    }
  }
  if (table !== null) keep(plan, tableGroup, table);
  store.account(added, bytes);
}

/** Records that the plan's entries of `keyGroup` are those of `table` as it is now. */
function keep(plan: KeptPlan, keyGroup: number, table: ValueTable): void {
  plan.tables[keyGroup] = table;
  plan.renumberings[keyGroup] = table.renumberings;
}

export function clearValue(store: StateStore, t: StateTarget): StateResult {
  const table = store.valueTable(t.keyGroup, t.stateName);
  const entry = table?.find(t.hash, t.key, 0, t.key.length, t.namespace) ?? -1;
  if (table !== undefined && entry >= 0) removeValue(store, t, table, entry);
  return emptyResult();
}
