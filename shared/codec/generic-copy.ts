/**
 * A copy of a value that is exactly what its round trip through the generic encoding gives
 * (decodeGeneric(encodeGeneric(value)), proto/generic-value.md), made without the round trip,
 * for the values whose round trip is a plain copy: primitives, well-formed strings, Dates, and
 * arrays and plain objects of them. The worker's state cache keeps an object written to state
 * as such a copy and hands out copies of it (worker/state/value-entry.ts): the state stays
 * isolated from later changes to the object, as the encoding keeps it, at a fraction of the
 * cost of encoding on every update and decoding on every read (a word count's running tuple
 * spent most of its record's time there).
 *
 * Anything else (a Map, a Set, bytes and typed arrays, a class instance, a function, a
 * string with a lone surrogate, which the encoding turns into U+FFFD, an own `__proto__` key,
 * nesting deeper than MAX_COPY_DEPTH) gives NO_COPY, and the caller takes the round trip, which
 * also reports what cannot be encoded. A getter is read once per copy, as the encoder reads it
 * once per encoding.
 */
import { types } from 'node:util';

/** What genericCopy returns for a value it leaves to the round trip. */
export const NO_COPY: unique symbol = Symbol('no copy');

/** Deeper values are left to the round trip (whose own limit reports a cycle). */
export const MAX_COPY_DEPTH = 32;

/** ES2024's String.prototype.isWellFormed (Node 20 has it; the lib target does not). */
interface WellFormedString {
  isWellFormed(): boolean;
}

function isWellFormed(s: string): boolean {
  return (s as unknown as WellFormedString).isWellFormed();
}

/**
 * decodeGeneric(encodeGeneric(value)) without the bytes, or NO_COPY (see the header). `reuse`,
 * if given, is an earlier copy that no one else holds: when it and `value` are arrays of the
 * same length whose elements are primitives and strings, the copy is written into it (a running
 * tuple updated on every record then allocates nothing, and stays where the heap has it).
 */
export function genericCopy(value: unknown, reuse?: unknown): unknown {
  if (Array.isArray(value) && isFlat(value as readonly unknown[])) {
    const source = value as readonly unknown[];
    if (!Array.isArray(reuse) || reuse.length !== source.length) return plainCopy(source);
    const target = reuse as unknown[];
    for (let i = 0; i < source.length; i++) target[i] = source[i];
    return target;
  }
  return copyAt(value, 0);
}

/**
 * A flat array's copy, a plain array as the round trip gives: slice() would make one of the
 * array's own class (Symbol.species: a subclass, or another realm's Array).
 */
function plainCopy(source: readonly unknown[]): unknown[] {
  if (Object.getPrototypeOf(source) === Array.prototype) return source.slice();
  const copy: unknown[] = [];
  for (let i = 0; i < source.length; i++) copy.push(source[i]);
  return copy;
}

/**
 * Whether every element is a value copied as it is (a primitive or a well-formed string) and
 * none is a hole (a hole decodes as undefined, which slice() would not write).
 */
function isFlat(array: readonly unknown[]): boolean {
  for (let i = 0; i < array.length; i++) {
    const v = array[i];
    switch (typeof v) {
      case 'string':
        if (!isWellFormed(v)) return false;
        break;
      case 'object':
        if (v !== null) return false;
        break;
      case 'undefined':
        if (!(i in array)) return false;
        break;
      case 'function':
      case 'symbol':
        return false;
    }
  }
  return true;
}

function copyAt(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'bigint':
      return v;
    case 'string':
      return isWellFormed(v) ? v : NO_COPY;
    case 'object':
      if (v === null) return null;
      if (depth >= MAX_COPY_DEPTH) return NO_COPY;
      if (Array.isArray(v)) return copyArray(v as readonly unknown[], depth);
      return copyObject(v, depth);
    default:
      return NO_COPY;
  }
}

function copyArray(array: readonly unknown[], depth: number): unknown {
  const n = array.length;
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const c = copyAt(array[i], depth + 1);
    if (c === NO_COPY) return NO_COPY;
    out.push(c);
  }
  return out;
}

function copyObject(object: object, depth: number): unknown {
  const proto: unknown = Object.getPrototypeOf(object);
  // A plain object of any realm (as the encoder decides); it decodes with Object.prototype.
  if (proto !== null && Object.getPrototypeOf(proto) !== null) {
    // A Date decodes as a Date of this realm at the same time (an invalid one stays invalid).
    return types.isDate(object) ? new Date((object as Date).getTime()) : NO_COPY;
  }
  const record = object as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (key === '__proto__' || !isWellFormed(key)) return NO_COPY;
    const c = copyAt(record[key], depth + 1);
    if (c === NO_COPY) return NO_COPY;
    out[key] = c;
  }
  return out;
}

/**
 * About the size of `value`'s generic encoding, for the state cache's byte budget (primitives
 * and the copies genericCopy makes): exact for numbers that take nine bytes, a byte over for an
 * ASCII string, an estimate otherwise. Walks arrays and plain objects.
 */
export function genericSizeEstimate(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 2 + value.length;
    case 'bigint':
      return 2 + Math.ceil(value.toString(16).length / 2);
    case 'number':
      return 9;
    case 'object':
      if (value === null) return 1;
      if (Array.isArray(value)) {
        let bytes = 2;
        for (const element of value as readonly unknown[]) bytes += genericSizeEstimate(element);
        return bytes;
      }
      if (Object.getPrototypeOf(value) === Object.prototype) {
        let bytes = 2;
        for (const [key, element] of Object.entries(value)) bytes += 2 + key.length + genericSizeEstimate(element);
        return bytes;
      }
      return 16;
    default:
      return 1;
  }
}
