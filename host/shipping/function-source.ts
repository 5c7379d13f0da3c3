/**
 * What a function's own source text (Function.prototype.toString) says about it: how to
 * evaluate it again, which names it uses without declaring them, and what ties it to the
 * place it was created (`this` of an enclosing function, import.meta, private #names).
 */
import { parse, type AnyNode, type Program } from 'acorn';
import findGlobals from 'acorn-globals';
import { nodeChildren } from './scopes.ts';

export interface FunctionSource {
  source: string;
  /**
   * expression: the text evaluates as an expression (function, arrow, class);
   * method: it is a method definition (`map(x) {…}`, `get x() {…}`), evaluated inside an
   * object literal.
   */
  syntax: 'expression' | 'method';
  isClass: boolean;
  isArrow: boolean;
  /** Names used but not declared, sorted; `this` and `arguments` excluded. */
  freeNames: string[];
  /**
   * For a class: the free names used only by its constructor and instance field initialisers,
   * which never run when an object of the class is rebuilt from its fields.
   */
  constructionOnlyNames: Set<string>;
  /** For each free name: the properties read from it as `name.prop`; null if used otherwise. */
  memberUses: Map<string, Set<string> | null>;
  /** An arrow's `this` / `arguments` belong to whatever encloses it. */
  usesOuterThis: boolean;
  usesOuterArguments: boolean;
  usesImportMeta: boolean;
  /** A method using `super`: its home object stays behind. */
  usesSuper: boolean;
  /** Literal specifiers of `import()` calls. */
  dynamicImports: string[];
  /** For a class: its instance private members (`#count`), which live outside its fields. */
  privateMembers: string[];
  /** For a class declared `extends Name`: that name (whose value is the class's prototype). */
  heritageName: string | null;
}

export class FunctionSourceError extends Error {}

const cache = new WeakMap<Function, FunctionSource>();

export function functionSource(fn: Function): FunctionSource {
  let info = cache.get(fn);
  if (info === undefined) {
    info = analyze(Function.prototype.toString.call(fn));
    cache.set(fn, info);
  }
  return info;
}

function analyze(source: string): FunctionSource {
  const parsed = parseFunction(source);
  const { program, syntax } = parsed;
  const root = rootOf(program, syntax);
  const isClass = root.type === 'ClassExpression';
  const isArrow = root.type === 'ArrowFunctionExpression';
  const freeNames: string[] = [];
  const memberUses = new Map<string, Set<string> | null>();
  const constructionOnlyNames = new Set<string>();
  let usesOuterThis = false;
  let usesOuterArguments = false;
  for (const found of findGlobals(program)) {
    if (found.name === 'this') {
      // Inside a class body `this` is the class or instance (static blocks, field initialisers).
      usesOuterThis ||= found.nodes.some((n) => !n.parents.some((p) => p.type === 'ClassBody'));
      continue;
    }
    if (found.name === 'arguments') {
      usesOuterArguments = true;
      continue;
    }
    freeNames.push(found.name);
    if (isClass && found.nodes.every((n) => inConstruction(n.parents, root))) constructionOnlyNames.add(found.name);
    let props: Set<string> | null = new Set();
    for (const use of found.nodes) {
      const parent = use.parents[use.parents.length - 2];
      const prop = parent?.type === 'MemberExpression' && parent.object === use ? propertyName(parent) : null;
      if (prop === null) {
        props = null;
        break;
      }
      props.add(prop);
    }
    memberUses.set(found.name, props);
  }
  const scan = scanSyntax(root, syntax === 'method');
  return {
    source,
    syntax,
    isClass,
    isArrow,
    freeNames,
    constructionOnlyNames,
    memberUses,
    usesOuterThis,
    usesOuterArguments,
    ...scan,
    privateMembers: isClass ? instancePrivateMembers(root) : [],
    heritageName: root.type === 'ClassExpression' && root.superClass?.type === 'Identifier' ? root.superClass.name : null,
  };
}

function parseFunction(source: string): { program: Program; syntax: 'expression' | 'method' } {
  const options = { ecmaVersion: 'latest', sourceType: 'module', allowAwaitOutsideFunction: true } as const;
  try {
    return { program: parse(`(${source}\n)`, options), syntax: 'expression' };
  } catch {
    try {
      return { program: parse(`({${source}\n})`, options), syntax: 'method' };
    } catch (e) {
      throw new FunctionSourceError(reasonSourceWontParse(source, e));
    }
  }
}

function reasonSourceWontParse(source: string, e: unknown): string {
  if (/#[A-Za-z_$]/.test(source)) return 'is a method that uses private #names of its class. Pass the object, not its method.';
  if (/\bsuper\b/.test(source)) return 'uses `super` outside of its class. Pass the object, not its method.';
  return `has a source that cannot be parsed on its own (${e instanceof Error ? e.message : String(e)})`;
}

function rootOf(program: Program, syntax: 'expression' | 'method'): AnyNode {
  const statement = program.body[0];
  if (statement?.type !== 'ExpressionStatement') throw new FunctionSourceError('has a source that is not a function');
  const e = statement.expression;
  if (syntax === 'expression') return e;
  const property = e.type === 'ObjectExpression' ? e.properties[0] : undefined;
  if (property?.type !== 'Property') throw new FunctionSourceError('has a source that is not a function');
  return property.value;
}

/** True when a use lies in the constructor or an instance field initialiser of class `root`. */
function inConstruction(parents: readonly AnyNode[], root: AnyNode): boolean {
  const at = parents.indexOf(root);
  const member = parents[at + 2];
  if (at < 0 || parents[at + 1]?.type !== 'ClassBody' || member === undefined) return false;
  if (member.type === 'MethodDefinition') return member.kind === 'constructor' && parents[at + 3] === member.value;
  return member.type === 'PropertyDefinition' && !member.static && parents[at + 3] === member.value;
}

function propertyName(member: AnyNode): string | null {
  if (member.type !== 'MemberExpression') return null;
  if (!member.computed && member.property.type === 'Identifier') return member.property.name;
  if (member.property.type === 'Literal' && typeof member.property.value === 'string') return member.property.value;
  return null;
}

function scanSyntax(
  root: AnyNode,
  isMethod: boolean,
): { usesImportMeta: boolean; usesSuper: boolean; dynamicImports: string[] } {
  let usesImportMeta = false;
  let usesSuper = false;
  const dynamicImports: string[] = [];
  const visit = (node: AnyNode, inClass: boolean): void => {
    if (node.type === 'MetaProperty' && node.meta.name === 'import') usesImportMeta = true;
    if (node.type === 'Super' && isMethod && !inClass) usesSuper = true;
    if (node.type === 'ImportExpression' && node.source.type === 'Literal' && typeof node.source.value === 'string') {
      dynamicImports.push(node.source.value);
    }
    const nowInClass = inClass || node.type === 'ClassBody';
    for (const child of nodeChildren(node)) visit(child, nowInClass);
  };
  visit(root, false);
  return { usesImportMeta, usesSuper, dynamicImports };
}

function instancePrivateMembers(cls: AnyNode): string[] {
  if (cls.type !== 'ClassExpression') return [];
  const names: string[] = [];
  for (const member of cls.body.body) {
    if (member.type === 'StaticBlock' || member.static) continue;
    if (member.key.type === 'PrivateIdentifier') names.push(`#${member.key.name}`);
  }
  return names;
}
