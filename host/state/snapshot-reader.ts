/**
 * Reads snapshots (format: snapshot-format.ts) into a fresh StateStore. Nothing is shared with
 * the store being replaced, so a refused snapshot leaves the backend as it was.
 */
import { crc32 } from 'node:zlib';
import { CheckpointError } from '../../shared/errors/errors.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { recordKeyOfStrings, recordKeySize } from './byte-keys.ts';
import { formatRange, inRange, type KeyGroupRange } from './key-groups.ts';
import { ByteReader } from './snapshot-bytes.ts';
import { MIN_SNAPSHOT_LENGTH, SNAPSHOT_MAGIC, SNAPSHOT_VERSION } from './snapshot-format.ts';
import type { ListRecord, MapRecord, StateInfo, StateRecord, StateStore, ValueRecord } from './state-store.ts';
import type { TtlPolicy } from './state-ttl.ts';
import { parseTimerStateName } from './timers.ts';

const Kind = sluice.fn.v1.StateKind;
const STORED_KINDS: ReadonlySet<number> = new Set([Kind.VALUE, Kind.LIST, Kind.MAP, Kind.REDUCING, Kind.AGGREGATING]);

function corrupt(what: string): CheckpointError {
  return new CheckpointError(`snapshot is corrupt: ${what}`);
}

/** Checks magic, version and checksum; returns a reader over the body (without the checksum). */
function openSnapshot(bytes: Uint8Array, index: number): ByteReader {
  const which = `snapshot ${index}`;
  if (bytes.length < MIN_SNAPSHOT_LENGTH) {
    throw new CheckpointError(`${which} is truncated: ${bytes.length} bytes, a snapshot has at least ${MIN_SNAPSHOT_LENGTH}`);
  }
  for (let i = 0; i < SNAPSHOT_MAGIC.length; i++) {
    if (bytes[i] !== SNAPSHOT_MAGIC[i]) throw new CheckpointError(`${which} is not a Sluice keyed-state snapshot (bad magic)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4);
  if (version !== SNAPSHOT_VERSION) {
    throw new CheckpointError(`${which} has format version ${version}; this build reads version ${SNAPSHOT_VERSION}`);
  }
  const bodyLength = bytes.length - 4;
  const expected = view.getUint32(bodyLength);
  const actual = crc32(bytes.subarray(0, bodyLength));
  if (expected !== actual) {
    throw new CheckpointError(`${which} is corrupt or truncated: checksum ${actual} does not match the recorded ${expected}`);
  }
  const reader = new ByteReader(bytes, bodyLength);
  reader.raw(SNAPSHOT_MAGIC.length + 2, 'header');
  return reader;
}

function readTtl(r: ByteReader, name: string): TtlPolicy | null {
  const ttlMs = r.f64('ttl');
  const updateType = r.u8('ttl update type');
  const visibility = r.u8('ttl visibility');
  if (!(ttlMs >= 0) || !Number.isFinite(ttlMs) || updateType > 1 || visibility > 1) {
    throw corrupt(`state '${name}' has an invalid TTL`);
  }
  return ttlMs === 0 ? null : { ttlMs, refreshOnRead: updateType === 1, returnExpired: visibility === 1 };
}

function sameTtl(a: TtlPolicy | null, b: TtlPolicy | null): boolean {
  if (a === null || b === null) return a === b;
  return a.ttlMs === b.ttlMs && a.refreshOnRead === b.refreshOnRead && a.returnExpired === b.returnExpired;
}

function readRecord(r: ByteReader, info: StateInfo): { record: StateRecord; entries: number; bytes: number } {
  if (info.kind === Kind.LIST) {
    const count = r.u32('list length');
    const list: ListRecord = { values: [], ts: [] };
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      list.ts.push(r.f64('list element timestamp'));
      const value = r.bytes('list element');
      list.values.push(value);
      bytes += value.length;
    }
    return { record: list, entries: count, bytes };
  }
  if (info.kind === Kind.MAP) {
    const count = r.u32('map size');
    const map: MapRecord = new Map();
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const mapKey = r.latin1('map key');
      const ts = r.f64('map entry timestamp');
      const value = r.bytes('map value');
      if (map.has(mapKey)) throw corrupt('a map holds the same key twice');
      map.set(mapKey, { value, ts });
      bytes += mapKey.length + value.length;
    }
    return { record: map, entries: count, bytes };
  }
  const ts = r.f64('value timestamp');
  const value = r.bytes('value');
  return { record: { value, ts }, entries: 1, bytes: value.length };
}

/**
 * Adds one snapshot's content to `store`. Key groups outside `keep` are read (to check the
 * bytes) but dropped; a key group kept from an earlier snapshot is refused.
 */
function readInto(store: StateStore, bytes: Uint8Array, index: number, keep: KeyGroupRange, restored: Set<number>): void {
  const r = openSnapshot(bytes, index);
  const maxParallelism = r.u32('max parallelism');
  if (maxParallelism !== store.maxParallelism) {
    throw new CheckpointError(
      `snapshot ${index} was taken with max parallelism ${maxParallelism}, this backend has ${store.maxParallelism}: ` +
        'key groups cannot be remapped to a different max parallelism',
    );
  }
  const range = { start: r.u32('range start'), end: r.u32('range end') };
  if (range.start > range.end || range.end >= maxParallelism) throw corrupt(`invalid key-group range ${formatRange(range)}`);

  const stateNames: string[] = [];
  const stateCount = r.u32('state count');
  for (let i = 0; i < stateCount; i++) {
    const name = r.string('state name');
    const kind = r.u8('state kind');
    if (!STORED_KINDS.has(kind)) throw corrupt(`state '${name}' has unknown kind ${kind}`);
    const info: StateInfo = { kind, ttl: readTtl(r, name) };
    const known = store.states.get(name);
    if (known === undefined) store.states.set(name, info);
    else if (known.kind !== info.kind || !sameTtl(known.ttl, info.ttl)) {
      throw new CheckpointError(`snapshots disagree on state '${name}': its kind or TTL differs between them`);
    }
    stateNames.push(name);
  }
  const timerStateNames: string[] = [];
  const timerStateCount = r.u32('timer state count');
  for (let i = 0; i < timerStateCount; i++) {
    const name = r.string('timer state name');
    if (parseTimerStateName(name) === null) throw corrupt(`'${name}' is not a timer state name`);
    timerStateNames.push(name);
  }

  const groupCount = r.u32('key group count');
  let previousGroup = -1;
  for (let g = 0; g < groupCount; g++) {
    const keyGroup = r.u32('key group');
    if (keyGroup <= previousGroup || !inRange(keyGroup, range)) {
      throw corrupt(`key group ${keyGroup} is out of order or outside the snapshot's range ${formatRange(range)}`);
    }
    previousGroup = keyGroup;
    const kept = inRange(keyGroup, keep);
    if (kept) {
      if (restored.has(keyGroup)) throw new CheckpointError(`key group ${keyGroup} is in more than one snapshot`);
      restored.add(keyGroup);
    }
    readStateSections(r, store, keyGroup, kept, stateNames);
    readTimerSections(r, store, keyGroup, kept, timerStateNames);
  }
  if (r.remaining !== 0) throw corrupt(`${r.remaining} unexpected bytes after the last key group`);
}

