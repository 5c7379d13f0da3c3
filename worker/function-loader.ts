/**
 * Rebuilds a user function from its `sluice:fn:js:v1` description (proto/functions.md):
 *   module    import(module)[export]
 *   api       an export of Sluice's API
 *   global    a native function of the JavaScript globals, by its path (`String`, `Math.abs`)
 *   source    the source evaluated again, with its bindings (imports, API names, compiler
 *             helpers, module-level consts by value) in scope and `//# sourceURL=sluice-fn:///<name>` so stacks name it
 *   instance  Object.create(class.prototype) with the shipped fields; the constructor is not
 *             run (as unpickling does), so what it would compute arrives as fields
 *   object    a plain object holding functions
 * Every call rebuilds afresh: nothing is shared with an earlier load. Within one load, the
 * same class source evaluates once, so objects of one class share it.
 */
import * as api from '../shared/api/index.ts';
import { UnshippableFunctionError } from '../shared/errors/errors.ts';
import { RESOLVE_FROM_SCHEME, resolveFromSpecifier } from '../shared/module-hooks.ts';
import { COMPILER_HELPERS } from './shipping/compiler-helpers.ts';
import { ensureModuleHooks } from './module-hooks-register.mjs';
import { apiExport, assignFields, decodeValue, PayloadError, type LoadNode } from './shipping/decode-value.ts';

export const FUNCTION_URN = 'sluice:fn:js:v1';

/** What FunctionSpec carries (the generated protocol type has optional fields). */
export interface FunctionSpecLike {
  urn?: string | null;
  payload?: Uint8Array | null;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export async function loadFunction(spec: FunctionSpecLike): Promise<unknown> {
  if (spec.urn !== FUNCTION_URN) {
    throw new UnshippableFunctionError(
      '',
      `this worker cannot load a function described as '${spec.urn ?? ''}': it understands ${FUNCTION_URN}`,
    );
  }
  let name = '<function>';
  try {
    const doc: unknown = JSON.parse(decoder.decode(spec.payload ?? new Uint8Array()));
    if (typeof doc !== 'object' || doc === null) throw new PayloadError('the payload is not a JSON object');
    const record = doc as Record<string, unknown>;
    if (typeof record['name'] === 'string') name = record['name'];
    return await new FunctionRebuilder().node(record['function'], 'function');
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const error = new UnshippableFunctionError(name, `Cannot load function ${name} in the worker: ${reason}`);
    if (e instanceof Error) error.cause = e;
    throw error;
  }
}

class FunctionRebuilder {
  /** Source nodes already evaluated in this load, by their JSON text. */
  private readonly evaluated = new Map<string, unknown>();
  private readonly loadNode = (node: unknown, path: string): Promise<unknown> => this.node(node, path);

  async node(node: unknown, path: string): Promise<unknown> {
    if (typeof node !== 'object' || node === null) throw new PayloadError(`${path}: not a function description`);
    const n = node as Record<string, unknown>;
    switch (n['kind']) {
      case 'module':
        return importExport(text(n, 'module', path), text(n, 'export', path));
      case 'api':
        return apiExport(text(n, 'export', path), path);
      case 'global':
        return globalFunction(text(n, 'path', path), path);
      case 'source':
        return this.source(n, path);
      case 'instance': {
        const cls = await this.node(n['class'], `${path} class`);
        if (typeof cls !== 'function' || typeof cls.prototype !== 'object') {
          throw new PayloadError(`${path}: the class of an instance is not a class`);
        }
        return assignFields(Object.create(cls.prototype as object) as object, n['fields'], path, this.loadNode);
      }
      case 'object': {
        const obj: object = n['nullPrototype'] === true ? Object.create(null) : {};
        return assignFields(obj, n['fields'], path, this.loadNode);
      }
      default:
        throw new PayloadError(`${path}: unknown kind ${JSON.stringify(n['kind'])}`);
    }
  }

