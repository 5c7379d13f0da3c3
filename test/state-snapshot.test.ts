import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../shared/errors/errors.ts';
import { KeyedStateBackend, type FiredTimer } from '../host/state/keyed-state-backend.ts';
import { ctxFor, groupOf, Kind, Op, op, s, timerOp, view, type Operation } from './host-state-fixtures.ts';

const MAX = 128;
const ALL = { start: 0, end: MAX - 1 };

function newBackend(): KeyedStateBackend {
  return new KeyedStateBackend({ maxParallelism: MAX, clock: () => 5000 });
}

/** Operations that fill a backend with every kind of state and timers, over many key groups. */
function contentOps(): Operation[] {
  const ops: Operation[] = [
    { key: { stateName: '1/ttl', kind: Kind.VALUE }, op: Op.DECLARE, ttl: { ttlMs: 1e9, updateType: 'OnReadAndWrite' } },
  ];
  for (let i = 0; i < 40; i++) {
    const key = `user-${i}`;
    ops.push(op(Kind.VALUE, '1/count', Op.PUT, { key, values: [`c${i}`], time: 100 + i }));
    ops.push(op(Kind.REDUCING, '1/sum', Op.PUT, { key, ns: `w${i % 3}`, values: [`s${i}`], time: 7 }));
    ops.push(op(Kind.AGGREGATING, '1/avg', Op.PUT, { key, values: [`a${i}`], time: 7 }));
    ops.push(op(Kind.LIST, '2/events', Op.APPEND, { key, values: [`e${i}`, `f${i}`], time: 8 }));
    ops.push(op(Kind.MAP, '2/seen', Op.PUT, { key, mapKey: `z${i}`, values: [`1`], time: 9 }));
    ops.push(op(Kind.MAP, '2/seen', Op.PUT, { key, mapKey: `a${i}`, values: [`2`], time: 9 }));
    ops.push(op(Kind.VALUE, '1/ttl', Op.PUT, { key, values: [`t${i}`], time: 4000 }));
    ops.push(timerOp('2/event-time', Op.PUT, 1000 + (i % 7), key, `w${i % 2}`));
    ops.push(timerOp('2/processing-time', Op.PUT, 9000 - i, key));
  }
  return ops;
}

function filled(): KeyedStateBackend {
  const be = newBackend();
  be.apply(contentOps(), ctxFor(MAX));
  return be;
}

function describeTimers(timers: FiredTimer[]): string[] {
  return timers.map((t) => `${s(t.key)}/${s(t.namespace)}/${t.timestamp}`);
}

/** Everything a worker could read back for the keys of contentOps, as strings. */
function readBack(be: KeyedStateBackend, keys: string[]): unknown[] {
  const ops: Operation[] = [];
  for (const [i, key] of keys.entries()) {
    ops.push(op(Kind.VALUE, '1/count', Op.GET, { key }));
    ops.push(op(Kind.REDUCING, '1/sum', Op.GET, { key, ns: `w${i % 3}` }));
    ops.push(op(Kind.LIST, '2/events', Op.GET, { key }));
    ops.push(op(Kind.MAP, '2/seen', Op.MAP_ITERATE, { key }));
  }
  return be.apply(ops, ctxFor(MAX)).map(view);
}

function errorOf(f: () => void): string {
  try {
    f();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  return 'no error';
}

const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);

