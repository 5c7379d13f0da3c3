/**
 * Broadcast state in checkpoints: each subtask's copy goes into the checkpoint beside its keyed
 * state, is written and read back whole (a checkpoint from before broadcast state loads as
 * having none), a restore at another parallelism gives new subtask s old subtask (s mod P0)'s
 * copy, and a copy that no operator of the job claims is refused like other unclaimed state.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointError } from '../shared/errors/errors.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { CheckpointCoordinator } from '../host/checkpoint/checkpoint-coordinator.ts';
import { broadcastSnapshotFor, decodeBroadcastSnapshot, encodeBroadcastSnapshot } from '../host/checkpoint/broadcast-snapshots.ts';
import { CheckpointStorage, checkpointDirName, loadCheckpoint } from '../host/checkpoint/checkpoint-storage.ts';
import type { CompletedCheckpoint } from '../host/checkpoint/completed-checkpoint.ts';
import { checkStateClaimed } from '../host/checkpoint/unclaimed-state.ts';
import type { JobPlan, Stage } from '../host/graph/plan.ts';
import { encodeGeneric } from '../shared/codec/generic-value.ts';
import { hostLog, type Logger } from '../host/log.ts';
import { checkpointKey } from '../host/runtime/attempt.ts';
import { broadcastStoreFor } from '../host/runtime/state-service.ts';
import type { BroadcastSnapshot } from '../host/state/broadcast-state-store.ts';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { sluice } from '../shared/generated/protocol.js';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

/** Old subtask `n`'s copy: one entry naming it. */
const copy = (n: number): BroadcastSnapshot => ({ states: [{ name: 'rules', keys: [bytes(n)], values: [bytes(n * 10)] }] });

/** A logger keeping its warnings. */
function warningsTo(warnings: string[]): Logger {
  return { trace() {}, debug() {}, info() {}, warn: (m) => warnings.push(m), error() {}, write() {} };
}

function checkpoint(broadcast: Record<string, BroadcastSnapshot[]> | undefined): CompletedCheckpoint {
  return {
    id: 4,
    timestamp: 1_700_000_000_004,
    sources: { 'source:1': [{ done: false, position: 40 }] },
    states: { 'udf:3': [bytes(4, 1)] },
    sinks: {},
    ...(broadcast === undefined ? {} : { broadcast }),
  };
}

/** A plan of one broadcast process function, 'udf:<id>' (and a keyed map, 'udf:9', when `keyedMap`). */
function plan(headId: string, parallelism: number, keyedMap = false): JobPlan {
  const head = { kind: 'udf', id: 5, uid: headId, name: 'Rules', udf: 'broadcast_process', broadcastStates: [{ name: 'rules' }] };
  const stages = [
    { kind: 'udf', id: 'udf-5', name: 'Rules', parallelism, transforms: [head], keyedInput: false },
    ...(keyedMap ? [{ kind: 'udf', id: 'udf-9', name: 'Count', parallelism, transforms: [{ kind: 'udf', id: 9, uid: null, udf: 'map' }], keyedInput: true }] : []),
  ];
  return { stages, configuredMaxParallelism: null } as unknown as JobPlan;
}

