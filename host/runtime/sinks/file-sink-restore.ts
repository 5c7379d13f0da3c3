/**
 * What a file sink subtask does before it writes, in an attempt that restores a checkpoint or
 * follows a failed attempt of the same run: finish the commit of the restored checkpoint, then
 * delete the in-progress files of the writers it stands for (work after that checkpoint):
 *
 *   restored states (own, and those taken over) ──▶ rename each sealed file not renamed yet
 *   their writer ids + this run's earlier writers ──▶ delete their other hidden files, in any bucket
 *
 * Only files whose names hold one of those writer ids are deleted: another job writing into
 * the same directory (even with the same prefix and subtask index) has other ids, and a fresh
 * start, which knows no ids, deletes nothing.
 */
import { readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartFile } from './part-file-bucket.ts';
import { isInProgressOf } from './part-file-names.ts';

/** What a checkpoint keeps for a file sink subtask (plain data). */
export interface FileSinkState {
  /** The part files it sealed and has not committed yet (absolute paths), in any bucket. */
  files: PartFile[];
  /**
   * The id of the writer that took the state (absent in checkpoints of Sluice before writer
   * ids): its hidden files not in `files` are work after the checkpoint.
   */
  writer?: string;
}

/**
 * Renames every file `states` sealed that is still hidden (the checkpoint completed, so they
 * are committed, whether or not the rename happened before the failure), then deletes the
 * hidden files under `base` of the writers of `states` and of `earlierWriters`.
 */
export async function restoreFileSink(base: string, states: readonly FileSinkState[], earlierWriters: readonly string[]): Promise<void> {
  for (const state of states) {
    for (const f of state.files) if (await exists(f.temp)) await publish(f);
  }
  const writers = new Set(earlierWriters);
  for (const state of states) if (typeof state.writer === 'string') writers.add(state.writer);
  if (writers.size > 0) await deleteInProgress(base, writers);
}

/** Deletes the in-progress files of `writers` in `dir` and the directories under it (not through links). */
async function deleteInProgress(dir: string, writers: ReadonlySet<string>): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    // Not made yet (nothing written), or removed meanwhile by someone else.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) await deleteInProgress(join(dir, entry.name), writers);
    else if (isInProgressOf(entry.name, writers)) await removeFile(join(dir, entry.name));
  }
}

/**
 * Gives a sealed part file its final name, which must be free: a part file never replaces
 * another (its name holds its writer's id, and only that writer, or a restore of its
 * checkpoint, renames onto it).
 */
export async function publish(f: PartFile): Promise<void> {
  if (await exists(f.final)) throw new Error(`FileSink: will not replace ${f.final} with ${f.temp}: a part file of that name already exists`);
  await rename(f.temp, f.final);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Deletes a file that may be gone already. unlink, not rm: rm reports a refused deletion (EPERM)
 * as ENOTDIR, which would name the wrong cause.
 */
export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  });
}
