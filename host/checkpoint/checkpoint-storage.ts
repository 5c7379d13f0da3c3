/**
 * Where completed checkpoints are kept: in memory (restarts within one run) or in a directory
 * (also to resume a stopped job). On disk a checkpoint is written whole, then renamed into
 * place, so a crash while writing leaves a directory that is never chosen:
 *
 *   <dir>/.chk-000042.inprogress/   state files, then _metadata, each fsynced
 *   <dir>/chk-000042/               after the rename: complete
 *
 * _metadata lists every state file (keyed state, state-<n>.bin; broadcast state,
 * broadcast-<n>.bin) with its size and CRC32; a checkpoint whose metadata is missing or
 * unreadable, or whose files do not match it (a torn or damaged directory), is skipped in favour
 * of the previous complete one. A checkpoint written before broadcast state existed lists no
 * broadcast files: it loads as having none.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { decodeGeneric, encodeGeneric } from '../../shared/codec/generic-value.ts';
import { CheckpointError, ConfigError } from '../../shared/errors/errors.ts';
import { localPath } from '../local-path.ts';
import type { Logger } from '../log.ts';
import { decodeBroadcastSnapshot, encodeBroadcastSnapshot } from './broadcast-snapshots.ts';
import type { CompletedCheckpoint, SourcePosition } from './completed-checkpoint.ts';

const FORMAT = 'sluice-checkpoint';
const VERSION = 1;
const METADATA = '_metadata';
const NAME = /^chk-(\d+)$/;

interface StateFile {
  file: string;
  size: number;
  crc32: number;
}

interface Metadata {
  format: string;
  version: number;
  id: number;
  timestamp: number;
  /** Generic-encoded (proto/generic-value.md), base64: positions and sink states are any plain data. */
  sources: string;
  sinks: string;
  states: Record<string, StateFile[]>;
  /** Broadcast state files by stage key, one per subtask (absent in checkpoints from before broadcast state). */
  broadcast?: Record<string, StateFile[]>;
}

/**
 * A checkpoint path from configuration as a file system path: a plain path, or a `file://` URI
 * (Flink's usual form); any other scheme (s3://, hdfs://) is refused, naming the key, since only
 * local directories are supported.
 */
export function checkpointPath(key: string, value: string): string {
  return localPath(value, key, 'a local directory', (message) => new ConfigError(key, message));
}

export function checkpointDirName(id: number): string {
  return `chk-${String(id).padStart(6, '0')}`;
}

export class CheckpointStorage {
  private readonly inMemory: CompletedCheckpoint[] = [];

  /** @param dir null keeps checkpoints in memory only. */
  constructor(
    private readonly dir: string | null,
    private readonly retained: number,
    private readonly log: Logger,
  ) {}

  get directory(): string | null {
    return this.dir;
  }

  /** Stores a completed checkpoint durably, then drops the oldest beyond the retained count. */
  async store(checkpoint: CompletedCheckpoint): Promise<void> {
    if (this.dir === null) {
      this.inMemory.push(checkpoint);
      while (this.inMemory.length > this.retained) this.inMemory.shift();
      return;
    }
    await mkdir(this.dir, { recursive: true });
    const name = checkpointDirName(checkpoint.id);
    const temp = join(this.dir, `.${name}.inprogress`);
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp);
    const states = await writeStateFiles(temp, 'state', checkpoint.states, (bytes) => bytes);
    const broadcast = await writeStateFiles(temp, 'broadcast', checkpoint.broadcast ?? {}, encodeBroadcastSnapshot);
    const metadata: Metadata = {
      format: FORMAT,
      version: VERSION,
      id: checkpoint.id,
      timestamp: checkpoint.timestamp,
      sources: Buffer.from(encodeGeneric(checkpoint.sources)).toString('base64'),
      sinks: Buffer.from(encodeGeneric(checkpoint.sinks)).toString('base64'),
      states,
      broadcast,
    };
    await writeDurably(join(temp, METADATA), Buffer.from(JSON.stringify(metadata, null, 2)));
    await syncDirectory(temp);
    await rename(temp, join(this.dir, name));
    await syncDirectory(this.dir);
    await this.prune();
  }

  /**
   * The highest checkpoint id in the directory (0 if none, or in memory): a new run numbers its
   * checkpoints after it, so that they are the newest there (what retention keeps and a resume
   * picks) and never collide with an earlier run's.
   */
  async highestId(): Promise<number> {
    if (this.dir === null) return 0;
    const ids = (await readdir(this.dir).catch(() => [] as string[])).map((name) => NAME.exec(name)).filter((m) => m !== null);
    return Math.max(0, ...ids.map((m) => Number(m[1])));
  }

  /** The newest complete checkpoint, or null. */
  async latest(): Promise<CompletedCheckpoint | null> {
    if (this.dir === null) return this.inMemory[this.inMemory.length - 1] ?? null;
    return latestIn(this.dir, this.log);
  }

  /**
   * Removes the checkpoints numbered `firstId` or later (those a run that numbered its own from
   * `firstId` stored); returns how many. A job that finishes discards its checkpoints, as Flink
   * discards a finished job's retained ones: resuming from one would repeat output the job
   * had already delivered past it. Earlier runs' checkpoints in the directory stay. Checkpoints
   * kept in memory end with the job anyway: nothing to do.
   */
  async discardFrom(firstId: number): Promise<number> {
    if (this.dir === null) return 0;
    const dir = this.dir;
    const ids = (await readdir(dir).catch(() => [] as string[]))
      .map((name) => NAME.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .filter((id) => id >= firstId);
    for (const id of ids) await rm(join(dir, checkpointDirName(id)), { recursive: true, force: true });
    if (ids.length > 0) await syncDirectory(dir);
    return ids.length;
  }

  private async prune(): Promise<void> {
    const dir = this.dir!;
    const ids = (await readdir(dir))
      .map((name) => NAME.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => b - a);
    for (const id of ids.slice(this.retained)) await rm(join(dir, checkpointDirName(id)), { recursive: true, force: true });
  }
}

