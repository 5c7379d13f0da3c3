/**
 * Reads the source V8 executed for a module and answers what shipping needs to know about it:
 * which names its top level declares (and where imports come from), which of them it exports,
 * and, for a function at a given position, where each name the function uses is declared.
 *
 * Three shapes of executed source are understood:
 *   esm     tsx (esbuild) output: ESM imports/exports kept, helpers like `__name` declared on top
 *   vite    vitest's module runner: the module body wrapped in `async (__vite_ssr_import__, …) =>
 *           {{ … }}`, imports as `const __vite_ssr_import_0__ = await __vite_ssr_import__("/id")`
 *           and exports as `__vite_ssr_exportName__("name", () => { try { return local } … })`
 *   script  anything else: CommonJS output of tsx (`__filename="…";(()=>{ … })()`), eval,
 *           new Function; `require("x")` calls count as namespace imports
 * Exports are found by parsing rather than by importing the module on the host: importing a
 * module that is still evaluating (a job started from a module's top-level await) would wait
 * for itself forever.
 */
import { parse, type AnyNode, type Program, type VariableDeclarator } from 'acorn';
import { boundNames, isFunctionNode, nodeChildren, scopeDeclares, varNames } from './scopes.ts';

export type ModuleName =
  /** `imported` is the export name, 'default', or '*' for a namespace. */
  | { kind: 'import'; specifier: string; imported: string }
  /** An esbuild helper (`__name`, …), which the worker provides. */
  | { kind: 'helper' }
  /** A parameter of vite's module wrapper: import.meta, import(), require, __dirname … */
  | { kind: 'wrapper' }
  /**
   * Declared by the module itself; `stable` when a const, function or class declaration.
   * `mayBeUndefined` unless its value, once declared, cannot be undefined (a function or a class,
   * a const initialised with anything but `undefined`, `void …` or a destructuring): reading
   * undefined from such a name means its declaration has not run yet.
   */
  | { kind: 'local'; stable: boolean; mayBeUndefined: boolean };

export type NameScope = 'enclosing' | 'module' | 'none';

/** A function or class found in a module, with the path from the module's root down to it. */
export interface FunctionSite {
  node: AnyNode;
  /** The module-level const, function or class it is bound to, if any. */
  topLevelName: string | null;
  /** The const it initialises, in whatever scope (`const fact = (n) => … fact(n - 1)`). */
  ownName: string | null;
  /** Where a name used by the function (and not declared in it) is declared. */
  scopeOf(name: string): NameScope;
  /** True when a non-arrow function or a class encloses it: its `this` would be captured. */
  hasEnclosingThis: boolean;
}

const ESBUILD_HELPERS = new Set(['__name', '__defProp', '__defNormalProp', '__publicField']);
const VITE_WRAPPER_MARK = '__vite_ssr_import__';
const DEFAULT_EXPORT = '*default*';

export class ModuleInfo {
  readonly format: 'esm' | 'vite' | 'script';
  /** Names declared at the module's top level. */
  readonly names = new Map<string, ModuleName>();
  /** Local name → the names it is exported under. */
  readonly exports = new Map<string, string[]>();
  private readonly program: Program;
  private readonly scope: AnyNode;
  private readonly lineStarts: number[];

  constructor(
    readonly url: string,
    source: string,
  ) {
    this.lineStarts = lineStartsOf(source);
    this.program = parseExecuted(source);
    const wrapper = viteWrapper(this.program);
    if (wrapper !== null) {
      this.format = 'vite';
      this.scope = wrapper.body;
      for (const p of wrapper.params) this.names.set(p, { kind: 'wrapper' });
    } else {
      const commonJs = tsxCommonJsBody(this.program);
      this.format = commonJs === null && this.program.sourceType === 'module' ? 'esm' : 'script';
      this.scope = commonJs ?? this.program;
    }
    this.collectTopLevel();
  }

  /** The export names of a module-level binding, preferring the binding's own name. */
  exportNameOf(local: string): string | null {
    const names = this.exports.get(local);
    if (names === undefined || names.length === 0) return null;
    return names.includes(local) ? local : names[0]!;
  }

