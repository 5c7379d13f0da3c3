/**
 * Just enough JavaScript scoping to tell, for a name a function uses, whether an enclosing
 * function or block declares it (a closure the worker cannot rebuild) or the module does.
 */
import type { AnyNode } from 'acorn';

export function isFunctionNode(node: AnyNode): boolean {
  return (
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression'
  );
}

/** The direct child nodes of `node`, in source order. */
export function nodeChildren(node: AnyNode): AnyNode[] {
  const children: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    // acorn-globals annotates identifiers with their ancestors: not children.
    if (key === 'parents') continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const v of value) if (isNode(v)) children.push(v);
    } else if (isNode(value)) {
      children.push(value);
    }
  }
  return children.sort((a, b) => a.start - b.start);
}

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && 'start' in v;
}

/** The names a declaration or binding pattern introduces. */
export function boundNames(node: AnyNode): string[] {
  switch (node.type) {
    case 'Identifier':
      return [node.name];
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      return node.id ? [node.id.name] : [];
    case 'VariableDeclaration':
      return node.declarations.flatMap((d) => boundNames(d.id));
    case 'ObjectPattern':
      return node.properties.flatMap((p) => boundNames(p.type === 'RestElement' ? p.argument : p.value));
    case 'ArrayPattern':
      return node.elements.flatMap((e) => (e ? boundNames(e) : []));
    case 'RestElement':
      return boundNames(node.argument);
    case 'AssignmentPattern':
      return boundNames(node.left);
    default:
      return [];
  }
}

/** `var` names declared anywhere in a function body or program, not inside nested functions. */
export function varNames(scope: AnyNode): string[] {
  const names: string[] = [];
  const visit = (node: AnyNode): void => {
    if (node !== scope && (isFunctionNode(node) || node.type === 'ClassDeclaration' || node.type === 'ClassExpression')) {
      return;
    }
    if (node.type === 'VariableDeclaration' && node.kind === 'var') names.push(...boundNames(node));
    for (const child of nodeChildren(node)) visit(child);
  };
  visit(scope);
  return names;
}

/** Whether `node`, as a scope on the path to a function, declares `name`. */
export function scopeDeclares(node: AnyNode, name: string): boolean {
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      if (node.params.some((p) => boundNames(p).includes(name))) return true;
      if (node.type === 'FunctionExpression' && node.id?.name === name) return true;
      if (name === 'arguments' && node.type !== 'ArrowFunctionExpression') return true;
      return varNames(node).includes(name);
    case 'ClassDeclaration':
    case 'ClassExpression':
      return node.id?.name === name;
    case 'BlockStatement':
    case 'Program':
      return lexicalNames(node.body).includes(name);
    case 'StaticBlock':
      return lexicalNames(node.body).includes(name) || varNames(node).includes(name);
    case 'SwitchStatement':
      return lexicalNames(node.cases.flatMap((c) => c.consequent)).includes(name);
    case 'ForStatement':
      return node.init?.type === 'VariableDeclaration' && boundNames(node.init).includes(name);
    case 'ForInStatement':
    case 'ForOfStatement':
      return node.left.type === 'VariableDeclaration' && boundNames(node.left).includes(name);
    case 'CatchClause':
      return node.param !== null && node.param !== undefined && boundNames(node.param).includes(name);
    default:
      return false;
  }
}

function lexicalNames(statements: readonly AnyNode[]): string[] {
  return statements.flatMap((s) => {
    const d = s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration' ? s.declaration : s;
    if (!d) return [];
    if (d.type === 'VariableDeclaration') return d.kind === 'var' ? [] : boundNames(d);
    if (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') return boundNames(d);
    return [];
  });
}