describe('snapshot and restore', () => {
  it('restoring and snapshotting again yields identical bytes and identical content', () => {
    const original = filled();
    const bytes = original.snapshot();
    const restored = newBackend();
    restored.restore([bytes]);
    expect(Buffer.from(restored.snapshot()).equals(Buffer.from(bytes))).toBe(true);
    expect(restored.stats()).toEqual(original.stats());
    expect(readBack(restored, keys)).toEqual(readBack(original, keys));
    expect(describeTimers(restored.popEventTimers(ALL, 2000, '2'))).toEqual(describeTimers(original.popEventTimers(ALL, 2000, '2')));
    expect(describeTimers(restored.popProcessingTimers(ALL, 9000, '2'))).toEqual(
      describeTimers(original.popProcessingTimers(ALL, 9000, '2')),
    );
  });

  it('keeps TTL declarations: a restored state still expires', () => {
    const clock = { now: 0 };
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => clock.now });
    be.apply(
      [
        { key: { stateName: 'v', kind: Kind.VALUE }, op: Op.DECLARE, ttl: { ttlMs: 100 } },
        op(Kind.VALUE, 'v', Op.PUT, { values: ['x'] }),
      ],
      ctxFor(MAX),
    );
    const restored = new KeyedStateBackend({ maxParallelism: MAX, clock: () => clock.now });
    restored.restore([be.snapshot()]);
    clock.now = 99;
    expect(view(restored.apply([op(Kind.VALUE, 'v', Op.GET)], ctxFor(MAX))[0]!).values).toEqual(['x']);
    clock.now = 100;
    expect(view(restored.apply([op(Kind.VALUE, 'v', Op.GET)], ctxFor(MAX))[0]!).values).toEqual([]);
  });

  it('writes the same bytes for the same content whatever order it was built in', () => {
    const forward = newBackend();
    forward.apply(contentOps(), ctxFor(MAX));
    const backward = newBackend();
    // Records in reverse order; each map's and list's own order is kept.
    const ops = contentOps();
    const [declare, ...rest] = ops;
    const perKey: Operation[][] = [];
    for (let i = 0; i < rest.length; i += 9) perKey.push(rest.slice(i, i + 9));
    backward.apply([declare!, ...perKey.reverse().flat()], ctxFor(MAX));
    // Timers' registration order is content (it orders equal timestamps), and it differs here.
    for (const be of [forward, backward]) {
      be.popEventTimers(ALL, Infinity, '2');
      be.popProcessingTimers(ALL, Infinity, '2');
    }
    expect(Buffer.from(backward.snapshot()).equals(Buffer.from(forward.snapshot()))).toBe(true);
  });

  it('snapshots a key-group range and restores the union of range snapshots', () => {
    const original = filled();
    const low = { start: 0, end: 63 };
    const high = { start: 64, end: 127 };
    const rescaled = newBackend();
    rescaled.restore([original.snapshot(high), original.snapshot(low)]);
    expect(Buffer.from(rescaled.snapshot()).equals(Buffer.from(original.snapshot()))).toBe(true);

    const lowOnly = newBackend();
    lowOnly.restore([original.snapshot(low)]);
    expect(Buffer.from(lowOnly.snapshot(low)).equals(Buffer.from(original.snapshot(low)))).toBe(true);
    const results = readBack(lowOnly, keys) as Array<{ found: boolean }>;
    const expected = keys.flatMap((k) => Array(4).fill(groupOf(k, MAX) <= 63));
    expect(results.map((r) => r.found)).toEqual(expected);
  });

  it('restores only the requested key groups of a full snapshot', () => {
    const original = filled();
    const range = { start: 20, end: 90 };
    const subset = newBackend();
    subset.restore([original.snapshot()], range);
    expect(Buffer.from(subset.snapshot(range)).equals(Buffer.from(original.snapshot(range)))).toBe(true);
    const fromRangeSnapshot = newBackend();
    fromRangeSnapshot.restore([original.snapshot(range)]);
    expect(subset.stats()).toEqual(fromRangeSnapshot.stats());
    const results = readBack(subset, keys) as Array<{ found: boolean }>;
    const expected = keys.flatMap((k) => Array(4).fill(groupOf(k, MAX) >= 20 && groupOf(k, MAX) <= 90));
    expect(results.map((r) => r.found)).toEqual(expected);
  });

  it('replaces everything that was there before', () => {
    const be = newBackend();
    be.apply([op(Kind.VALUE, 'gone', Op.PUT, { values: ['x'] }), timerOp('9/event-time', Op.PUT, 1)], ctxFor(MAX));
    be.restore([]);
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
    expect(be.popEventTimers(ALL, Infinity, '9')).toEqual([]);
    // The state's kind was forgotten too.
    expect(view(be.apply([op(Kind.LIST, 'gone', Op.GET)], ctxFor(MAX))[0]!).found).toBe(false);
  });

  it('writes a fixed header, and an empty backend as header, counts and checksum only', () => {
    const bytes = newBackend().snapshot({ start: 3, end: 7 });
    const body = [0x53, 0x4c, 0x4b, 0x53, 0, 1, 0, 0, 0, 128, 0, 0, 0, 3, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const crc = crc32(new Uint8Array(body));
    expect([...bytes]).toEqual([...body, crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255]);
  });
});

