/** Writes the snapshot format described in snapshot-format.ts. */
import { crc32 } from 'node:zlib';
import { sluice } from '../../shared/generated/protocol.js';
import type { KeyGroupRange } from './key-groups.ts';
import { ByteWriter } from './snapshot-bytes.ts';
import { SNAPSHOT_MAGIC, SNAPSHOT_VERSION } from './snapshot-format.ts';
import type { ListRecord, MapRecord, StateInfo, StateStore, StateTable } from './state-store.ts';
import { isExpired, type TtlPolicy } from './state-ttl.ts';
import { ValueTable } from './value-table.ts';

const Kind = sluice.fn.v1.StateKind;

function writeKeyAndNamespace(w: ByteWriter, recordKey: string): void {
  const keyEnd = 2 + recordKey.charCodeAt(0) * 0x10000 + recordKey.charCodeAt(1);
  w.latin1(recordKey, 2, keyEnd);
  w.latin1(recordKey, keyEnd);
}

/** Writes one list or map record unless TTL left nothing of it; true if written. */
function writeRecord(w: ByteWriter, recordKey: string, record: ListRecord | MapRecord, info: StateInfo, now: number): boolean {
  const ttl: TtlPolicy | null = info.ttl;
  const start = w.position;
  writeKeyAndNamespace(w, recordKey);
  let written = 0;
  if (info.kind === Kind.LIST) {
    const list = record as ListRecord;
    const countAt = w.position;
    w.u32(0);
    for (let i = 0; i < list.values.length; i++) {
      const ts = list.ts[i]!;
      if (isExpired(ts, ttl, now)) continue;
      w.f64(ts);
      w.bytes(list.values[i]!);
      written++;
    }
    w.patchU32(countAt, written);
  } else {
    const map = record as MapRecord;
    const countAt = w.position;
    w.u32(0);
    for (const [mapKey, entry] of map) {
      if (isExpired(entry.ts, ttl, now)) continue;
      w.latin1(mapKey);
      w.f64(entry.ts);
      w.bytes(entry.value);
      written++;
    }
    w.patchU32(countAt, written);
  }
  if (written === 0) w.truncate(start);
  return written > 0;
}

/** Writes a value-like state's values, in record-key order, but those TTL has expired; how many. */
function writeValues(w: ByteWriter, table: ValueTable, ttl: TtlPolicy | null, now: number): number {
  let count = 0;
  for (const [recordKey, entry] of table.sortedByRecordKey()) {
    const ts = table.timestamp(entry);
    if (isExpired(ts, ttl, now)) continue;
    writeKeyAndNamespace(w, recordKey);
    w.f64(ts);
    w.bytes(table.copyValue(entry));
    count++;
  }
  return count;
}

/** Writes a state's records in one key group; false (nothing written) if none survived TTL. */
function writeSection(w: ByteWriter, stateIndex: number, table: StateTable | ValueTable, info: StateInfo, now: number): boolean {
  const start = w.position;
  w.u32(stateIndex);
  const countAt = w.position;
  w.u32(0);
  let count = 0;
  if (table instanceof ValueTable) {
    count = writeValues(w, table, info.ttl, now);
  } else {
    for (const recordKey of [...table.keys()].sort()) {
      if (writeRecord(w, recordKey, table.get(recordKey)!, info, now)) count++;
    }
  }
  if (count === 0) {
    w.truncate(start);
    return false;
  }
  w.patchU32(countAt, count);
  return true;
}

export function writeSnapshot(store: StateStore, range: KeyGroupRange, now: number): Uint8Array {
  const w = new ByteWriter();
  w.raw(SNAPSHOT_MAGIC);
  w.u16(SNAPSHOT_VERSION);
  w.u32(store.maxParallelism);
  w.u32(range.start);
  w.u32(range.end);

  const stateNames = [...store.states.keys()].sort();
  w.u32(stateNames.length);
  for (const name of stateNames) {
    const info = store.states.get(name)!;
    w.string(name);
    w.u8(info.kind);
    w.f64(info.ttl?.ttlMs ?? 0);
    w.u8(info.ttl?.refreshOnRead ? 1 : 0);
    w.u8(info.ttl?.returnExpired ? 1 : 0);
  }
  const timerStateNames = [...store.timers.keys()].sort();
  w.u32(timerStateNames.length);
  for (const name of timerStateNames) w.string(name);

  const groupCountAt = w.position;
  w.u32(0);
  let groupCount = 0;
  for (let keyGroup = range.start; keyGroup <= range.end; keyGroup++) {
    const tables = store.keyGroupTables(keyGroup);
    const groupStart = w.position;
    w.u32(keyGroup);

    const sectionCountAt = w.position;
    w.u32(0);
    let sections = 0;
    if (tables !== undefined) {
      for (let i = 0; i < stateNames.length; i++) {
        const name = stateNames[i]!;
        const table = tables.get(name);
        if (table !== undefined && writeSection(w, i, table, store.states.get(name)!, now)) sections++;
      }
    }
    w.patchU32(sectionCountAt, sections);

    const timerSectionCountAt = w.position;
    w.u32(0);
    let timerSections = 0;
    for (let i = 0; i < timerStateNames.length; i++) {
      const queue = store.timerQueue(timerStateNames[i]!, keyGroup);
      if (queue === undefined || queue.size === 0) continue;
      w.u32(i);
      w.u32(queue.size);
      for (const timer of queue.ordered()) {
        writeKeyAndNamespace(w, timer.recordKey);
        w.f64(timer.timestamp);
        w.f64(timer.seq);
      }
      timerSections++;
    }
    w.patchU32(timerSectionCountAt, timerSections);

    if (sections === 0 && timerSections === 0) w.truncate(groupStart);
    else groupCount++;
  }
  w.patchU32(groupCountAt, groupCount);
  w.u32(crc32(w.written()));
  return w.finish();
}
