/**
 * Which modules a worker must never import. The job file builds and executes the job at its
 * top level, so importing it in a worker would run the job again; test files register tests
 * when imported. Functions defined in either travel as source (see ship-function.ts).
 */
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Extensions tried when the entry was given without one (`tsx job` runs job.ts). */
const ENTRY_EXTENSIONS = ['', '.ts', '.mts', '.tsx', '.js', '.mjs'];

let explicitEntry: string | null = null;
let defaultEntry: string | null | undefined;

/** Set by the CLI (`sluice run job.ts`): the file URL (or path) of the job file. */
export function setJobEntry(url: string): void {
  explicitEntry = canonicalUrl(url.startsWith('file:') ? url : pathToFileURL(url).href);
}

/**
 * The job file's URL: what setJobEntry set, else `process.argv[1]` resolved to a real file
 * URL. Null when neither names a file (a REPL, `node -e`).
 */
export function jobEntry(): string | null {
  if (explicitEntry !== null) return explicitEntry;
  if (defaultEntry === undefined) defaultEntry = entryFromArgv(process.argv[1]);
  return defaultEntry;
}

/** True for a module a worker must never import: the job file, or a `.test`/`.spec` file. */
export function isNeverImported(url: string): boolean {
  if (isTestFile(url)) return true;
  const entry = jobEntry();
  return entry !== null && url.startsWith('file:') && canonicalUrl(url) === entry;
}

export function isTestFile(url: string): boolean {
  return /\.(test|spec)\.[cm]?[jt]sx?$/.test(url.replace(/[?#].*$/, ''));
}

function entryFromArgv(arg: string | undefined): string | null {
  if (arg === undefined || arg === '') return null;
  for (const ext of ENTRY_EXTENSIONS) {
    const candidate = arg + ext;
    if (existsSync(candidate)) return canonicalUrl(pathToFileURL(candidate).href);
  }
  return null;
}

const canonical = new Map<string, string>();

/** The URL with symlinks resolved, so that two spellings of one file compare equal. */
export function canonicalUrl(url: string): string {
  let result = canonical.get(url);
  if (result === undefined) {
    const clean = url.replace(/[?#].*$/, '');
    try {
      result = pathToFileURL(realpathSync(fileURLToPath(clean))).href;
    } catch {
      result = clean;
    }
    canonical.set(url, result);
  }
  return result;
}