  /**
   * The function or class V8 placed at `line:column` (0-based). V8 reports a class at its
   * start, or at its constructor's parameters when it has one; a function at its parameters;
   * an arrow at its start.
   */
  functionAt(line: number, column: number, isClass: boolean): FunctionSite | null {
    const offset = (this.lineStarts[line] ?? Infinity) + column;
    const path: AnyNode[] = [];
    let found = -1;
    let node: AnyNode | undefined = this.program;
    while (node !== undefined) {
      path.push(node);
      if (isClass ? node.type === 'ClassDeclaration' || node.type === 'ClassExpression' : isFunctionNode(node)) {
        found = path.length - 1;
      }
      node = nodeChildren(node).find((c) => c.start <= offset && offset < c.end);
    }
    if (found < 0) return null;
    const site = path.slice(0, found + 1);
    return this.siteOf(site);
  }

  private siteOf(path: AnyNode[]): FunctionSite {
    const node = path[path.length - 1]!;
    const scopeIndex = path.indexOf(this.scope);
    const enclosing = path.slice(scopeIndex + 1, -1);
    return {
      node,
      topLevelName: this.topLevelNameOf(path, scopeIndex),
      ownName: constNameOf(path),
      hasEnclosingThis: enclosing.some(
        (n) => n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type.startsWith('Class'),
      ),
      scopeOf: (name) => {
        for (let i = enclosing.length - 1; i >= 0; i--) {
          if (scopeDeclares(enclosing[i]!, name)) return 'enclosing';
        }
        return this.names.has(name) ? 'module' : 'none';
      },
    };
  }

  private topLevelNameOf(path: AnyNode[], scopeIndex: number): string | null {
    const node = path[path.length - 1]!;
    let i = path.length - 2;
    let parent = path[i];
    // `export default function () {}`, `export default class {}`, `export default () => …`
    if (parent?.type === 'ExportDefaultDeclaration') {
      const id = 'id' in node && node.id?.type === 'Identifier' ? node.id.name : DEFAULT_EXPORT;
      return i - 1 === scopeIndex ? id : null;
    }
    if (parent?.type === 'ExportNamedDeclaration') parent = path[--i];
    if (node.type === 'FunctionDeclaration' || node.type === 'ClassDeclaration') {
      return i === scopeIndex && node.id ? node.id.name : null;
    }
    // esbuild names anonymous functions it keeps: `const lam = __name((x) => …, "lam")`
    if (parent?.type === 'CallExpression' && parent.callee.type === 'Identifier' && parent.callee.name === '__name') {
      parent = path[--i];
    }
    if (parent?.type !== 'VariableDeclarator' || parent.id.type !== 'Identifier') return null;
    const declaration = path[i - 1];
    if (declaration?.type !== 'VariableDeclaration' || declaration.kind !== 'const') return null;
    const holder = path[i - 2]?.type === 'ExportNamedDeclaration' ? i - 3 : i - 2;
    return holder === scopeIndex ? parent.id.name : null;
  }

  private collectTopLevel(): void {
    const body = 'body' in this.scope && Array.isArray(this.scope.body) ? (this.scope.body as AnyNode[]) : [];
    for (const statement of body) this.collectStatement(statement);
    for (const name of varNames(this.scope)) {
      if (!this.names.has(name)) this.names.set(name, { kind: 'local', stable: false, mayBeUndefined: true });
    }
  }