describe('refused snapshots', () => {
  it('refuses a corrupt, truncated or foreign snapshot with a clear error, changing nothing', () => {
    const be = filled();
    const good = be.snapshot();
    const before = be.snapshot();

    const flipped = good.slice();
    flipped[good.length >> 1]! ^= 0x10;
    expect(errorOf(() => be.restore([flipped]))).toMatch(
      /^CheckpointError: snapshot 0 is corrupt or truncated: checksum \d+ does not match the recorded \d+$/,
    );
    expect(errorOf(() => be.restore([good, good.subarray(0, good.length - 10)]))).toMatch(
      /^CheckpointError: snapshot 1 is corrupt or truncated: checksum/,
    );
    expect(errorOf(() => be.restore([good.subarray(0, 12)]))).toBe(
      'CheckpointError: snapshot 0 is truncated: 12 bytes, a snapshot has at least 34',
    );
    const foreign = good.slice();
    foreign[0] = 0x50;
    expect(errorOf(() => be.restore([foreign]))).toBe('CheckpointError: snapshot 0 is not a Sluice keyed-state snapshot (bad magic)');
    const future = good.slice();
    future[5] = 2;
    expect(errorOf(() => be.restore([future]))).toBe(
      'CheckpointError: snapshot 0 has format version 2; this build reads version 1',
    );
    expect(Buffer.from(be.snapshot()).equals(Buffer.from(before))).toBe(true);
  });

  it('refuses a snapshot with a valid checksum over a truncated body', () => {
    const good = filled().snapshot();
    const cut = good.slice(0, 200);
    const crc = crc32(cut);
    const forged = new Uint8Array(204);
    forged.set(cut);
    new DataView(forged.buffer).setUint32(200, crc);
    expect(errorOf(() => newBackend().restore([forged]))).toMatch(/^CheckpointError: snapshot is truncated: .* needs \d+ bytes at offset \d+, only \d+ remain$/);
  });

  it('refuses another max parallelism and overlapping snapshots', () => {
    const be = filled();
    const other = new KeyedStateBackend({ maxParallelism: 64 });
    expect(errorOf(() => other.restore([be.snapshot()]))).toBe(
      'CheckpointError: snapshot 0 was taken with max parallelism 128, this backend has 64: key groups cannot be remapped to a different max parallelism',
    );
    const anyGroup = groupOf('user-0', MAX);
    expect(errorOf(() => newBackend().restore([be.snapshot({ start: 0, end: 127 }), be.snapshot({ start: anyGroup, end: anyGroup })]))).toBe(
      `CheckpointError: key group ${anyGroup} is in more than one snapshot`,
    );
  });

  it('refuses snapshots that disagree on a state kind', () => {
    const a = newBackend();
    a.apply([op(Kind.VALUE, 's', Op.PUT, { values: ['x'] })], ctxFor(MAX));
    const b = newBackend();
    b.apply([op(Kind.LIST, 's', Op.APPEND, { values: ['x'] })], ctxFor(MAX));
    expect(errorOf(() => newBackend().restore([a.snapshot(), b.snapshot()]))).toBe(
      "CheckpointError: snapshots disagree on state 's': its kind or TTL differs between them",
    );
  });

  it('refuses a key-group range outside the max parallelism', () => {
    const be = newBackend();
    expect(errorOf(() => be.snapshot({ start: 0, end: 128 }))).toBe(
      'CheckpointError: key-group range [0, 128] is not within [0, 127] (the max parallelism)',
    );
    expect(errorOf(() => be.restore([], { start: 5, end: 4 }))).toBe(
      'CheckpointError: key-group range [5, 4] is not within [0, 127] (the max parallelism)',
    );
  });
});

it('snapshot of a restored Node Buffer does not keep views into it', () => {
  const be = filled();
  const asBuffer = Buffer.from(be.snapshot());
  const restored = newBackend();
  restored.restore([asBuffer]);
  const before = restored.snapshot();
  asBuffer.fill(0);
  expect(Buffer.from(restored.snapshot()).equals(Buffer.from(before))).toBe(true);
  expect(CheckpointError.name).toBe('CheckpointError');
});