function readStateSections(r: ByteReader, store: StateStore, keyGroup: number, kept: boolean, stateNames: string[]): void {
  const sectionCount = r.u32('section count');
  let previousState = -1;
  for (let s = 0; s < sectionCount; s++) {
    const stateIndex = r.u32('state index');
    const stateName = stateNames[stateIndex];
    if (stateName === undefined || stateIndex <= previousState) throw corrupt(`bad state index ${stateIndex} in key group ${keyGroup}`);
    previousState = stateIndex;
    const info = store.states.get(stateName)!;
    const recordCount = r.u32('record count');
    for (let i = 0; i < recordCount; i++) {
      const recordKey = recordKeyOfStrings(r.latin1('key'), r.latin1('namespace'));
      const { record, entries, bytes } = readRecord(r, info);
      if (!kept || entries === 0) continue;
      if (store.keyGroupTables(keyGroup)?.get(stateName)?.has(recordKey)) throw corrupt(`state '${stateName}' holds the same key twice`);
      if (info.kind === Kind.LIST || info.kind === Kind.MAP) {
        store.setRecord({ keyGroup, stateName, recordKey }, record as ListRecord | MapRecord);
      } else {
        const { value, ts } = record as ValueRecord;
        store.valueTableForWrite(keyGroup, stateName).putRecord(recordKey, value, ts);
      }
      store.account(entries, recordKeySize(recordKey) + bytes);
    }
  }
}

function readTimerSections(r: ByteReader, store: StateStore, keyGroup: number, kept: boolean, timerStateNames: string[]): void {
  const sectionCount = r.u32('timer section count');
  let previousState = -1;
  for (let s = 0; s < sectionCount; s++) {
    const stateIndex = r.u32('timer state index');
    const timerState = timerStateNames[stateIndex];
    if (timerState === undefined || stateIndex <= previousState) {
      throw corrupt(`bad timer state index ${stateIndex} in key group ${keyGroup}`);
    }
    previousState = stateIndex;
    const count = r.u32('timer count');
    for (let i = 0; i < count; i++) {
      const recordKey = recordKeyOfStrings(r.latin1('timer key'), r.latin1('timer namespace'));
      const timestamp = r.f64('timer timestamp');
      const seq = r.f64('timer sequence');
      if (Number.isNaN(timestamp)) throw corrupt('a timer has timestamp NaN');
      if (!Number.isSafeInteger(seq) || seq < 0) throw corrupt(`a timer has sequence number ${seq}`);
      if (!kept) continue;
      if (!store.timerQueueForWrite(timerState, keyGroup).add(recordKey, timestamp, seq)) {
        throw corrupt(`timer state '${timerState}' holds the same timer twice`);
      }
      // Later registrations must sort after every restored one.
      if (seq >= store.timerSeq) store.timerSeq = seq + 1;
      store.account(1, recordKeySize(recordKey) + 8);
    }
  }
}

/** The max parallelism `bytes` was taken with (the key groups its keys were spread over), read from its checked header. */
export function snapshotMaxParallelism(bytes: Uint8Array, index = 0): number {
  return openSnapshot(bytes, index).u32('max parallelism');
}

/**
 * Fills `store` (fresh) with the union of `snapshots`, keeping only key groups in `keep`.
 * Throws CheckpointError for a truncated or corrupt snapshot, one of another max parallelism,
 * snapshots that overlap in a kept key group, or that disagree on a state's kind or TTL.
 */
export function readSnapshots(store: StateStore, snapshots: readonly Uint8Array[], keep: KeyGroupRange): void {
  const restored = new Set<number>();
  snapshots.forEach((bytes, index) => readInto(store, bytes, index, keep, restored));
}
