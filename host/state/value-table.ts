/**
 * The values of one value-like state (value, reducing, aggregating) in one key group, in typed
 * arrays instead of a Map of record objects.
 *
 * A bundle's write-back rewrites every key the bundle changed (a PUT_BATCH of thousands of
 * rows). Through a `Map<string, {value, ts}>` each row built a record-key string, hashed it,
 * and touched the map's table, the stored string, the record and the record's value array:
 * four or five cache misses once the keys outnumber the caches, ~0.5–0.8 µs a row in a job.
 * Here a row's key is hashed where it lies in the request's key column (the hash its key group
 * is taken from; a single GET, PUT or CLEAR the same), and an entry's fields, key, namespace
 * and value sit in two arrays:
 *
 *   slots    Int32Array, open addressing (linear probing): entry number + 1, 0 = empty
 *   fields   one 32-byte line per entry: hash, start, key length, namespace length,
 *            value length, and the timestamp (a Float64 over the last 8 bytes)
 *   arena    key | namespace | value, one run per entry, at `start`
 *
 * Invariants: entries 0 … size−1 are live and each is in exactly one slot; at most half the
 * slots are used; `garbage` counts the arena bytes no live entry's run covers (runs left by
 * removals and by values that changed length), and the arena is compacted once that is over
 * half of it. Entry numbers change when an entry is removed (the last one takes its place):
 * hold one only until the table next changes.
 */
import { murmur3x86_32, murmur3x86_32Range } from './murmur3.ts';
import { compareStrings, copyInto, keyOfRecord, latin1Range, namespaceOfRecord, recordKeyOfStrings } from './byte-keys.ts';

/** Int32 fields per entry (the last two are the timestamp's Float64). */
const STRIDE = 8;
const HASH = 0;
const START = 1;
const KEY_LENGTH = 2;
const NAMESPACE_LENGTH = 3;
const VALUE_LENGTH = 4;
/** The timestamp's index in the Float64 view: fields 6 and 7. */
const TS_OF = (entry: number): number => entry * (STRIDE / 2) + 3;

const INITIAL_ENTRIES = 8;
const INITIAL_ARENA = 256;
/** Garbage below this is never worth a compaction. */
const MIN_COMPACTION_GARBAGE = 4096;
/** Arena offsets are int32. */
const MAX_ARENA_BYTES = 0x7fffffff;

/**
 * The hash a table files (key, namespace) under: the key's murmur3 (what its key group is
 * taken from, so a PUT_BATCH row is hashed once), mixed with the namespace's when there is one.
 */
export function entryHash(keyHash: number, namespaceHash: number): number {
  return (keyHash ^ namespaceHash) | 0;
}

/** The namespace's part of entryHash: 0 for the empty namespace. */
export function namespaceHash(namespace: Uint8Array): number {
  return namespace.length === 0 ? 0 : Math.imul(murmur3x86_32(namespace, 0x5bd1e995), 0x01000193);
}

export class ValueTable {
  private slots = new Int32Array(INITIAL_ENTRIES * 2);
  private mask = INITIAL_ENTRIES * 2 - 1;
  private buffer = new ArrayBuffer(INITIAL_ENTRIES * STRIDE * 4);
  private fields = new Int32Array(this.buffer);
  private stamps = new Float64Array(this.buffer);
  private arena = new Uint8Array(INITIAL_ARENA);
  private used = 0;
  private garbage = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The bytes the table's arrays take (slots, fields, arena), garbage included. */
  get heldBytes(): number {
    return this.slots.byteLength + this.buffer.byteLength + this.arena.byteLength;
  }

  /** The entry of (key bytes[keyStart, keyEnd), namespace) filed under `hash` (entryHash), or -1. */
  find(hash: number, key: Uint8Array, keyStart: number, keyEnd: number, namespace: Uint8Array): number {
    const slot = this.slotOf(hash, key, keyStart, keyEnd, namespace);
    return slot < 0 ? -1 : this.slots[slot]! - 1;
  }

  /** The entry of a record key (byte-keys.ts), or -1: for what names records so (snapshots). */
  findRecord(recordKey: string): number {
    const key = keyOfRecord(recordKey);
    const namespace = namespaceOfRecord(recordKey);
    return this.find(hashOf(key, namespace), key, 0, key.length, namespace);
  }

  has(recordKey: string): boolean {
    return this.findRecord(recordKey) >= 0;
  }

  valueLength(entry: number): number {
    return this.fields[entry * STRIDE + VALUE_LENGTH]!;
  }

  /** A copy of the entry's value: nothing outside the table keeps a view of its arena. */
  copyValue(entry: number): Uint8Array {
    const from = this.valueOffset(entry * STRIDE);
    return this.arena.slice(from, from + this.fields[entry * STRIDE + VALUE_LENGTH]!);
  }

  /** Where in the arena the value of the entry whose fields start at `f` is: after its key and namespace. */
  private valueOffset(f: number): number {
    return this.fields[f + START]! + this.fields[f + KEY_LENGTH]! + this.fields[f + NAMESPACE_LENGTH]!;
  }