/**
 * Loads the checkpoint at `path`: a chk-<n> directory itself, or a checkpoint directory (its
 * newest complete checkpoint). Throws a CheckpointError when there is none.
 */
export async function loadCheckpoint(path: string, log: Logger): Promise<CompletedCheckpoint> {
  const full = resolve(path);
  const info = await stat(full).catch(() => null);
  if (info === null || !info.isDirectory()) throw new CheckpointError(`no checkpoint at ${full}: not a directory`);
  const own = NAME.exec(full.split('/').pop() ?? '');
  if (own !== null) {
    const checkpoint = await readCheckpoint(full);
    if (typeof checkpoint === 'string') throw new CheckpointError(`checkpoint ${full} cannot be used: ${checkpoint}`);
    return checkpoint;
  }
  const latest = await latestIn(full, log);
  if (latest === null) throw new CheckpointError(`no complete checkpoint in ${full}`);
  return latest;
}

async function latestIn(dir: string, log: Logger): Promise<CompletedCheckpoint | null> {
  const names = (await readdir(dir).catch(() => [] as string[]))
    .map((name) => ({ name, m: NAME.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .sort((a, b) => Number(b.m[1]) - Number(a.m[1]));
  for (const { name } of names) {
    const checkpoint = await readCheckpoint(join(dir, name));
    if (typeof checkpoint !== 'string') return checkpoint;
    log.warn(`ignoring checkpoint ${join(dir, name)}: ${checkpoint}`);
  }
  return null;
}

/** The checkpoint in `dir`, or why it cannot be used. */
async function readCheckpoint(dir: string): Promise<CompletedCheckpoint | string> {
  let metadata: Metadata;
  try {
    metadata = JSON.parse(await readFile(join(dir, METADATA), 'utf8')) as Metadata;
  } catch (error) {
    return `its ${METADATA} is missing or unreadable (${(error as Error).message})`;
  }
  if (metadata.format !== FORMAT || metadata.version !== VERSION) {
    return `it is not a version ${VERSION} ${FORMAT} (format ${String(metadata.format)}, version ${String(metadata.version)})`;
  }
  const states = await readStateFiles(dir, metadata.states ?? {}, (bytes) => bytes);
  if (typeof states === 'string') return states;
  const broadcast = await readStateFiles(dir, metadata.broadcast ?? {}, decodeBroadcastSnapshot);
  if (typeof broadcast === 'string') return broadcast;
  try {
    return {
      id: metadata.id,
      timestamp: metadata.timestamp,
      sources: decodeGeneric(Buffer.from(metadata.sources, 'base64')) as Record<string, SourcePosition[]>,
      sinks: decodeGeneric(Buffer.from(metadata.sinks, 'base64')) as Record<string, unknown[]>,
      states,
      broadcast,
    };
  } catch (error) {
    return `its ${METADATA} cannot be decoded (${(error as Error).message})`;
  }
}

/** Writes each snapshot to a file of its own, `<prefix>-<n>.bin`, durably; returns what _metadata lists of them. */
async function writeStateFiles<T>(
  dir: string,
  prefix: string,
  snapshots: Record<string, T[]>,
  encode: (snapshot: T) => Uint8Array,
): Promise<Record<string, StateFile[]>> {
  const files: Record<string, StateFile[]> = {};
  let n = 0;
  for (const [key, list] of Object.entries(snapshots)) {
    files[key] = [];
    for (const snapshot of list) {
      const file = `${prefix}-${n++}.bin`;
      const bytes = encode(snapshot);
      await writeDurably(join(dir, file), bytes);
      files[key]!.push({ file, size: bytes.byteLength, crc32: crc32(bytes) });
    }
  }
  return files;
}

/** The snapshots _metadata lists, each file checked against its size and CRC32 and decoded; or why they cannot be used. */
async function readStateFiles<T>(
  dir: string,
  listed: Record<string, StateFile[]>,
  decode: (bytes: Uint8Array) => T | string,
): Promise<Record<string, T[]> | string> {
  const snapshots: Record<string, T[]> = {};
  for (const [key, files] of Object.entries(listed)) {
    snapshots[key] = [];
    for (const f of files) {
      const bytes = await readFile(join(dir, f.file)).catch(() => null);
      if (bytes === null) return `state file ${f.file} is missing`;
      if (bytes.byteLength !== f.size || crc32(bytes) !== f.crc32) return `state file ${f.file} does not match its checksum`;
      const snapshot = decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (typeof snapshot === 'string') return `state file ${f.file} cannot be read: ${snapshot}`;
      snapshots[key]!.push(snapshot);
    }
  }
  return snapshots;
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(bytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
