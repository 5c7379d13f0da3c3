/**
 * Checks made when a function is handed to the API, so that a wrong argument fails at the line
 * that passed it rather than in a worker later.
 */
import { JobDefinitionError } from '../../shared/errors/errors.ts';

/** Refuses anything that is neither a plain function nor an object with the needed method. */
export function checkFunction(fn: unknown, method: string, what: string): void {
  if (typeof fn === 'function') {
    if (/^class[\s{]/.test(Function.prototype.toString.call(fn))) {
      throw new JobDefinitionError(
        `${what}: pass an instance of the class, not the class itself (new ${fn.name || 'MyFunction'}())`,
      );
    }
    return;
  }
  if (typeof fn === 'object' && fn !== null && typeof (fn as Record<string, unknown>)[method] === 'function') return;
  throw new JobDefinitionError(`${what} must be a function or an object with a ${method}() method, got ${describe(fn)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object without ${'a method of that name'} (${v.constructor?.name ?? 'Object'})`;
  return typeof v;
}

export function checkPositiveInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : String(value);
    throw new JobDefinitionError(`${what} must be a positive integer, got ${shown}`);
  }
  return value;
}
