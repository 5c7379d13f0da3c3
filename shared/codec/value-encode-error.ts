/**
 * What the batch encoder throws when a value does not fit its column's declared type.
 * Column encoders throw a CellMismatch (cheap, relative path); each enclosing nested
 * encoder adds its path segment and maps the index back to its own input; BatchEncoder
 * turns it into a ValueEncodeError naming the row.
 */
import { types } from 'node:util';
import { SluiceError } from '../errors/errors.ts';
import { describeInstance } from './value-paths.ts';

export class ValueEncodeError extends SluiceError {
  constructor(
    readonly rowIndex: number,
    /** Where inside the row, e.g. `value.items[2].price`, `key` or `timestamp`. */
    readonly path: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`row ${rowIndex}: ${path}: expected ${expected}, got ${found}`);
  }
}

/** Internal: a value refused by a column encoder. `index` is into that encoder's input. */
export class CellMismatch extends Error {
  /** Path segments, innermost first. */
  readonly segments: string[] = [];
  constructor(
    public index: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`expected ${expected}, got ${found}`);
  }

  /** Adds the enclosing encoder's segment and re-indexes into that encoder's input. */
  within(index: number, segment: string): this {
    this.index = index;
    this.segments.push(segment);
    return this;
  }

  path(root: string): string {
    let path = root;
    for (let i = this.segments.length - 1; i >= 0; i--) path += this.segments[i];
    return path;
  }
}

export function mismatch(index: number, expected: string, value: unknown, note = ''): CellMismatch {
  return new CellMismatch(index, expected, note === '' ? describeFound(value) : `${describeFound(value)} (${note})`);
}

export function describeFound(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case 'number':
      return `number ${Object.is(v, -0) ? '-0' : String(v)}`;
    case 'bigint':
      return `bigint ${v}n`;
    case 'boolean':
      return `boolean ${v}`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'object':
      return describeObject(v);
  }
}

function describeObject(v: object | null): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (types.isDate(v)) {
    const ms = (v as Date).getTime();
    return Number.isNaN(ms) ? 'an invalid Date' : `Date ${(v as Date).toISOString()}`;
  }
  if (types.isMap(v)) return `a Map of size ${(v as Map<unknown, unknown>).size}`;
  if (types.isSet(v)) return `a Set of size ${(v as Set<unknown>).size}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${v.byteLength} bytes`;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto === null || Object.getPrototypeOf(proto) === null) return 'an object';
  return describeInstance(v);
}