  private collectStatement(statement: AnyNode): void {
    switch (statement.type) {
      case 'ImportDeclaration': {
        const specifier = String(statement.source.value);
        for (const s of statement.specifiers) {
          const imported =
            s.type === 'ImportNamespaceSpecifier'
              ? '*'
              : s.type === 'ImportDefaultSpecifier'
                ? 'default'
                : s.imported.type === 'Identifier'
                  ? s.imported.name
                  : String(s.imported.value);
          this.names.set(s.local.name, { kind: 'import', specifier, imported });
        }
        return;
      }
      case 'ExportNamedDeclaration':
        if (statement.declaration) {
          this.collectStatement(statement.declaration);
          for (const name of boundNames(statement.declaration)) this.addExport(name, name);
        } else if (statement.source === null || statement.source === undefined) {
          for (const s of statement.specifiers) {
            const local = s.local.type === 'Identifier' ? s.local.name : String(s.local.value);
            const exported = s.exported.type === 'Identifier' ? s.exported.name : String(s.exported.value);
            this.addExport(local, exported);
          }
        }
        return;
      case 'ExportDefaultDeclaration': {
        const d = statement.declaration;
        if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) {
          this.collectStatement(d);
          this.addExport(d.id.name, 'default');
        } else if (d.type === 'Identifier') {
          this.addExport(d.name, 'default');
        } else {
          this.addExport(DEFAULT_EXPORT, 'default');
        }
        return;
      }
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        if (statement.id) this.names.set(statement.id.name, { kind: 'local', stable: true, mayBeUndefined: false });
        return;
      case 'VariableDeclaration':
        for (const d of statement.declarations) {
          const imported = this.importedBy(d.init ?? null) ?? this.aliasOf(d.init ?? null, statement.kind);
          for (const name of boundNames(d.id)) {
            if (imported !== null && d.id.type === 'Identifier') this.names.set(name, imported);
            else if (ESBUILD_HELPERS.has(name)) this.names.set(name, { kind: 'helper' });
            else this.names.set(name, { kind: 'local', stable: statement.kind === 'const', mayBeUndefined: mayBeUndefined(d) });
          }
        }
        return;
      case 'ExpressionStatement':
        this.collectViteExport(statement.expression);
        this.collectCommonJsExports(statement.expression);
        return;
      default:
        return;
    }
  }

  /** `await __vite_ssr_import__("/id")`, `require("x")`, `__toESM(require("x"))`. */
  private importedBy(init: AnyNode | null): ModuleName | null {
    let e = init;
    if (e?.type === 'AwaitExpression') e = e.argument;
    if (e?.type === 'CallExpression' && e.callee.type === 'Identifier' && e.callee.name === '__toESM') {
      e = e.arguments[0] ?? null;
    }
    if (e?.type !== 'CallExpression' || e.callee.type !== 'Identifier') return null;
    const callee = e.callee.name;
    if (callee !== VITE_WRAPPER_MARK && callee !== 'require') return null;
    if (callee === 'require' && this.format !== 'script') return null;
    const first = e.arguments[0];
    if (first?.type !== 'Literal' || typeof first.value !== 'string') return null;
    return { kind: 'import', specifier: first.value, imported: '*' };
  }

  /**
   * `const MapFunction = __vite_ssr_import_1__.MapFunction`: vite's way of importing a class
   * used in an `extends` clause. Any const read of a namespace import's member is an alias.
   */
  private aliasOf(init: AnyNode | null, kind: string): ModuleName | null {
    if (kind !== 'const' || init?.type !== 'MemberExpression' || init.object.type !== 'Identifier') return null;
    const namespace = this.names.get(init.object.name);
    if (namespace?.kind !== 'import' || namespace.imported !== '*') return null;
    const property = init.property;
    const name = init.computed
      ? property.type === 'Literal' && typeof property.value === 'string'
        ? property.value
        : null
      : property.type === 'Identifier'
        ? property.name
        : null;
    return name === null ? null : { kind: 'import', specifier: namespace.specifier, imported: name };
  }

  /**
   * `__vite_ssr_exportName__("name", () => { try { return local } catch {} })`, or the older
   * `Object.defineProperty(__vite_ssr_exports__, "name", { get() { return local } })`.
   */
  private collectViteExport(e: AnyNode): void {
    if (this.format !== 'vite' || e.type !== 'CallExpression') return;
    const c = e.callee;
    const isExportName = c.type === 'Identifier' && c.name === '__vite_ssr_exportName__';
    const isDefine =
      c.type === 'MemberExpression' &&
      c.property.type === 'Identifier' &&
      c.property.name === 'defineProperty' &&
      e.arguments[0]?.type === 'Identifier' &&
      e.arguments[0].name === '__vite_ssr_exports__';
    if (!isExportName && !isDefine) return;
    const name = e.arguments[isExportName ? 0 : 1];
    if (name?.type !== 'Literal') return;
    const local = returnedIdentifier(e);
    if (local !== null) this.addExport(local, String(name.value));
  }

  /** tsx's CommonJS output: `__export(mod_exports, { name: () => local, … })`. */
  private collectCommonJsExports(e: AnyNode): void {
    if (this.format !== 'script' || e.type !== 'CallExpression') return;
    if (e.callee.type !== 'Identifier' || e.callee.name !== '__export') return;
    const table = e.arguments[1];
    if (table?.type !== 'ObjectExpression') return;
    for (const p of table.properties) {
      if (p.type !== 'Property' || p.computed) continue;
      const name = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'Literal' ? String(p.key.value) : null;
      const local = returnedIdentifier(p.value);
      if (name !== null && local !== null) this.addExport(local, name);
    }
  }

  private addExport(local: string, exported: string): void {
    const list = this.exports.get(local) ?? [];
    list.push(exported);
    this.exports.set(local, list);
  }
}

