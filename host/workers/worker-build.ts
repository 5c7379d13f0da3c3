/**
 * The worker's build: the harness and its dependencies bundled into a few ES modules (esbuild),
 * so that a worker starts by loading them with no module hooks. Loaded from source through tsx,
 * a worker took ~1.1 s to start on these machines, ~0.6 s of it importing the harness's
 * modules through the hooks thread; from the build it takes ~0.3 s (benchmarks/RESULTS.md).
 *
 * The build is a cache, not an install step: it lives in node_modules/.cache/sluice/worker, is
 * made by the first job that needs it, and is made again when any file it was built from changed
 * (each input's size and mtime are recorded with it), so that an edited harness never runs stale.
 * Builds made at once by several processes (test files in parallel) each go to a directory of
 * their own and are renamed into place: a reader only ever sees a whole one.
 *
 * Sluice's API and errors are entries of their own, and a worker's module hooks resolve the
 * sources of those modules to them (shared/module-hooks.ts, redirects): a job's module that
 * imports 'sluice' in the worker then gets the same classes as the harness and shipped functions.
 * If the build cannot be made, workers start from source (slower, otherwise the same) and the
 * log says why.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ModuleRedirect } from '../../shared/module-hooks.ts';
import type { Logger } from '../log.ts';

/** Where a worker loads from: the build's directory (a file URL ending in '/') and its redirects. */
export interface WorkerBuild {
  dir: string;
  redirects: ModuleRedirect[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'sluice', 'worker');
const MANIFEST = join(CACHE, 'current.json');
/** Directories of Sluice's own modules that a job's modules import: entries, and redirected. */
const PUBLIC_DIRS = ['shared/api', 'shared/errors'];
/**
 * The worker's entry points: a process's main thread, a worker thread, and a process's stream relay
 * thread (worker/stream-relay.ts), which loads its entry from the build directly.
 */
const WORKER_ENTRIES = ['process-main', 'thread-main', 'stream-relay-thread'];
/** Plain JavaScript beside the harness that must stay one module (not bundled). */
const EXTERNAL = join(ROOT, 'worker', 'module-hooks-register.mjs');
/** Builds other than the current one are removed once this old: a running job may still use one. */
const STALE_BUILD_MS = 24 * 3600_000;
const STALE_TEMP_MS = 3600_000;
/**
 * An input whose mtime is this close to the build's start, or later, may have changed while
 * esbuild read it (or just before, on a file system whose timestamps are whole seconds): it is recorded as
 * changed, so the next host process builds again rather than trust a build of what it was.
 */
const MTIME_SLACK_MS = 1000;
const BANNER =
  "import { createRequire as __sluiceCreateRequire } from 'node:module';\nconst require = __sluiceCreateRequire(import.meta.url);";

/** One size and mtime per input file (absolute paths). */
export type Inputs = [path: string, size: number, mtimeMs: number][];
interface Manifest {
  id: string;
  inputs: Inputs;
}

let enabled = true;
let current: Promise<WorkerBuild | null> | null = null;

/** Tests only: workers of later jobs start from source (false) or from the build (true). */
export function useWorkerBuild(on: boolean): void {
  enabled = on;
}

/** The build workers start from, made or refreshed once per host process; null: from source. */
export function workerBuild(log: Logger): Promise<WorkerBuild | null> {
  if (!enabled) return Promise.resolve(null);
  current ??= freshBuild().catch((error: unknown) => {
    log.warn(`workers start from source (~0.7 s slower each): their build failed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  return current;
}

async function freshBuild(): Promise<WorkerBuild> {
  const manifest = readManifest();
  if (manifest !== null && isFresh(manifest)) return located(manifest.id);
  const id = await build();
  void removeOldBuilds(id);
  return located(id);
}

function located(id: string): WorkerBuild {
  const dir = join(CACHE, id);
  return {
    dir: pathToFileURL(dir).href + '/',
    redirects: PUBLIC_DIRS.map((d) => ({ from: pathToFileURL(join(ROOT, d)).href + '/', to: pathToFileURL(join(dir, d)).href + '/' })),
  };
}

function readManifest(): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
    return typeof m.id === 'string' && Array.isArray(m.inputs) ? m : null;
  } catch {
    return null;
  }
}

function isFresh(m: Manifest): boolean {
  if (!WORKER_ENTRIES.every((entry) => existsSync(join(CACHE, m.id, 'worker', `${entry}.mjs`)))) return false;
  for (const [path, size, mtimeMs] of m.inputs) {
    try {
      const s = statSync(path);
      if (s.size !== size || s.mtimeMs !== mtimeMs) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Builds into a directory of its own, renames it into place; returns its id. */
async function build(): Promise<string> {
  const startedAt = Date.now();
  const esbuild = await import('esbuild');
  await mkdir(CACHE, { recursive: true });
  const temp = await mkdtemp(join(CACHE, 'tmp-'));
  try {
    const entryPoints = WORKER_ENTRIES.map((entry) => ({ in: `worker/${entry}.ts`, out: `worker/${entry}` }));
    for (const dir of PUBLIC_DIRS) {
      for (const file of await readdir(join(ROOT, dir))) {
        if (file.endsWith('.ts') && !file.endsWith('.d.ts')) entryPoints.push({ in: `${dir}/${file}`, out: `${dir}/${file.slice(0, -3)}` });
      }
    }
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outdir: temp,
      outExtension: { '.js': '.mjs' },
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      // Bundled CommonJS packages (protobufjs's optional requires) need a `require`.
      banner: { js: BANNER },
      plugins: [
        {
          name: 'sluice-external',
          setup(b) {
            b.onResolve({ filter: /module-hooks-register\.mjs$/ }, () => ({ path: pathToFileURL(EXTERNAL).href, external: true }));
          },
        },
      ],
    });
    const stats: Inputs = [];
    for (const input of Object.keys(result.metafile.inputs)) {
      const path = join(ROOT, input);
      const s = await stat(path);
      stats.push([path, s.size, s.mtimeMs]);
    }
    const inputs = recordedInputs(stats, startedAt);
    const id = createHash('sha256').update(JSON.stringify([esbuild.version, inputs])).digest('hex').slice(0, 16);
    const target = join(CACHE, id);
    try {
      await rename(temp, target);
    } catch (error) {
      // Another process built the same inputs first: use theirs.
      if (!existsSync(join(target, 'worker', 'process-main.mjs'))) throw error;
      await rm(temp, { recursive: true, force: true });
    }
    const manifestTemp = `${MANIFEST}.${process.pid}.tmp`;
    await writeFile(manifestTemp, JSON.stringify({ id, inputs } satisfies Manifest));
    await rename(manifestTemp, MANIFEST);
    return id;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The inputs as the manifest records them: the stats taken after the build, except that an
 * input modified since shortly before the build started gets an mtime no file has (-1). Its
 * stats were taken after esbuild read it, and may describe a newer version than the one built.
 */
export function recordedInputs(stats: Inputs, startedAt: number): Inputs {
  return stats.map(([path, size, mtimeMs]) => [path, size, mtimeMs >= startedAt - MTIME_SLACK_MS ? -1 : mtimeMs]);
}

async function removeOldBuilds(keep: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(CACHE).catch(() => [] as string[])) {
    if (name === keep) continue;
    const path = join(CACHE, name);
    const s = await stat(path).catch(() => null);
    // The manifest and its temporary copies are files.
    if (s === null || !s.isDirectory()) continue;
    if (now - s.mtimeMs > (name.startsWith('tmp-') ? STALE_TEMP_MS : STALE_BUILD_MS)) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
