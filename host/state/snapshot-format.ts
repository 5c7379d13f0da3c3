/**
 * The keyed-state snapshot format, version 1. All integers are big-endian; `bytes` and
 * `string` are a u32 length then the bytes (string: UTF-8).
 *
 *   magic         4 bytes  "SLKS"
 *   version       u16      1
 *   maxParallelism u32
 *   rangeStart    u32      the key groups the snapshot covers, inclusive
 *   rangeEnd      u32
 *   stateCount    u32      then per state, ordered by name:
 *     name string, kind u8 (proto StateKind), ttlMs f64 (0: none),
 *     updateType u8 (0 OnCreateAndWrite, 1 OnReadAndWrite),
 *     visibility u8 (0 NeverReturnExpired, 1 ReturnExpiredIfNotCleanedUp)
 *   timerStateCount u32    then per timer state, ordered by name: name string
 *   keyGroupCount u32      then per non-empty key group, ascending:
 *     keyGroup u32
 *     sectionCount u32     then per state with records here, by state index:
 *       stateIndex u32, recordCount u32, then per record, ordered by record key:
 *         key bytes, namespace bytes, then by kind:
 *           VALUE, REDUCING, AGGREGATING  ts f64, value bytes
 *           LIST                          count u32, count x (ts f64, value bytes)
 *           MAP                           count u32, count x (mapKey bytes, ts f64, value bytes),
 *                                         in insertion order
 *     timerSectionCount u32 then per timer state with timers here, by timer state index:
 *       timerStateIndex u32, timerCount u32, then per timer, by (timestamp, registration):
 *         key bytes, namespace bytes, timestamp f64, registration sequence f64
 *   crc32         u32      of every byte before it
 *
 * Ordering every collection makes the bytes a function of the content: restoring a snapshot
 * and taking another yields the same bytes. Timers keep their registration sequence numbers,
 * so timers of equal timestamp fire in the same order after a restore as they would have
 * without one (across snapshots of different backends, in the order of those numbers). Values expired under their state's TTL are left
 * out; containers left empty by that are left out too.
 */

export const SNAPSHOT_MAGIC = new Uint8Array([0x53, 0x4c, 0x4b, 0x53]); // "SLKS"
export const SNAPSHOT_VERSION = 1;
/** magic + version + maxParallelism + range + the three counts + crc32. */
export const MIN_SNAPSHOT_LENGTH = 4 + 2 + 4 + 8 + 12 + 4;
