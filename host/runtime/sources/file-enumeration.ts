/**
 * The files a FileSource reads under its paths, as Flink's FileSource enumerates them: a path
 * that is a file is itself; a directory gives the files in it and in its subdirectories, in the
 * order of their names (depth first), so that every run and every restart sees them in the same
 * order. Hidden entries, whose names start with "." or "_" (a file sink's in-progress files, a
 * "_SUCCESS" marker, a ".staging" directory), are skipped with all they hold. A symbolic link is
 * followed to a file, not to a directory (which could lead back up the tree). A file found under
 * two paths is listed once, under the first.
 */
import { readdir, stat } from 'node:fs/promises';
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
    if ((await stat(path)).isDirectory()) await walk(path, add);
    else add(path);
  }
  return found;
}

async function walk(directory: string, add: (file: string) => void): Promise<void> {
  const entries = (await readdir(directory, { withFileTypes: true }))
    .filter((entry) => !isHidden(entry.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) await walk(path, add);
    else if (entry.isFile()) add(path);
    else if (entry.isSymbolicLink() && (await isFileBehind(path))) add(path);
  }
}

function isHidden(name: string): boolean {
  return name.startsWith('.') || name.startsWith('_');
}

/** Whether a symbolic link leads to a file (a dangling one leads nowhere: skipped). */
async function isFileBehind(link: string): Promise<boolean> {
  try {
    return (await stat(link)).isFile();
  } catch {
    return false;
  }
}
