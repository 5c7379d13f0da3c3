/**
 * What a file sink wrote into its directory, for tests: its part files at any depth (buckets
 * are subdirectories), each taken apart as `[bucket/]<prefix>-<writer id>-<subtask>-<n><suffix>`.
 * Hidden files (in progress, or pending) are listed apart; what a reader of the output sees
 * is the finished files only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const WRITER_ID = /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(\d+)-(\d+)/;

export interface PartFile {
  /** Relative to the sink's directory, '/'-separated. */
  path: string;
  /** The directory it is in, relative to the sink's directory ('' for the directory itself). */
  bucket: string;
  /** The writer's unique id, its subtask and the file's number (null for a name without them). */
  writer: string | null;
  subtask: number | null;
  n: number | null;
  text: string;
}

/** Every file under `dir` (not through links), relative and '/'-separated, in order of path. */
function walk(dir: string, under = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(dir, under), { withFileTypes: true })) {
    const path = under === '' ? entry.name : `${under}/${entry.name}`;
    if (entry.isDirectory()) found.push(...walk(dir, path));
    else found.push(path);
  }
  return found.sort();
}

const isHidden = (path: string): boolean => path.split('/').some((name) => name.startsWith('.'));

/** The finished (visible) part files under `dir`, in order of path. */
export function finishedParts(dir: string): PartFile[] {
  return walk(dir)
    .filter((path) => !isHidden(path))
    .map((path) => {
      const slash = path.lastIndexOf('/');
      const match = WRITER_ID.exec(path.slice(slash + 1));
      return {
        path,
        bucket: slash === -1 ? '' : path.slice(0, slash),
        writer: match?.[1] ?? null,
        subtask: match === null ? null : Number(match[2]),
        n: match === null ? null : Number(match[3]),
        text: readFileSync(join(dir, path), 'utf8'),
      };
    });
}

/**
 * The finished part files under `dir` by path, each writer's id shown as `<id>`, and what each
 * holds: for a test whose files have one writer per subtask (a test with more compares
 * finishedParts, as two writers' names then read alike).
 */
export function finishedPartFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const part of finishedParts(dir)) {
    const path = part.path.replace(WRITER_ID, (_, _id: string, subtask: string, n: string) => `-<id>-${subtask}-${n}`);
    if (path in files) throw new Error(`two part files read as ${path}: compare finishedParts(${dir}) instead`);
    files[path] = part.text;
  }
  return files;
}

/** Every line of the finished part files under `dir`, file after file in order of path. */
export function finishedLines(dir: string): string[] {
  return finishedParts(dir).flatMap((part) => part.text.split('\n').slice(0, -1));
}

/** The hidden files under `dir` (in progress, or pending a checkpoint), relative, in order of path. */
export function hiddenFiles(dir: string): string[] {
  return walk(dir).filter(isHidden);
}

/**
 * `parts` in the order of their first lines read as numbers: the order in which a job writing
 * increasing numbers wrote them, whichever writer (attempt) wrote each, which names do not tell.
 */
export function inOrderOfFirstNumber(parts: readonly PartFile[]): PartFile[] {
  const first = (part: PartFile): number => Number(part.text.slice(0, part.text.indexOf('\n')));
  return [...parts].sort((a, b) => first(a) - first(b));
}
