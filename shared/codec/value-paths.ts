/**
 * How a place inside a value is written in error messages, shared by the generic encoding
 * and the typed column encoders: `.name` or `["odd name"]` for properties, `[i]` for
 * elements, `.get(key)` for Map values, `.keys()[i]` for Map keys.
 */
import { types } from 'node:util';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function propertySegment(name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** A Map key as it appears in `.get(key)`. */
export function renderMapKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
  if (typeof key === 'bigint') return `${key}n`;
  if (typeof key === 'object' && key !== null) return types.isDate(key) ? `Date(${(key as Date).getTime()})` : `<${className(key)}>`;
  return String(key);
}

/** The name of an object's class, or '' when it has none. */
export function className(v: object): string {
  const proto: unknown = Object.getPrototypeOf(v);
  const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' ? name : '';
}

/** `an instance of Foo`, or `an object of an unnamed class`. */
export function describeInstance(v: object): string {
  const name = className(v);
  return name === '' ? 'an object of an unnamed class' : `an instance of ${name}`;
}

/** Keeps messages readable when a path is very deep (a cyclic value, say). */
export function shortenPath(path: string): string {
  return path.length <= 300 ? path : `${path.slice(0, 150)}…${path.slice(-150)}`;
}
