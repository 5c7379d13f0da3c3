/**
 * Checkpoints on disk are written whole and then renamed into place; a torn or damaged
 * checkpoint directory (keyed or broadcast state files included) is ignored in favour of the
 * previous complete one.
 */
import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addLogSink, ConfigError, type LogRecord } from '../../host/index.ts';
import { CheckpointStorage, checkpointDirName, checkpointPath, loadCheckpoint } from '../../host/checkpoint/checkpoint-storage.ts';
import type { CompletedCheckpoint } from '../../host/checkpoint/completed-checkpoint.ts';
import { hostLog } from '../../host/log.ts';

function checkpoint(id: number): CompletedCheckpoint {
  return {
    id,
    timestamp: 1_700_000_000_000 + id,
    sources: { 'source:1': [{ done: false, position: id * 10 }], 'source:2': [{ done: true, position: null }] },
    states: { 'udf:3': [new Uint8Array([id, 1, 2]), new Uint8Array([id, 3])] },
    sinks: { 'sink:4': [{ counter: id, files: [] }] },
    broadcast: {
      'udf:5': [
        { states: [{ name: 'rules', keys: [new Uint8Array([id]), new Uint8Array([2])], values: [new Uint8Array([1, 0]), new Uint8Array([])] }] },
        { states: [{ name: 'rules', keys: [new Uint8Array([id])], values: [new Uint8Array([1, 0])] }, { name: 'limits', keys: [], values: [] }] },
      ],
    },
  };
}

describe('checkpoint paths from configuration', () => {
  it('takes a plain path as it is and a file:// URI as its path', () => {
    expect(checkpointPath('state.checkpoints.dir', '/tmp/chk')).toBe('/tmp/chk');
    expect(checkpointPath('state.checkpoints.dir', 'relative/chk')).toBe('relative/chk');
    expect(checkpointPath('state.checkpoints.dir', 'file:///tmp/my%20chk')).toBe('/tmp/my chk');
    expect(checkpointPath('execution.savepoint.path', '')).toBe('');
  });

  it('refuses another scheme, naming the key', () => {
    let error: unknown = null;
    try {
      checkpointPath('state.checkpoints.dir', 's3://bucket/chk');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe('state.checkpoints.dir');
    expect((error as Error).message).toBe(
      'state.checkpoints.dir "s3://bucket/chk": s3:// is not supported; give a local directory (a path or a file:// URI)',
    );
    expect(() => checkpointPath('execution.savepoint.path', 'file://remote-host/chk')).toThrow(/^execution\.savepoint\.path "file:\/\/remote-host\/chk" is not a usable file: URI/);
  });
});

describe('checkpoint storage', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sluice-chk-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('stores and loads a checkpoint exactly, and keeps only the retained number', async () => {
    const d = dir();
    const storage = new CheckpointStorage(d, 2, hostLog);
    for (const id of [1, 2, 3]) await storage.store(checkpoint(id));
    expect(readdirSync(d).sort()).toEqual([checkpointDirName(2), checkpointDirName(3)]);
    expect(await storage.latest()).toEqual(checkpoint(3));
    expect(await loadCheckpoint(join(d, checkpointDirName(2)), hostLog)).toEqual(checkpoint(2));
    expect(await loadCheckpoint(d, hostLog)).toEqual(checkpoint(3));
  });

  it.each([
    ['its metadata is missing', (c: string) => rmSync(join(c, '_metadata'))],
    ['its metadata is cut short', (c: string) => truncateSync(join(c, '_metadata'), 10)],
    ['a state file is missing', (c: string) => rmSync(join(c, 'state-0.bin'))],
    ['a state file is damaged', (c: string) => writeFileSync(join(c, 'state-1.bin'), new Uint8Array([9, 9]))],
    ['a broadcast state file is missing', (c: string) => rmSync(join(c, 'broadcast-1.bin'))],
    ['a broadcast state file is damaged', (c: string) => truncateSync(join(c, 'broadcast-0.bin'), 3)],
  ])('ignores a torn checkpoint (%s) in favour of the previous complete one', async (_what, tear) => {
    const d = dir();
    const storage = new CheckpointStorage(d, 5, hostLog);
    await storage.store(checkpoint(1));
    await storage.store(checkpoint(2));
    tear(join(d, checkpointDirName(2)));
    const records: LogRecord[] = [];
    const remove = addLogSink((r) => records.push(r));
    try {
      expect(await storage.latest()).toEqual(checkpoint(1));
    } finally {
      remove();
    }
    expect(records.some((r) => r.level === 'warn' && r.message.startsWith(`ignoring checkpoint ${join(d, checkpointDirName(2))}`))).toBe(true);
  });

  it('never chooses a checkpoint still being written', async () => {
    const d = dir();
    const storage = new CheckpointStorage(d, 5, hostLog);
    await storage.store(checkpoint(1));
    // A crash while writing checkpoint 2 leaves only its in-progress directory.
    mkdirSync(join(d, `.${checkpointDirName(2)}.inprogress`));
    cpSync(join(d, checkpointDirName(1)), join(d, `.${checkpointDirName(2)}.inprogress`), { recursive: true });
    expect((await storage.latest())?.id).toBe(1);
  });

  it('refuses to resume from a directory holding no complete checkpoint', async () => {
    const d = dir();
    await expect(loadCheckpoint(d, hostLog)).rejects.toThrow(`no complete checkpoint in ${d}`);
    await expect(loadCheckpoint(join(d, 'nope'), hostLog)).rejects.toThrow('not a directory');
  });
});