/** The name of the const declarator whose initialiser is the last node of `path`. */
/** Whether a declarator may leave its name undefined: no initialiser, `undefined`, `void …`, or a pattern. */
function mayBeUndefined(d: VariableDeclarator): boolean {
  const init = d.init;
  if (d.id.type !== 'Identifier' || init === null || init === undefined) return true;
  return (init.type === 'Identifier' && init.name === 'undefined') || (init.type === 'UnaryExpression' && init.operator === 'void');
}

function constNameOf(path: AnyNode[]): string | null {
  let i = path.length - 2;
  let parent = path[i];
  if (parent?.type === 'CallExpression' && parent.callee.type === 'Identifier' && parent.callee.name === '__name') {
    parent = path[--i];
  }
  if (parent?.type !== 'VariableDeclarator' || parent.id.type !== 'Identifier') return null;
  const declaration = path[i - 1];
  return declaration?.type === 'VariableDeclaration' && declaration.kind === 'const' ? parent.id.name : null;
}

/** The identifier a getter returns: `() => { try { return x } … }`, `get() { return x }`, `() => x`. */
function returnedIdentifier(node: AnyNode): string | null {
  if (node.type === 'ReturnStatement') return node.argument?.type === 'Identifier' ? node.argument.name : null;
  if (node.type === 'ArrowFunctionExpression' && node.body.type === 'Identifier') return node.body.name;
  for (const child of nodeChildren(node)) {
    const found = returnedIdentifier(child);
    if (found !== null) return found;
  }
  return null;
}

function parseExecuted(source: string): Program {
  const options = { ecmaVersion: 'latest', allowHashBang: true, allowReturnOutsideFunction: true } as const;
  try {
    return parse(source, { ...options, sourceType: 'module' });
  } catch {
    return parse(source, { ...options, sourceType: 'script' });
  }
}

function viteWrapper(program: Program): { body: AnyNode; params: string[] } | null {
  for (const statement of program.body) {
    if (statement.type !== 'ExpressionStatement') continue;
    const e = statement.expression;
    if (e.type !== 'ArrowFunctionExpression' && e.type !== 'FunctionExpression') continue;
    const params = e.params.flatMap((p) => (p.type === 'Identifier' ? [p.name] : []));
    if (!params.includes(VITE_WRAPPER_MARK)) continue;
    let body: AnyNode = e.body;
    // The runner wraps the module in a second block: `=> {{ … }}`.
    if (body.type === 'BlockStatement' && body.body.length === 1 && body.body[0]!.type === 'BlockStatement') {
      body = body.body[0]!;
    }
    return { body, params };
  }
  return null;
}

/**
 * tsx runs a CommonJS module as `__filename="…";(()=>{ <module> })()`: the arrow's body is
 * the module's top level.
 */
function tsxCommonJsBody(program: Program): AnyNode | null {
  const last = program.body[program.body.length - 1];
  if (last?.type !== 'ExpressionStatement' || last.expression.type !== 'CallExpression') return null;
  const callee = last.expression.callee;
  if (callee.type !== 'ArrowFunctionExpression' || callee.params.length > 0 || callee.body.type !== 'BlockStatement') {
    return null;
  }
  const setsFilename = program.body.some(
    (s) =>
      s.type === 'ExpressionStatement' &&
      s.expression.type === 'AssignmentExpression' &&
      s.expression.left.type === 'Identifier' &&
      s.expression.left.name === '__filename',
  );
  return setsFilename ? callee.body : null;
}

function lineStartsOf(source: string): number[] {
  const starts = [0];
  const terminator = /\r\n?|\n|\u2028|\u2029/g;
  for (let m = terminator.exec(source); m !== null; m = terminator.exec(source)) {
    starts.push(m.index + m[0].length);
  }
  return starts;
}
