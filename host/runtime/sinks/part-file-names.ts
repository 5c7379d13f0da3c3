/**
 * The names of a file sink's part files, as Flink's: `<prefix>-<writer id>-<subtask>-<n><suffix>`,
 * hidden as `.<name>.inprogress` until committed. The writer id is a UUID each subtask's writer
 * chooses when it is made (once per attempt), so that two jobs, or two attempts of one, writing
 * into one directory never choose the same name, and a restore can tell its own writers' files
 * (whose ids its checkpoint holds) from anyone else's without guessing from prefixes.
 */
import { randomUUID } from 'node:crypto';

export function newWriterId(): string {
  return randomUUID();
}

/** The committed name of part `n` of the writer `writerId` of subtask `subtask`. */
export function partFileName(prefix: string, writerId: string, subtask: number, n: number, suffix: string): string {
  return `${prefix}-${writerId}-${subtask}-${n}${suffix}`;
}

/** What a part file is called while it is in progress or pending. */
export function inProgressName(final: string): string {
  return `.${final}.inprogress`;
}

/**
 * Whether `name` is the in-progress (or pending) file of one of `writerIds`, whatever prefix
 * and suffix the job gave it then: a UUID appears in no other writer's names.
 */
export function isInProgressOf(name: string, writerIds: ReadonlySet<string>): boolean {
  if (!name.startsWith('.') || !name.endsWith('.inprogress')) return false;
  for (const id of writerIds) if (name.includes(`-${id}-`)) return true;
  return false;
}