describe('broadcast state in checkpoint storage', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sluice-chk-broadcast-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes and reads every copy back exactly, entries in order', async () => {
    const d = dir();
    const written = checkpoint({
      'udf:rules': [
        {
          states: [
            { name: 'rules', keys: [bytes(2), bytes(1)], values: [bytes(20, 0), bytes()] },
            { name: 'limits', keys: [], values: [] },
          ],
        },
        { states: [{ name: 'rules', keys: [bytes(2)], values: [bytes(20, 0)] }] },
      ],
    });
    await new CheckpointStorage(d, 1, hostLog).store(written);
    expect(await loadCheckpoint(d, hostLog)).toEqual(written);
  });

  it('loads a checkpoint written before broadcast state as having none', async () => {
    const d = dir();
    await new CheckpointStorage(d, 1, hostLog).store(checkpoint(undefined));
    const metadataPath = join(d, checkpointDirName(4), '_metadata');
    const metadata = JSON.parse(readFileSync(metadataPath, 'utf8')) as Record<string, unknown>;
    expect(metadata.broadcast).toEqual({});
    // What the version before broadcast state wrote: no such field.
    delete metadata.broadcast;
    writeFileSync(metadataPath, JSON.stringify(metadata, null, 2));
    expect(await loadCheckpoint(d, hostLog)).toEqual(checkpoint({}));
  });

  it('ignores a checkpoint whose broadcast state file matches its checksum but is not a snapshot', async () => {
    const d = dir();
    const storage = new CheckpointStorage(d, 5, hostLog);
    await storage.store({ ...checkpoint({ 'udf:rules': [copy(0)] }), id: 3 });
    await storage.store(checkpoint({ 'udf:rules': [copy(1)] }));
    const chk = join(d, checkpointDirName(4));
    const garbage = encodeBroadcastSnapshot(copy(1)).subarray(0, 5);
    writeFileSync(join(chk, 'broadcast-0.bin'), garbage);
    const metadata = JSON.parse(readFileSync(join(chk, '_metadata'), 'utf8')) as { broadcast: Record<string, { size: number; crc32: number }[]> };
    metadata.broadcast['udf:rules']![0] = { ...metadata.broadcast['udf:rules']![0]!, size: garbage.byteLength, crc32: crc32(garbage) };
    writeFileSync(join(chk, '_metadata'), JSON.stringify(metadata));
    const warnings: string[] = [];
    expect((await new CheckpointStorage(d, 5, warningsTo(warnings)).latest())?.id).toBe(3);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^ignoring checkpoint ${chk}: state file broadcast-0\\.bin cannot be read: `)),
    ]);
  });

  it.each<[string, unknown]>([
    ['not an object', 7],
    ['a state without keys', { states: [{ name: 'rules', values: [] }] }],
    ['keys that are not bytes', { states: [{ name: 'rules', keys: ['a'], values: [bytes(1)] }] }],
  ])('refuses to decode a snapshot that is %s', (_what, value) => {
    expect(typeof decodeBroadcastSnapshot(encodeGeneric(value))).toBe('string');
  });
});

describe('broadcast state through the checkpoint coordinator', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("takes each subtask's copy beside its keyed state", async () => {
    const completed: CompletedCheckpoint[] = [];
    const c = new CheckpointCoordinator({
      intervalMs: 100,
      timeoutMs: 60_000,
      minPauseMs: 0,
      storage: new CheckpointStorage(null, 1, hostLog),
      log: hostLog,
      firstId: 1,
      onCompleted: (checkpoint) => completed.push(checkpoint),
      onFatal: (error) => {
        throw error;
      },
    });
    c.start({
      sources: [{ key: 'source:1', subtask: 0, requestBarrier: () => Promise.resolve({ done: false, position: 1 }) }],
      stateAcks: 3,
      sinkAcks: 0,
      commit: async () => undefined,
    });
    await vi.advanceTimersByTimeAsync(100);
    c.ackState(1, 'udf:rules', 1, bytes(9), copy(1));
    c.ackState(1, 'udf:rules', 0, bytes(8), copy(0));
    c.ackState(1, 'udf:map', 0, null, null);
    await vi.advanceTimersByTimeAsync(0);
    c.stop();
    expect(completed.map((k) => [k.states, k.broadcast])).toEqual([[{ 'udf:rules': [bytes(8), bytes(9)] }, { 'udf:rules': [copy(0), copy(1)] }]]);
  });
});

describe('restoring broadcast state at another parallelism', () => {
  /** The entry each new subtask of `p` restores from `copies`, through the store it is given. */
  function restoredKeys(copies: BroadcastSnapshot[] | undefined, p: number): number[][] {
    const stage = plan('rules', p).stages[0]!;
    return Array.from({ length: p }, (_, s) => {
      const store = broadcastStoreFor(stage as Stage & { kind: 'udf' }, broadcastSnapshotFor(copies, s))!;
      return store.contents('rules').keys.map((k) => k[0]!);
    });
  }

  it('gives new subtask s old subtask (s mod P0)\'s copy: 2 → 3', () => {
    expect(restoredKeys([copy(0), copy(1)], 3)).toEqual([[0], [1], [0]]);
  });

  it('3 → 1', () => {
    expect(restoredKeys([copy(0), copy(1), copy(2)], 1)).toEqual([[0]]);
  });

  it('starts every subtask empty without copies', () => {
    expect(restoredKeys(undefined, 2)).toEqual([[], []]);
    expect(restoredKeys([], 2)).toEqual([[], []]);
  });
});

describe('unclaimed broadcast state', () => {
  const config = new Configuration();
  /** A checkpoint of broadcast state alone. */
  const broadcastOnly = (broadcast: Record<string, BroadcastSnapshot[]>): CompletedCheckpoint => ({
    ...checkpoint(broadcast),
    sources: {},
    states: {},
  });

  it('is claimed by the broadcast process function filed under its key', () => {
    expect(() => checkStateClaimed(plan('rules', 2), broadcastOnly({ 'udf:rules': [copy(0), copy(1)] }), checkpointKey, config, hostLog)).not.toThrow();
  });

  it('is refused when no broadcast process function of the job is filed under its key', () => {
    const restore = broadcastOnly({ 'udf:old-rules': [copy(0)] });
    let error: unknown = null;
    try {
      checkStateClaimed(plan('rules', 2), restore, checkpointKey, config, hostLog);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toBe(
      "checkpoint 4 holds state that no operator of this job claims: the broadcast state of 'udf:old-rules'; " +
        "operators of this job that found no state in it: 'Rules' ('udf:rules'). An operator's state is found by its uid(), " +
        'or without one by the order of the API calls that built the job, which adding or removing an operator changes: ' +
        'give stateful operators and sinks a uid(), or set execution.savepoint.ignore-unclaimed-state=true to drop that ' +
        'state and start those operators empty',
    );
  });

  it('is not claimed by a keyed operator filed under its key', () => {
    // A keyed map now has the key the broadcast process function had.
    const restore = broadcastOnly({ 'udf:9': [copy(0)] });
    expect(() => checkStateClaimed(plan('rules', 1, true), restore, checkpointKey, config, hostLog)).toThrow(
      /^checkpoint 4 holds state that no operator of this job claims: the broadcast state of 'udf:9'; operators of this job that found no state in it: 'Rules' \('udf:rules'\), 'Count' \('udf:9'\)\./,
    );
  });

  it('keyed state under a broadcast process function that is not keyed is not claimed by it', () => {
    // The function under this uid was a KeyedBroadcastProcessFunction with keyed state; it is not keyed now.
    const backend = new KeyedStateBackend({ maxParallelism: 128 });
    backend.apply(
      [{ key: { stateName: '5/count', kind: sluice.fn.v1.StateKind.VALUE, key: new Uint8Array([1]) }, op: sluice.fn.v1.StateOp.PUT, values: [new Uint8Array([7])] }],
      { owned: { start: 0, end: 127 }, maxParallelism: 128, instructionId: '' },
    );
    const restore = { ...broadcastOnly({ 'udf:rules': [copy(0)] }), states: { 'udf:rules': [backend.snapshot()] } };
    expect(() => checkStateClaimed(plan('rules', 1), restore, checkpointKey, config, hostLog)).toThrow(
      /^checkpoint 4 holds state that no operator of this job claims: the keyed state and timers of 'udf:rules'\. /,
    );
  });

  it('is dropped when it holds no entries, or when told to', () => {
    const empty = broadcastOnly({ 'udf:old-rules': [{ states: [{ name: 'rules', keys: [], values: [] }] }] });
    expect(() => checkStateClaimed(plan('rules', 1), empty, checkpointKey, config, hostLog)).not.toThrow();
    const warnings: string[] = [];
    const log = warningsTo(warnings);
    const ignoring = new Configuration().set('execution.savepoint.ignore-unclaimed-state', true);
    checkStateClaimed(plan('rules', 1), broadcastOnly({ 'udf:old-rules': [copy(0)] }), checkpointKey, ignoring, log);
    expect(warnings).toEqual([
      "checkpoint 4: dropping the broadcast state of 'udf:old-rules', which no operator of this job claims (execution.savepoint.ignore-unclaimed-state)",
    ]);
  });
});
