/**
 * A module-loading hook (node:module `register`) that the `sluice` command and every worker
 * install after tsx's: TypeScript files outside node_modules load as ES modules, whatever
 * the nearest package.json says. `.cts` files stay CommonJS.
 *
 * Why: in a project without `"type": "module"` (what `npm init` writes), tsx loads `.ts` as
 * CommonJS, and on Node ≥ 20.19 that fails in several ways: the job file's top-level `await`
 * and a helper imported twice end in ERR_REQUIRE_CYCLE_MODULE, a helper's own imports are
 * read by Node's CommonJS loader as untranspiled TypeScript. TypeScript written with
 * `import`/`export` reads the same as an ES module, so loading it as one is what the user
 * wrote. Runs on Node's module-hooks thread.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ResolveResult {
  url: string;
  format?: string | null | undefined;
}
type NextResolve = (specifier: string, context: object) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: object, nextResolve: NextResolve): Promise<ResolveResult> {
  const resolved = await nextResolve(specifier, context);
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
