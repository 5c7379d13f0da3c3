/**
 * The files a FileSource reads under its paths, as Flink's FileSource enumerates them: a path
 * that is a file is itself; a directory gives the files in it and in its subdirectories, in the
 * order of their names (depth first), so that every run and every restart sees them in the same
 * order. Hidden entries, whose names start with "." or "_" (a file sink's in-progress files, a
 * "_SUCCESS" marker, a ".staging" directory), are skipped with all they hold. Symbolic links are
 * followed, as Flink's local file system follows them, to files and to directories, but not into
 * a directory the walk is already inside (a link back up the tree); a dangling one is skipped. A
 * path listed twice is listed once, first where it came first.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

export async function enumerateFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    found.push(file);
  };
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) await walk(path, add, new Set());
    else add(path);
  }
  return found;
}

/** Walks `directory`; `inside` holds the real paths of the directories the walk is in. */
async function walk(directory: string, add: (file: string) => void, inside: ReadonlySet<string>): Promise<void> {
  const real = await realpath(directory);
  if (inside.has(real)) return;
  const within = new Set(inside).add(real);
  const entries = (await readdir(directory, { withFileTypes: true }))
    .filter((entry) => !isHidden(entry.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    const kind = entry.isSymbolicLink() ? await kindBehind(path) : entry.isDirectory() ? 'directory' : entry.isFile() ? 'file' : null;
    if (kind === 'directory') await walk(path, add, within);
    else if (kind === 'file') add(path);
  }
}

function isHidden(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** What a symbolic link leads to; null for a dangling one, or anything but a file or a directory. */
async function kindBehind(link: string): Promise<'file' | 'directory' | null> {
  try {
    const target = await stat(link);
    return target.isFile() ? 'file' : target.isDirectory() ? 'directory' : null;
  } catch {
    return null;
  }
}
