/**
 * Module-loading hooks (node:module `register`) that the `sluice` command and every worker
 * install after tsx's. Run on Node's module-hooks thread.
 *
 * 1. TypeScript files outside node_modules load as ES modules, whatever the nearest
 *    package.json says (`.cts` stays CommonJS). In a project without `"type": "module"` (what
 *    `npm init` writes) tsx loads `.ts` as CommonJS, and on Node ≥ 20.19 that fails in several
 *    ways: the job file's top-level `await` and a helper imported twice end in
 *    ERR_REQUIRE_CYCLE_MODULE, a helper's own imports reach Node's CommonJS loader as
 *    untranspiled TypeScript. TypeScript written with `import`/`export` reads the same as an
 *    ES module, so loading it as one is what the user wrote.
 * 2. `sluice-resolve:?specifier=…&from=…` resolves a bare package name as the module `from`
 *    would (Node 20 resolves only relative to the importing module, and its
 *    `import.meta.resolve(specifier, parent)` needs a flag). A worker imports the packages a
 *    job's functions use this way: from its own location it would not find them when Sluice
 *    is linked or installed by pnpm rather than hoisted beside them.
 * 3. Redirects (a worker started from its build, host/workers/worker-build.ts): a module under
 *    one of `from`'s directories resolves to the build's module of the same path under `to`,
 *    `.ts` as `.mjs`. A job's module that imports Sluice's API then shares the worker's classes.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

export const RESOLVE_FROM_SCHEME = 'sluice-resolve:';

/** The specifier that, with these hooks registered, resolves `specifier` as `from` imports it. */
export function resolveFromSpecifier(specifier: string, from: string): string {
  return `${RESOLVE_FROM_SCHEME}?${new URLSearchParams({ specifier, from }).toString()}`;
}

/** Modules under the directory URL `from` (ending in '/') resolve to the same paths under `to`. */
export interface ModuleRedirect {
  from: string;
  to: string;
}

let redirects: readonly ModuleRedirect[] = [];

/** Node calls it with register()'s `data`. */
export function initialize(data: { redirects?: readonly ModuleRedirect[] } | undefined): void {
  redirects = data?.redirects ?? [];
}

/** The build's module for `url`, or null when no redirect covers it. */
export function redirected(url: string, rules: readonly ModuleRedirect[]): string | null {
  const bare = url.replace(/[?#].*$/, '');
  for (const { from, to } of rules) {
    if (bare.startsWith(from) && bare.endsWith('.ts')) return `${to}${bare.slice(from.length, -'.ts'.length)}.mjs`;
  }
  return null;
}

interface ResolveContext {
  parentURL?: string | undefined;
}
interface ResolveResult {
  url: string;
  format?: string | null | undefined;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  let resolved: ResolveResult;
  if (specifier.startsWith(RESOLVE_FROM_SCHEME)) {
    const query = new URLSearchParams(specifier.slice(RESOLVE_FROM_SCHEME.length + 1));
    resolved = await nextResolve(query.get('specifier') ?? '', { ...context, parentURL: query.get('from') ?? undefined });
  } else {
    resolved = await nextResolve(specifier, context);
  }
  const target = redirected(resolved.url, redirects);
  if (target !== null) return { url: target, format: 'module' };
  const file = userTypeScriptFile(resolved.url);
  return file === null ? resolved : { ...resolved, url: pathToFileURL(file).href, format: 'module' };
}

/**
 * The path of a `.ts` / `.tsx` file outside node_modules that `url` names, or null. tsx marks
 * a CommonJS module imported from an ES module with a query, partly inside the path
 * (`units.ts%3Ftsx-…?tsx-…`): the file is what comes before it.
 */
export function userTypeScriptFile(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  let path: string;
  try {
    path = fileURLToPath(url.replace(/[?#].*$/, ''));
  } catch {
    return null;
  }
  path = path.replace(/\?.*$/, '');
  return /\.tsx?$/.test(path) && !path.split(/[\\/]/).includes('node_modules') ? path : null;
}