  private async source(n: Record<string, unknown>, path: string): Promise<unknown> {
    const key = JSON.stringify([n['source'], n['syntax'], n['bindings']]);
    let fn = this.evaluated.get(key);
    if (fn === undefined) {
      fn = await evaluateSource(n, path, this.loadNode);
      this.evaluated.set(key, fn);
    }
    if (n['properties'] !== undefined) {
      if (typeof fn !== 'function') throw new PayloadError(`${path}: properties given for a non-function`);
      await assignFields(fn, n['properties'], path, this.loadNode);
    }
    return fn;
  }
}

async function evaluateSource(n: Record<string, unknown>, path: string, loadNode: LoadNode): Promise<unknown> {
  const source = text(n, 'source', path);
  const syntax = n['syntax'];
  if (syntax !== 'expression' && syntax !== 'method') throw new PayloadError(`${path}: unknown syntax`);
  const bindings = n['bindings'];
  if (typeof bindings !== 'object' || bindings === null) throw new PayloadError(`${path}: bindings must be an object`);
  const names: string[] = [];
  const values: unknown[] = [];
  let self: string | null = null;
  for (const [name, binding] of Object.entries(bindings)) {
    if (!IDENTIFIER.test(name)) throw new PayloadError(`${path}: binding ${JSON.stringify(name)} is not an identifier`);
    const b = binding as Record<string, unknown>;
    if (b['self'] === true) {
      self = name;
      continue;
    }
    names.push(name);
    values.push(await bindingValue(b, `${path} binding ${name}`, loadNode));
  }
  const sourceUrl = `sluice-fn:///${text(n, 'name', path).replace(/[^\w.@:$<>-]/g, '_')}`;
  const [open, close] =
    syntax === 'method' ? ['return ({', '});'] : self !== null ? [`const ${self} = (`, `); return ${self};`] : ['return (', ');'];
  const head = `(function (${names.join(', ')}) { "use strict"; ${open}`;
  const map = sourceMapComment(n['map'], path);
  // With a map the source starts on a line of its own (the map's first line is empty);
  // without one, on the first line, so that line numbers in stacks are at least the source's own.
  const code = `${head}${map === '' ? '' : '\n'}${source}\n${close} })\n//# sourceURL=${sourceUrl}${map}`;
  const factory = (0, eval)(code) as (...args: unknown[]) => unknown;
  const result = factory(...values);
  if (syntax === 'expression') return result;
  // A method (`map(x) {…}`, `get x() {…}`): the one property of the object literal around it.
  const descriptor = Object.values(Object.getOwnPropertyDescriptors(result))[0];
  return descriptor?.value ?? descriptor?.get ?? descriptor?.set;
}

/**
 * The `sourceMappingURL` comment for a source node's `map` (positions from its first character),
 * shifted down one line for the wrapper's; '' when the node has none. Node applies it to stack
 * traces (tsx enables source maps in every worker).
 */
function sourceMapComment(map: unknown, path: string): string {
  if (map === undefined) return '';
  const m = map as Record<string, unknown>;
  if (
    typeof map !== 'object' ||
    map === null ||
    typeof m['mappings'] !== 'string' ||
    !Array.isArray(m['sources']) ||
    !m['sources'].every((s) => typeof s === 'string')
  ) {
    throw new PayloadError(`${path}: map must hold sources (strings) and mappings (a string)`);
  }
  const json = JSON.stringify({ version: 3, sources: m['sources'], names: [], mappings: `;${m['mappings']}` });
  return `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(json).toString('base64')}`;
}

async function bindingValue(b: Record<string, unknown>, path: string, loadNode: LoadNode): Promise<unknown> {
  // A module-level const of the job file, shipped by value.
  if (Object.hasOwn(b, 'value')) return decodeValue(b['value'], path, loadNode);
  if (typeof b['api'] === 'string') return b['api'] === '*' ? api : apiExport(b['api'], path);
  if (typeof b['helper'] === 'string') {
    if (!COMPILER_HELPERS.has(b['helper'])) throw new PayloadError(`${path}: unknown helper ${b['helper']}`);
    return COMPILER_HELPERS.get(b['helper']);
  }
  if (typeof b['module'] === 'string' && typeof b['export'] === 'string') {
    if (b['from'] !== undefined && typeof b['from'] !== 'string') throw new PayloadError(`${path}: from must be a URL`);
    return importExport(b['module'], b['export'], b['from']);
  }
  throw new PayloadError(`${path}: unknown binding`);
}

/**
 * A bare package name resolved as the module `from` resolves it, through Sluice's resolve hook
 * (registered in every worker): a package `from` cannot find fails with Node's own error, naming
 * `from`. Where the hook is not registered (a test calling loadFunction in its own process) the
 * scheme comes back unresolved, and the name resolves from here, as a plain import would.
 */
function resolvedFrom(module: string, from: string): string {
  let url: string;
  try {
    url = import.meta.resolve(resolveFromSpecifier(module, from));
  } catch (error) {
    if (RESOLUTION_FAILURES.has((error as { code?: unknown }).code)) throw error;
    return module;
  }
  return url.startsWith(RESOLVE_FROM_SCHEME) ? module : url;
}

const RESOLUTION_FAILURES = new Set<unknown>(['ERR_MODULE_NOT_FOUND', 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_PACKAGE_IMPORT_NOT_DEFINED']);

/** `Math.abs` from globalThis: each step an own property, the end a function. */
function globalFunction(globalPath: string, path: string): Function {
  let value: unknown = globalThis;
  for (const step of globalPath.split('.')) {
    const holder = value;
    value =
      (typeof holder === 'object' || typeof holder === 'function') && holder !== null && Object.hasOwn(holder, step)
        ? (holder as Record<string, unknown>)[step]
        : undefined;
  }
  if (typeof value !== 'function') throw new PayloadError(`${path}: the global ${globalPath} is not a function in this worker`);
  return value;
}

async function importExport(module: string, name: string, from?: string): Promise<unknown> {
  // A worker started from its build registers tsx and the hooks only now, for a job's modules.
  ensureModuleHooks();
  const target = from === undefined ? module : resolvedFrom(module, from);
  const namespace = (await import(/* @vite-ignore */ target)) as Record<string, unknown>;
  if (name === '*') return namespace;
  if (!(name in namespace)) throw new PayloadError(`module ${module} has no export '${name}'`);
  return namespace[name];
}

function text(n: Record<string, unknown>, key: string, path: string): string {
  const v = n[key];
  if (typeof v !== 'string') throw new PayloadError(`${path}: ${key} must be a string`);
  return v;
}
