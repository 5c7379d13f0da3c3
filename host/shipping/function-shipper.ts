/**
 * Decides how each function reaches the worker (proto/functions.md):
 *   module    exported from a module a worker may import: loaded from there by name, so it
 *             may use anything its module has
 *   source    otherwise: its source is evaluated again in the worker. Every name it uses must
 *             be a JS global, a Sluice API name, an import of its module (shipped as a binding
 *             the worker imports) or a module-level name exported from an importable module
 *   instance  an object of a class: the class (module or source) plus its own fields
 * Anything tying a function to its host-side scope (a closed-over local, a job-file helper,
 * a bound `this`) is refused with a ShippingProblem that says what to change.
 */
import { basename } from 'node:path';
import { types } from 'node:util';
import { apiClassOf, apiExportName, hasApiExport, isApiClass, isHostRuntime } from './api-exports.ts';
import { closedOverValue } from './closure-values.ts';
import { cannotShip, describePath, ValueEncoder } from './encode-value.ts';
import { functionSource, FunctionSourceError, type FunctionSource } from './function-source.ts';
import { isNeverImported } from './job-entry.ts';
import { ModuleInfo, type FunctionSite } from './module-analysis.ts';
import { resolveSpecifier } from './module-specifiers.ts';
import { isViteNamespace, NameProblems } from './name-problems.ts';
import type { Binding, FunctionNode } from './payload.ts';
import { originOf, scriptSource, type FunctionLocation } from './script-inspector.ts';
import { shippedSourceMap } from './source-map.ts';
import { listNames, ShippingProblem } from './shipping-problem.ts';

/** Names a function for messages and for the sourceURL of its rebuilt source. */
export type Describe = (fn: unknown) => string;

const modules = new Map<string, ModuleInfo | null>();

export class FunctionShipper {
  private readonly values = new ValueEncoder((value, path) => this.nested(value, path));
  /** Module-level values being captured (see captured()), with their names: meeting one again is a cycle. */
  private readonly capturing = new Map<unknown, string>();

  constructor(private readonly describe: Describe) {}

