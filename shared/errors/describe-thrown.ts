/**
 * Describing what a function threw, without ever throwing while doing it. A thrown value may be
 * anything: an object with no prototype (no toString), an Error whose `message` getter throws, a
 * Proxy whose every trap throws. Each read here is guarded, and what cannot be read is said to be
 * unreadable, so that the report of a failure (its operator, function and record) always reaches
 * the user.
 */
import { inspect } from 'node:util';

/** How deep a chain of causes (and an AggregateError's errors) is followed. */
const CAUSE_DEPTH = 5;
/** How many of an AggregateError's errors are shown. */
const AGGREGATE_LIMIT = 10;

/** `value instanceof Error`, false where asking throws (a Proxy's getPrototypeOf trap). */
export function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** `value[key]`, or `fallback` when reading it throws. */
export function readSafely(value: object, key: PropertyKey, fallback: unknown = undefined): unknown {
  try {
    return (value as Record<PropertyKey, unknown>)[key];
  } catch {
    return fallback;
  }
}

/** A value in a message, readable (util.inspect-style, bounded), whatever it is. */
export function inspectSafely(value: unknown, options: Parameters<typeof inspect>[1] = {}): string {
  try {
    return inspect(value, { depth: 4, maxArrayLength: 20, maxStringLength: 500, breakLength: Infinity, ...options });
  } catch {
    // inspect reads the value through the same traps that failed.
  }
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return `[${typeof value} that cannot be shown]`;
  }
}

/** A value that should be a string (an error's name or message), as one. */
function text(value: unknown, unreadable: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return unreadable;
  return inspectSafely(value);
}

export interface ThrownDescription {
  name: string;
  message: string;
  /** The stack, with the causes (and an AggregateError's errors) below it. */
  stack: string;
}

/** An Error's name, message and stack (empty when it has none), read safely. */
export function describeError(error: Error): ThrownDescription {
  const name = text(readSafely(error, 'name'), 'Error');
  const message = text(readSafely(error, 'message', UNREADABLE), '');
  const stack = stackWithCauses(error, name, message, CAUSE_DEPTH, new Set());
  return { name, message, stack };
}

const UNREADABLE = '(its message could not be read)';

function ownStack(error: Error, name: string, message: string): string {
  const stack = readSafely(error, 'stack');
  if (typeof stack === 'string' && stack !== '') return stack;
  return message === '' ? name : `${name}: ${message}`;
}

function stackWithCauses(error: Error, name: string, message: string, depth: number, seen: Set<unknown>): string {
  seen.add(error);
  const lines = [ownStack(error, name, message)];
  if (depth <= 0) return lines[0]!;
  const errors = readSafely(error, 'errors');
  if (error instanceof AggregateError && Array.isArray(errors)) {
    const shown = errors.slice(0, AGGREGATE_LIMIT);
    lines.push(`errors (${errors.length}):`);
    shown.forEach((inner: unknown, i) => lines.push(indent(`[${i}] ${describeNested(inner, depth - 1, seen)}`)));
    if (errors.length > shown.length) lines.push(indent(`… and ${errors.length - shown.length} more`));
  }
  const hasCause = ((): boolean => {
    try {
      return 'cause' in error;
    } catch {
      return false;
    }
  })();
  if (hasCause) lines.push(`caused by: ${describeNested(readSafely(error, 'cause', UNREADABLE), depth - 1, seen)}`);
  return lines.join('\n');
}

function describeNested(value: unknown, depth: number, seen: Set<unknown>): string {
  if (seen.has(value)) return '[the same error again: a cycle of causes]';
  if (!isError(value)) return inspectSafely(value);
  const name = text(readSafely(value, 'name'), 'Error');
  const message = text(readSafely(value, 'message', UNREADABLE), '');
  return stackWithCauses(value, name, message, depth, seen);
}

function indent(block: string): string {
  return block
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/**
 * A value thrown that is not an Error, for a message: a string quoted, a plain object or a cyclic
 * one as util.inspect shows it ({ message: 'x', code: 7 }), never `[object Object]`.
 */
export function renderThrown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return inspectSafely(value, { depth: 2, breakLength: Infinity });
}
