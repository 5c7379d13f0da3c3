/**
 * Turns the module specifier an import was written with (or the id vite rewrote it to) into
 * what a worker can import: a file URL, a `node:` builtin, or a bare package name. Imports of
 * Sluice itself ('sluice', host/index.ts, shared/api/index.ts) become the API the worker has.
 *
 * Bare package names travel as written, with the URL of the module that imports them: the
 * worker resolves them as that module does (shared/module-hooks.ts), so that it finds the same
 * packages the job file does wherever Sluice itself is installed.
 */
import { existsSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { canonicalUrl } from './job-entry.ts';

/** `from`: for a bare package name, the URL of the module whose import it is. */
export type ModuleTarget = { kind: 'api' } | { kind: 'module'; module: string; from?: string };

const PACKAGE_NAME = 'sluice';
const API_MODULES = new Set(
  [new URL('../../shared/api/index.ts', import.meta.url).href, new URL('../index.ts', import.meta.url).href].map(
    canonicalUrl,
  ),
);

/** TypeScript sources imported with the extension of their output (`./text.js` for text.ts). */
const TS_EXTENSION_OF: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
  '.jsx': ['.tsx'],
  '': ['.ts', '.tsx', '.mts', '.js', '.mjs', '/index.ts', '/index.js'],
};

/**
 * @param format how the importing module was executed (see module-analysis.ts)
 * @param importer the importing module's URL
 */
export function resolveSpecifier(specifier: string, format: 'esm' | 'vite' | 'script', importer: string): ModuleTarget {
  const spec = specifier.replace(/[?#].*$/, '');
  if (spec === PACKAGE_NAME) return { kind: 'api' };
  if (isBuiltin(spec)) return { kind: 'module', module: spec.startsWith('node:') ? spec : `node:${spec}` };
  let url: string | null = null;
  if (spec.startsWith('file:')) url = spec;
  else if (format === 'vite' && spec.startsWith('/@fs/')) url = pathToFileURL(spec.slice('/@fs'.length)).href;
  else if (format === 'vite' && spec.startsWith('/')) url = viteRootRelative(spec, importer);
  else if ((/^\.{1,2}\//.test(spec) || spec.startsWith('/')) && importer.startsWith('file:')) {
    url = withSourceExtension(new URL(spec, importer).href);
  }
  if (url === null) return importer.startsWith('file:') ? { kind: 'module', module: spec, from: importer } : { kind: 'module', module: spec };
  return API_MODULES.has(canonicalUrl(url)) ? { kind: 'api' } : { kind: 'module', module: url };
}

/** True for a file URL of Sluice's API modules. */
export function isApiModule(url: string): boolean {
  return API_MODULES.has(canonicalUrl(url));
}

/**
 * Vite writes files inside its root as root-relative ids (`/src/text.ts`). The root is an
 * ancestor of the importing file: the nearest one holding the file is taken.
 */
function viteRootRelative(id: string, importer: string): string {
  if (importer.startsWith('file:')) {
    for (let dir = dirname(fileURLToPath(importer)); ; dir = dirname(dir)) {
      const candidate = join(dir, id);
      if (existsSync(candidate)) return pathToFileURL(candidate).href;
      if (dirname(dir) === dir) break;
    }
  }
  return pathToFileURL(join(process.cwd(), id)).href;
}

function withSourceExtension(url: string): string {
  if (!url.startsWith('file:')) return url;
  const path = fileURLToPath(url);
  if (existsSync(path)) return url;
  const ext = /\.[cm]?jsx?$/.exec(path)?.[0] ?? '';
  const stem = path.slice(0, path.length - ext.length);
  for (const candidate of TS_EXTENSION_OF[ext] ?? []) {
    if (existsSync(stem + candidate)) return pathToFileURL(stem + candidate).href;
  }
  return url;
}