  root(value: unknown): FunctionNode {
    if (typeof value === 'function') return this.function(value);
    if (typeof value === 'object' && value !== null) {
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) {
        const fields = this.values.fields(value, 'this');
        return proto === null ? { kind: 'object', fields, nullPrototype: true } : { kind: 'object', fields };
      }
      if (apiClassOf(value) !== undefined) {
        throw new ShippingProblem('is a Sluice API object, not a function or a function object');
      }
      return this.instance(value, 'this');
    }
    throw new ShippingProblem(`is not a function or a function object (got ${value === null ? 'null' : typeof value})`);
  }

  /** A function or an object of a user class, held by the field at `path`. */
  private nested(value: Function | object, path: string): FunctionNode {
    try {
      return typeof value === 'function' ? this.function(value, path) : this.instance(value, path);
    } catch (e) {
      if (!(e instanceof ShippingProblem) || e instanceof CaptureCycle) throw e;
      throw new ShippingProblem(e.about(`${describePath(path)} (${this.describe(value)})`), true);
    }
  }

  private instance(obj: object, path: string): FunctionNode {
    const proto: unknown = Object.getPrototypeOf(obj);
    const ctor: unknown = (proto as { constructor?: unknown } | null)?.constructor;
    if (typeof ctor !== 'function' || ctor.prototype !== proto) {
      throw new ShippingProblem('is an object whose prototype is not the prototype of a class');
    }
    const ctorOrigin = originOf(ctor);
    if (ctorOrigin.kind === 'script' && isHostRuntime(ctorOrigin.location.url)) {
      throw new ShippingProblem(
        `${describePath(path)} holds ${withArticle(ctor.name || 'object')}, part of Sluice's job-building API, which ` +
          'stays on the host: functions cannot use it.',
        true,
      );
    }
    if (ctorOrigin.kind !== 'script' || Array.isArray(obj)) {
      const what = withArticle(ctor.name || 'built-in object');
      if (path === 'this') throw new ShippingProblem(`is ${what}, not a function or a function object`);
      throw cannotShip(path, what);
    }
    this.checkRebuildable(ctor);
    return { kind: 'instance', class: this.function(ctor, undefined, true), fields: this.values.fields(obj, path) };
  }

  /** An object is rebuilt from its class's prototype without running the constructor. */
  private checkRebuildable(ctor: Function): void {
    for (let c: unknown = ctor; typeof c === 'function' && !isApiClass(c); c = Object.getPrototypeOf(c)) {
      if (c === Function.prototype || c === Object) break;
      if (originOf(c).kind !== 'script') {
        throw new ShippingProblem(
          `extends ${c.name}, a built-in class whose internal state is not in fields and cannot be rebuilt. ` +
            `Hold ${withArticle(c.name)} in a field instead.`,
        );
      }
      const src = this.sourceOf(c);
      if (src.privateMembers.length > 0) {
        const plain = src.privateMembers.map((m) => m.slice(1));
        throw new ShippingProblem(
          `has private members: class ${c.name || '(anonymous)'} declares ${listNames(src.privateMembers)}. ` +
            'A function object is rebuilt in the worker from its fields without running its constructor, and ' +
            `private members are not fields. Use ordinary fields instead (${listNames(plain)}).`,
        );
      }
      if (!src.isClass && Object.getOwnPropertyNames(c.prototype).some((k) => k !== 'constructor')) {
        throw new ShippingProblem(
          `is an object of the constructor function ${c.name || '(anonymous)'}, whose prototype methods are ` +
            'added outside its source and would not be rebuilt. Declare it as a class.',
        );
      }
    }
  }

  /** @param ofInstance the class of an object being shipped, whose constructor will not run */
  private function(fn: Function, path?: string, ofInstance = false): FunctionNode {
    const api = apiExportName(fn);
    if (api !== undefined) return { kind: 'api', export: api };
    if (types.isProxy(fn)) throw new ShippingProblem('is a Proxy, whose handler cannot be shipped. Pass the function itself.');
    const origin = originOf(fn);
    if (origin.kind === 'bound') {
      throw new ShippingProblem(
        'is a bound function (made with .bind()); its bound `this` and arguments cannot be shipped. Pass the ' +
          'function itself, and give it the bound values as fields of a function class.',
      );
    }
    if (origin.kind === 'native') {
      const path = globalPathOf(fn);
      if (path !== null) return { kind: 'global', path };
      throw new ShippingProblem(nativeReason(fn));
    }
    const location = origin.location;
    if (isHostRuntime(location.url)) {
      throw new ShippingProblem(
        "is part of Sluice's job-building API (the host runtime), which workers do not have. Functions may use " +
          "Sluice's user-function API: Types, state descriptors, function base classes, OutputTag …",
      );
    }
    if (location.url.startsWith('node:')) {
      throw new ShippingProblem(
        `is part of Node.js (${location.url}) and cannot be shipped. Wrap it in a function of your own, ` +
          `e.g. \`(value) => ${fn.name || 'f'}(value)\`.`,
      );
    }
    const src = this.sourceOf(fn);
    const module = moduleOf(location);
    const site = module?.functionAt(location.line, location.column, src.isClass) ?? null;
    if (module !== null && site?.topLevelName && importable(module.url)) {
      const declared = module.names.get(site.topLevelName);
      const exported = module.exportNameOf(site.topLevelName);
      if (exported !== null && (declared === undefined || (declared.kind === 'local' && declared.stable))) {
        return { kind: 'module', module: module.url, export: exported };
      }
    }
    return this.sourceNode(fn, src, location, module, site, path, ofInstance);
  }

  private sourceOf(fn: Function): FunctionSource {
    try {
      return functionSource(fn);
    } catch (e) {
      if (e instanceof FunctionSourceError) throw new ShippingProblem(e.message);
      throw e;
    }
  }

  private sourceNode(
    fn: Function,
    src: FunctionSource,
    location: FunctionLocation,
    module: ModuleInfo | null,
    site: FunctionSite | null,
    path: string | undefined,
    ofInstance: boolean,
  ): FunctionNode {
    checkSelfContained(src, site);
    const bindings: Record<string, Binding> = {};
    const strict = new NameProblems(module);
    // What only the constructor uses is bound when it can be and otherwise left out: the
    // worker rebuilds the object from its fields and never runs the constructor.
    const lenient = new NameProblems(module);
    for (const name of src.freeNames) {
      const problems = ofInstance && src.constructionOnlyNames.has(name) ? lenient : strict;
      const scope = site === null ? 'none' : site.scopeOf(name);
      if (name === site?.ownName && scope !== 'none') bindings[name] = { self: true };
      else if (scope === 'enclosing') problems.closures.push(name);
      else if (scope === 'module') {
        const binding = this.moduleBinding(fn, name, module!, src, problems);
        if (binding !== null) bindings[name] = binding;
      } else if (!(name in globalThis)) problems.unknown.push(name);
    }
    strict.throwIfAny();
    const node: FunctionNode = {
      kind: 'source',
      name: sourceName(this.describe(fn)),
      source: src.source,
      syntax: src.syntax,
      bindings,
    };
    const map = shippedSourceMap(location, src.source);
    if (map !== null) node.map = map;
    const keys = src.isClass ? [] : Object.keys(fn);
    if (keys.length > 0) {
      const label = path ?? (fn.name || 'function');
      node.properties = Object.fromEntries(keys.map((k) => [k, this.values.encode((fn as never)[k], `${label}.${k}`)]));
    }
    return node;
  }

  private moduleBinding(fn: Function, name: string, module: ModuleInfo, src: FunctionSource, problems: NameProblems): Binding | null {
    const declared = module.names.get(name)!;
    switch (declared.kind) {
      case 'helper':
        return { helper: name };
      case 'wrapper':
        problems.wrapper.push(name);
        return null;
      case 'import': {
        const target = resolveSpecifier(declared.specifier, module.format, module.url);
        if (target.kind === 'api') {
          const used = declared.imported === '*' ? [...(src.memberUses.get(name) ?? [])] : [declared.imported];
          const qualified = declared.imported === '*' && !isViteNamespace(name);
          for (const exported of used) {
            if (!hasApiExport(exported)) problems.notInApi.push(qualified ? `${name}.${exported}` : exported);
          }
          return { api: declared.imported };
        }
        if (target.module.startsWith('file:') && isNeverImported(target.module)) {
          problems.importedFromUnimportable.push([name, target.module]);
          return null;
        }
        return target.from === undefined
          ? { module: target.module, export: declared.imported }
          : { module: target.module, export: declared.imported, from: target.from };
      }
      case 'local': {
        const exported = declared.stable && importable(module.url) ? module.exportNameOf(name) : null;
        if (exported !== null) return { module: module.url, export: exported };
        if (declared.stable) return this.captured(fn, name, module, declared.mayBeUndefined, problems, src);
        problems.moduleLevel.push(name);
        return null;
      }
    }
  }

  /**
   * A module-level const, function or class that no import reaches (the job file's, a test
   * file's, or one its module does not export): its value as `fn` sees it now, encoded, as
   * cloudpickle ships a function's globals. `let` and `var` are not captured: the job file may
   * still change them.
   */
  private captured(
    fn: Function,
    name: string,
    module: ModuleInfo,
    mayBeUndefined: boolean,
    problems: NameProblems,
    src: FunctionSource,
  ): Binding | null {
    // `class B extends A`: A's value is B's prototype. It is read there because only the class
    // definition uses A when no method does, and then no scope of B's holds it.
    const found = src.heritageName === name ? { found: true, value: Object.getPrototypeOf(fn) as unknown } : closedOverValue(fn, name);
    // The inspector shows a name whose declaration has not run yet as undefined.
    if (!found.found || (found.value === undefined && !mayBeUndefined)) {
      problems.unreadable.push(name);
      return null;
    }
    const value = found.value;
    if (value === fn) return { self: true };
    if (this.capturing.has(value)) {
      const cycle = [...this.capturing.values()].slice([...this.capturing.keys()].indexOf(value));
      throw new CaptureCycle(
        `${listNames(cycle)} of ${basename(module.url)} use each other: module-level values that refer to each ` +
          'other cannot travel by value. Export them from a module the job imports (not the job file).',
      );
    }
    if (typeof value === 'object' || typeof value === 'function') this.capturing.set(value, name);
    try {
      return { value: this.values.encode(value, name) };
    } catch (e) {
      if (!(e instanceof ShippingProblem) || e instanceof CaptureCycle) throw e;
      throw new ShippingProblem(
        `uses \`${name}\`, declared at the top level of ${basename(module.url)}, whose value travels to the ` +
          `worker as it is now; it cannot: ${e.about(`\`${name}\``)}`,
      );
    } finally {
      this.capturing.delete(value);
    }
  }
}

/** Module-level values that refer to each other: reported as it is, whoever meets it. */
class CaptureCycle extends ShippingProblem {
  constructor(reason: string) {
    super(reason, true);
  }
}

function checkSelfContained(src: FunctionSource, site: FunctionSite | null): void {
  if (src.usesImportMeta) {
    throw new ShippingProblem(
      'uses import.meta, which a function rebuilt from its source does not have. Compute the value outside and ' +
        'pass it as a field of a function class, or export the function from a module.',
    );
  }
  if (src.isArrow && (src.usesOuterThis || src.usesOuterArguments) && site?.hasEnclosingThis) {
    const what = src.usesOuterThis ? '`this`' : '`arguments`';
    throw new ShippingProblem(
      `is an arrow function that uses ${what} of the function it was created in, which stays behind. Copy what ` +
        'it needs into a field of a function class (and read it from `this` in a method), or into the arrow.',
    );
  }
  if (src.usesSuper) {
    throw new ShippingProblem('is a method that uses `super`, which needs its class. Pass the object, not its method.');
  }
  const relative = src.dynamicImports.filter((s) => /^\.{1,2}\//.test(s));
  if (relative.length > 0) {
    throw new ShippingProblem(
      `imports ${listNames(relative)} with a relative path, which the worker would resolve from a different ` +
        'file. Import the module at the top of the file instead.',
    );
  }
}

function moduleOf(location: FunctionLocation): ModuleInfo | null {
  let info = modules.get(location.scriptId);
  if (info === undefined) {
    const source = scriptSource(location.scriptId);
    try {
      info = source === null ? null : new ModuleInfo(location.url, source);
    } catch {
      info = null;
    }
    modules.set(location.scriptId, info);
  }
  return info;
}

function importable(url: string): boolean {
  return url.startsWith('file:') && !isNeverImported(url);
}

/** For a native function that no global reaches (a prototype's method, say). */
function nativeReason(fn: Function): string {
  return (
    `is a native function${fn.name ? ` (${fn.name})` : ''} that no JavaScript global reaches, and it has no ` +
    'JavaScript source to ship. Wrap it in a function of your own that calls it.'
  );
}

/**
 * `Math.sqrt` for Math.sqrt: where a native function is reachable from the globals, if anywhere.
 * A worker has the same globals, so such a function travels as that path (`String`, `Boolean`,
 * `JSON.parse`: what `.map(String)` or `.filter(Boolean)` pass).
 */
function globalPathOf(fn: Function): string | null {
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    const value = valueOf(globalThis, name);
    if (value === fn) return name;
    if ((typeof value === 'object' || typeof value === 'function') && value !== null && /^[A-Z]/.test(name)) {
      for (const key of Object.getOwnPropertyNames(value)) {
        if (valueOf(value, key) === fn) return `${name}.${key}`;
      }
    }
  }
  return null;
}

/** A data property's value; accessors are not called (some globals warn when read). */
function valueOf(holder: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(holder, key);
  return d !== undefined && 'value' in d ? d.value : undefined;
}

function withArticle(noun: string): string {
  return `${/^[AEIOU]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** `<lambda at job.ts:12:5>` → `lambda@job.ts:12:5`: readable in a worker's stack traces. */
function sourceName(described: string): string {
  const lambda = /^<(\w+) at (.*)>$/.exec(described);
  return lambda ? `${lambda[1]}@${lambda[2]}` : described;
}