  timestamp(entry: number): number {
    return this.stamps[TS_OF(entry)]!;
  }

  setTimestamp(entry: number, ts: number): void {
    this.stamps[TS_OF(entry)] = ts;
  }

  /** The entry's record key (byte-keys.ts), for snapshots. */
  recordKey(entry: number): string {
    const f = entry * STRIDE;
    const start = this.fields[f + START]!;
    const keyEnd = start + this.fields[f + KEY_LENGTH]!;
    return recordKeyOfStrings(
      latin1Range(this.arena, start, keyEnd),
      latin1Range(this.arena, keyEnd, keyEnd + this.fields[f + NAMESPACE_LENGTH]!),
    );
  }

  /** Whether the last put() or putRecord() made a new entry. */
  inserted = false;
  /** The entry the last put() or putRecord() wrote. */
  lastEntry = -1;
  /**
   * Bumped whenever entries change numbers (a removal: the last entry takes the removed one's
   * number). An entry number taken while it is unchanged still names the same key.
   */
  renumberings = 0;

  /**
   * Stores value bytes[valueStart, valueEnd) at `ts` under (key bytes[keyStart, keyEnd),
   * namespace), filed under `hash` (entryHash); returns how many bytes the stored value grew
   * by (a new entry's: all of them) and sets `inserted` (the caller accounts for both).
   */
  put(
    hash: number,
    key: Uint8Array,
    keyStart: number,
    keyEnd: number,
    namespace: Uint8Array,
    value: Uint8Array,
    valueStart: number,
    valueEnd: number,
    ts: number,
  ): number {
    const length = valueEnd - valueStart;
    const slot = this.slotOf(hash, key, keyStart, keyEnd, namespace);
    if (slot < 0) {
      this.lastEntry = this.count;
      this.insert(-1 - slot, hash, key, keyStart, keyEnd, namespace, value, valueStart, valueEnd, ts);
      this.inserted = true;
      return length;
    }
    this.inserted = false;
    const entry = this.slots[slot]! - 1;
    this.lastEntry = entry;
    return this.putAt(entry, value, valueStart, valueEnd, ts);
  }

  /**
   * Stores value bytes[valueStart, valueEnd) at `ts` in `entry` (a live entry's number, taken
   * since `renumberings` last changed); returns how many bytes the stored value grew by.
   */
  putAt(entry: number, value: Uint8Array, valueStart: number, valueEnd: number, ts: number): number {
    const length = valueEnd - valueStart;
    const f = entry * STRIDE;
    const old = this.fields[f + VALUE_LENGTH]!;
    this.stamps[TS_OF(entry)] = ts;
    if (old === length) {
      copyInto(this.arena, this.valueOffset(f), value, valueStart, length);
      return 0;
    }
    this.rewriteRun(entry, value, valueStart, length);
    return length - old;
  }

  /** put() by record key (byte-keys.ts), for what names records so (a snapshot being restored). */
  putRecord(recordKey: string, value: Uint8Array, ts: number): number {
    const key = keyOfRecord(recordKey);
    const namespace = namespaceOfRecord(recordKey);
    return this.put(hashOf(key, namespace), key, 0, key.length, namespace, value, 0, value.length, ts);
  }

  /** Removes the entry; the last entry takes its number. */
  remove(entry: number): void {
    const f = entry * STRIDE;
    const fields = this.fields;
    this.garbage += fields[f + KEY_LENGTH]! + fields[f + NAMESPACE_LENGTH]! + fields[f + VALUE_LENGTH]!;
    this.vacate(this.slotOfEntry(entry));
    const last = --this.count;
    this.renumberings++;
    if (entry !== last) {
      // The last entry moves into the hole: its slot is re-pointed, its fields copied.
      this.slots[this.slotOfEntry(last)] = entry + 1;
      fields.copyWithin(f, last * STRIDE, last * STRIDE + STRIDE);
    }
    if (this.count === 0) {
      this.used = 0;
      this.garbage = 0;
    }
  }

  /** Every entry's number with its record key, in record-key order (a snapshot's order). */
  sortedByRecordKey(): [string, number][] {
    const out = new Array<[string, number]>(this.count);
    for (let e = 0; e < this.count; e++) out[e] = [this.recordKey(e), e];
    return out.sort((a, b) => compareStrings(a[0], b[0]));
  }

