/**
 * Describes a user function so that a worker can rebuild it without ever running the job
 * file (proto/functions.md). Called once per function when a job is submitted, before any
 * data flows: whatever cannot be shipped is refused here with UnshippableFunctionError.
 *
 *   host                                          worker
 *   shipFunction(fn) ─ FunctionSpec{urn,payload} ─▶ loadFunction(spec)
 *     module:   {module URL, export}                import(module)[export]
 *     source:   {source, bindings}                  evaluate source with bindings in scope
 *     instance: {class, fields}                     Object.create(class.prototype) + fields
 */
import { basename } from 'node:path';
import { UnshippableFunctionError } from '../../shared/errors/errors.ts';
import { FunctionShipper } from './function-shipper.ts';
import { FUNCTION_URN, type FunctionPayload } from './payload.ts';
import { inspectionPass, originalPosition, originOf } from './script-inspector.ts';
import { ShippingProblem } from './shipping-problem.ts';

export interface ShippedFunction {
  urn: 'sluice:fn:js:v1';
  payload: Uint8Array;
  name: string;
}

export interface ShipOptions {
  /** What the function is to the operator, for messages: 'map function', 'key selector' … */
  role: string;
  /** The operator's name, for messages. */
  operator: string;
  /** How messages name the function, where `fn` is not the function the user gave (a window's spec): by default, describeFunction(fn). */
  name?: string;
}

export { FUNCTION_URN };

const encoder = new TextEncoder();

export async function shipFunction(fn: unknown, options: ShipOptions): Promise<ShippedFunction> {
  const name = options.name ?? describeFunction(fn);
  const payload: FunctionPayload = inspectionPass(() => {
    try {
      return { name, function: new FunctionShipper(describeFunction).root(fn) };
    } catch (e) {
      if (!(e instanceof ShippingProblem)) throw e;
      throw new UnshippableFunctionError(
        name,
        `Cannot ship ${options.role} ${name} of operator '${options.operator}' to a worker: ${e.about('it')}`,
      );
    }
  });
  return { urn: FUNCTION_URN, payload: encoder.encode(JSON.stringify(payload)), name };
}

/**
 * How messages name a function: its class name or function name, else where it was written,
 * `<lambda at job.ts:12:5>` (1-based line and column in the file as the user wrote it).
 */
export function describeFunction(fn: unknown): string {
  if (typeof fn === 'function') {
    if (fn.name) return fn.name;
    const isClass = /^class\b/.test(Function.prototype.toString.call(fn));
    return anonymous(fn, isClass ? 'class' : 'lambda');
  }
  if (typeof fn === 'object' && fn !== null) {
    const proto: unknown = Object.getPrototypeOf(fn);
    if (proto === null || proto === Object.prototype) return '<object>';
    const ctor: unknown = (proto as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function') return ctor.name || anonymous(ctor, 'object of class');
    return '<object>';
  }
  return `<${fn === null ? 'null' : typeof fn}>`;
}

function anonymous(fn: Function, what: string): string {
  const origin = inspectionPass(() => originOf(fn));
  if (origin.kind !== 'script') return `<anonymous ${origin.kind} function>`;
  const isArrow = !/^(async\s*)?(function|class)\b/.test(Function.prototype.toString.call(fn));
  const at = inspectionPass(() => originalPosition(origin.location, isArrow));
  const file = at.file === '' ? '<eval>' : basename(at.file.replace(/[?#].*$/, ''));
  return `<${what} at ${file}:${at.line}:${at.column}>`;
}