  /** The slot holding the entry, or -1 − (the free slot where it would go). */
  private slotOf(hash: number, key: Uint8Array, keyStart: number, keyEnd: number, namespace: Uint8Array): number {
    const { slots, fields, arena, mask } = this;
    const keyLength = keyEnd - keyStart;
    const nsLength = namespace.length;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slots[slot]!;
      if (at === 0) return -1 - slot;
      const f = (at - 1) * STRIDE;
      if (fields[f + HASH] !== hash || fields[f + KEY_LENGTH] !== keyLength || fields[f + NAMESPACE_LENGTH] !== nsLength) continue;
      const start = fields[f + START]!;
      if (sameBytes(arena, start, key, keyStart, keyLength) && sameBytes(arena, start + keyLength, namespace, 0, nsLength)) return slot;
    }
  }

  private slotOfEntry(entry: number): number {
    const { slots, mask } = this;
    for (let slot = this.fields[entry * STRIDE + HASH]! & mask; ; slot = (slot + 1) & mask) {
      if (slots[slot] === entry + 1) return slot;
    }
  }

  private insert(
    slot: number,
    hash: number,
    key: Uint8Array,
    keyStart: number,
    keyEnd: number,
    namespace: Uint8Array,
    value: Uint8Array,
    valueStart: number,
    valueEnd: number,
    ts: number,
  ): void {
    const entry = this.count;
    if ((entry + 1) * STRIDE * 4 > this.buffer.byteLength) this.growFields();
    const keyLength = keyEnd - keyStart;
    const length = valueEnd - valueStart;
    const start = this.reserve(keyLength + namespace.length + length);
    copyInto(this.arena, start, key, keyStart, keyLength);
    copyInto(this.arena, start + keyLength, namespace, 0, namespace.length);
    copyInto(this.arena, start + keyLength + namespace.length, value, valueStart, length);
    const f = entry * STRIDE;
    const fields = this.fields;
    fields[f + HASH] = hash;
    fields[f + START] = start;
    fields[f + KEY_LENGTH] = keyLength;
    fields[f + NAMESPACE_LENGTH] = namespace.length;
    fields[f + VALUE_LENGTH] = length;
    this.stamps[TS_OF(entry)] = ts;
    this.slots[slot] = entry + 1;
    this.count++;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
  }

  /** Moves the entry's run to the arena's end with a value of another length. */
  private rewriteRun(entry: number, value: Uint8Array, valueStart: number, length: number): void {
    const f = entry * STRIDE;
    const prefix = this.fields[f + KEY_LENGTH]! + this.fields[f + NAMESPACE_LENGTH]!;
    this.garbage += prefix + this.fields[f + VALUE_LENGTH]!;
    const start = this.reserve(prefix + length);
    // reserve() may have compacted the arena: the old run's start is read after it.
    const arena = this.arena;
    arena.copyWithin(start, this.fields[f + START]!, this.fields[f + START]! + prefix);
    copyInto(arena, start + prefix, value, valueStart, length);
    this.fields[f + START] = start;
    this.fields[f + VALUE_LENGTH] = length;
  }

  /** The start of `n` free bytes at the arena's end, compacting or growing it first if needed. */
  private reserve(n: number): number {
    if (this.used + n > this.arena.length) {
      if (this.garbage >= MIN_COMPACTION_GARBAGE && this.garbage * 2 > this.used) this.compact();
      if (this.used + n > this.arena.length) {
        if (this.used + n > MAX_ARENA_BYTES) {
          throw new RangeError("one state's values in one key group must stay below 2 GiB (arena offsets are int32): raise pipeline.max-parallelism to spread the keys over more key groups");
        }
        const grown = new Uint8Array(Math.min(MAX_ARENA_BYTES, Math.max(this.arena.length * 2, this.used + n)));
        grown.set(this.arena.subarray(0, this.used));
        this.arena = grown;
      }
    }
    const start = this.used;
    this.used += n;
    return start;
  }

  /** Rewrites the arena with the live runs only, in entry order. */
  private compact(): void {
    const old = this.arena;
    const arena = new Uint8Array(old.length);
    const fields = this.fields;
    let used = 0;
    for (let e = 0; e < this.count; e++) {
      const f = e * STRIDE;
      const n = fields[f + KEY_LENGTH]! + fields[f + NAMESPACE_LENGTH]! + fields[f + VALUE_LENGTH]!;
      const start = fields[f + START]!;
      arena.set(old.subarray(start, start + n), used);
      fields[f + START] = used;
      used += n;
    }
    this.arena = arena;
    this.used = used;
    this.garbage = 0;
  }

  private growFields(): void {
    const buffer = new ArrayBuffer(this.buffer.byteLength * 2);
    new Int32Array(buffer).set(this.fields);
    this.buffer = buffer;
    this.fields = new Int32Array(buffer);
    this.stamps = new Float64Array(buffer);
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let e = 0; e < this.count; e++) {
      let slot = this.fields[e * STRIDE + HASH]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }

  /** Empties `slot`, shifting back the entries after it that probed past it (no tombstones). */
  private vacate(slot: number): void {
    const { slots, fields, mask } = this;
    let hole = slot;
    for (let next = (hole + 1) & mask; slots[next] !== 0; next = (next + 1) & mask) {
      const home = fields[(slots[next]! - 1) * STRIDE + HASH]! & mask;
      // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (stays) continue;
      slots[hole] = slots[next]!;
      hole = next;
    }
    slots[hole] = 0;
  }
}

/** The hash a key and namespace are filed under, for the paths that name a record key (snapshots). */
function hashOf(key: Uint8Array, namespace: Uint8Array): number {
  return entryHash(murmur3x86_32Range(key, 0, key.length, 0), namespaceHash(namespace));
}

function sameBytes(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}
