/**
 * What one value becomes by crossing a stage boundary, without crossing it: exactly what a
 * one-row batch of it gives after BatchEncoder and BatchDecoder (a FLOAT rounded to 32 bits, a
 * LONG that fits a number as a number, undefined as null, a string with a lone surrogate as
 * UTF-8 leaves it, a MAP given as an object as a Map, rows, lists and maps as fresh arrays,
 * objects and Maps), and the same refusal for a value its declared type cannot carry. A
 * function chained after another receives what this makes of the value the other returned
 * (worker/processor/chain-hand-off.ts); BatchNormalizer makes whole batches of the same.
 *
 * A type's normalizer is compiled once, from its descriptor, into a tree of closures that
 * mirrors the type. A value that comes out as it went in and is immutable (a number, a boolean,
 * a well-formed string) costs a check and no copy; an object is copied, as the wire copies it.
 *
 * The encoder is the one judge of refusals: the normalizers refuse what it refuses, and when
 * one does, the encoder is asked for its own ValueEncodeError (the path and the order in which
 * it checks a nested value's parts are its own: a list's elements are checked column by
 * column, not one element's subtree after another).
 */
import { types } from 'node:util';
import type { TypeDescriptor } from '../api/types.ts';
import { VALUE_COLUMN } from './batch-layout.ts';
import { BodyWriter } from './body.ts';
import { columnEncoder, expectedValue } from './column-codec.ts';
import { INT64_MAX, INT64_MIN, MS_PER_DAY } from './fixed-width-encoders.ts';
import { genericCopy, NO_COPY } from './generic-copy.ts';
import { decodeGeneric, encodeGeneric } from './generic-value.ts';
import { isPlainObject } from './nested-encoders.ts';
import { CellMismatch, mismatch, ValueEncodeError } from './value-encode-error.ts';

const GENERIC: TypeDescriptor = { kind: 'GENERIC' };
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * What values of one declared type become (null: the generic column). `rule` is the hot path:
 * a value that does not fit makes it throw something of its own, which refusal() turns into the
 * encoder's refusal; normalize() does both.
 */
export class ValueNormalizer {
  readonly rule: (value: unknown) => unknown;
  private readonly type: TypeDescriptor;

  constructor(type: TypeDescriptor | null) {
    this.type = type ?? GENERIC;
    this.rule = compileNormalizer(this.type);
  }

  /** decode(encode(value)) of a one-row batch; throws the encoder's ValueEncodeError (row 0) for a value that does not fit. */
  normalize(value: unknown): unknown {
    try {
      return this.rule(value);
    } catch (thrown) {
      throw this.refusal(value, thrown);
    }
  }

  /**
   * The encoder's refusal of `value` (a ValueEncodeError of row 0), which the rule refused by
   * throwing `thrown`; anything else the encoder throws (a user's getter that throws) as it is.
   */
  refusal(value: unknown, thrown: unknown): unknown {
    try {
      columnEncoder(this.type).encode([value], 1, new BodyWriter());
    } catch (e) {
      if (e instanceof CellMismatch) return new ValueEncodeError(0, e.path(VALUE_COLUMN), e.expected, e.found);
      return e;
    }
    // The encoder took what the rule refused: the rule's own refusal, then.
    if (thrown instanceof CellMismatch) return new ValueEncodeError(0, thrown.path(VALUE_COLUMN), thrown.expected, thrown.found);
    return thrown;
  }
}

/**
 * The per-value rule of a type: a value that does not fit throws (a CellMismatch, or the generic
 * encoding's error), and ValueNormalizer.refusal() asks the encoder. Shared with
 * BatchNormalizer, whose columns of nested types are normalized value by value.
 */
export function compileNormalizer(d: TypeDescriptor): (value: unknown) => unknown {
  const expected = expectedValue(d);
  switch (d.kind) {
    case 'BOOLEAN':
      return (v) => normalizeBoolean(v, 0, expected);
    case 'BYTE':
      return (v) => normalizeSmallInt(v, 0, -128, 127, expected);
    case 'SHORT':
      return (v) => normalizeSmallInt(v, 0, -32768, 32767, expected);
    case 'INT':
      return (v) => normalizeSmallInt(v, 0, -2147483648, 2147483647, expected);
    case 'SQL_TIME':
      return (v) => normalizeSmallInt(v, 0, 0, MS_PER_DAY - 1, expected);
    case 'LONG':
      return (v) => normalizeLong(v, 0, expected);
    case 'FLOAT':
      return (v) => normalizeFloat(v, 0, expected);
    case 'DOUBLE':
      return (v) => normalizeDouble(v, 0, expected);
    case 'STRING':
      return (v) => normalizeString(v, 0, expected);
    case 'BYTES':
      return (v) => (isUint8Array(v) ? new Uint8Array(v) : nullOr(v, 0, expected));
    case 'SQL_DATE':
      return (v) => dateOr(v, expected, (ms) => Math.floor(ms / MS_PER_DAY) * MS_PER_DAY);
    case 'SQL_TIMESTAMP':
      return (v) => dateOr(v, expected, (ms) => ms);
    case 'GENERIC':
      return generic;
    case 'ROW':
    case 'TUPLE':
      return tuple(d.fields.map(compileNormalizer), expected);
    case 'ROW_NAMED':
      return namedRow(d.names, d.fields.map(compileNormalizer), expected);
    case 'LIST':
      return list(compileNormalizer(d.element), expected, false);
    case 'PRIMITIVE_ARRAY':
      return d.element.kind === 'BYTE' ? (v) => byteArray(v, expected) : list(compileNormalizer(d.element), expected, true);
    case 'MAP':
      return map(compileNormalizer(d.key), compileNormalizer(d.value), expected, d.key.kind === 'STRING');
  }
}

// Scalars. A kind's `keeps` says which values come out as they went in (the common case, where
// a check is all a value costs); its `normalize` is the whole rule, which BatchNormalizer's loops
// run from the first value not kept. Each takes the index to name in its refusal: those loops
// pass the row.

export function keepsBoolean(v: unknown): boolean {
  return v === true || v === false;
}

export function normalizeBoolean(v: unknown, i: number, expected: string): unknown {
  return keepsBoolean(v) ? v : nullOr(v, i, expected);
}

/** BYTE, SHORT, INT and SQL_TIME: integer numbers in [min, max]; -0 travels as 0. */
export function keepsSmallInt(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && (v | 0) === v && v >= min && v <= max && !Object.is(v, -0);
}

export function normalizeSmallInt(v: unknown, i: number, min: number, max: number, expected: string): unknown {
  if (keepsSmallInt(v, min, max)) return v;
  return v === 0 ? 0 : nullOr(v, i, expected);
}

/** LONG keeps a safe integer number (but -0, which travels as 0). */
export function keepsLong(v: unknown): boolean {
  return isSafeInteger(v) && !Object.is(v, -0);
}

/** A bigint becomes a number when it is one's, else stays a bigint; other numbers are refused. */
export function normalizeLong(v: unknown, i: number, expected: string): unknown {
  if (keepsLong(v)) return v;
  if (v === 0) return 0;
  if (typeof v === 'number') {
    throw mismatch(i, expected, v, Number.isInteger(v) ? 'not a safe integer: pass a bigint' : 'not an integer');
  }
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) throw mismatch(i, expected, v, 'outside the int64 range');
    const asNumber = Number(v);
    return Number.isSafeInteger(asNumber) && BigInt(asNumber) === v ? asNumber : v;
  }
  return nullOr(v, i, expected);
}

/** FLOAT keeps a number that 32 bits hold (NaN included); others are rounded to one. */
export function keepsFloat(v: unknown): boolean {
  return typeof v === 'number' && (Math.fround(v) === v || v !== v);
}

export function normalizeFloat(v: unknown, i: number, expected: string): unknown {
  if (keepsFloat(v)) return v;
  return typeof v === 'number' ? Math.fround(v) : nullOr(v, i, expected);
}

export function keepsDouble(v: unknown): boolean {
  return typeof v === 'number';
}

export function normalizeDouble(v: unknown, i: number, expected: string): unknown {
  return keepsDouble(v) ? v : nullOr(v, i, expected);
}

/** STRING keeps a well-formed string; UTF-8 cannot carry a lone surrogate, which arrives as U+FFFD. */
export function keepsString(v: unknown): boolean {
  return typeof v === 'string' && (v as unknown as WellFormedString).isWellFormed();
}

export function normalizeString(v: unknown, i: number, expected: string): unknown {
  if (keepsString(v)) return v;
  return typeof v === 'string' ? (v as unknown as WellFormedString).toWellFormed() : nullOr(v, i, expected);
}

/** A safe integer number (inline, unlike Number.isSafeInteger). */
function isSafeInteger(v: unknown): v is number {
  return typeof v === 'number' && ((v | 0) === v || (v <= MAX_SAFE && v >= -MAX_SAFE && Math.floor(v) === v));
}

/** ES2024's String.prototype.isWellFormed / toWellFormed (Node 20 has them; the lib target does not). */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

function nullOr(v: unknown, i: number, expected: string): null {
  if (v === null || v === undefined) return null;
  throw mismatch(i, expected, v);
}

function isUint8Array(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array || types.isUint8Array(v);
}

/** A valid Date (of any realm) as a Date of this realm at `ms(time)`; an invalid one is refused. */
function dateOr(v: unknown, expected: string, ms: (time: number) => number): unknown {
  if (typeof v === 'object' && v !== null && (v instanceof Date || types.isDate(v))) {
    const time = (v as Date).getTime();
    if (time !== time) throw mismatch(0, expected, v);
    return new Date(ms(time));
  }
  return nullOr(v, 0, expected);
}

/** PRIMITIVE_ARRAY(BYTE): a Uint8Array, or an array of integers in [-128, 255], as a Uint8Array. */
function byteArray(v: unknown, expected: string): unknown {
  if (isUint8Array(v)) return new Uint8Array(v);
  if (!Array.isArray(v)) return nullOr(v, 0, expected);
  const source = v as readonly unknown[];
  const out = new Uint8Array(source.length);
  for (let j = 0; j < source.length; j++) {
    const b = source[j];
    if (typeof b !== 'number' || (b | 0) !== b || b < -128 || b > 255) throw mismatch(0, expected, v);
    out[j] = b & 0xff;
  }
  return out;
}

/**
 * The generic column: null is its Arrow null, anything else a copy as its round trip gives it
 * (generic-copy.ts), or that round trip itself for what cannot be copied so (a Map, a Set,
 * bytes, a string with a lone surrogate), which also refuses what cannot be encoded.
 */
function generic(v: unknown): unknown {
  if (v === null) return null;
  const copy = genericCopy(v);
  return copy === NO_COPY ? decodeGeneric(encodeGeneric(v)) : copy;
}

type Normalize = (value: unknown) => unknown;

/**
 * ROW and TUPLE: an array of exactly as many fields; a hole is null, even in a GENERIC field.
 * Rows of two and three fields (a word count's tuple) have closures of their own, in which each
 * field's rule is called from a site of its own, which V8 inlines; the loop's one site sees
 * every field's rule (measured, a TUPLE(STRING, LONG) hand-off: ~23 against ~37 ns a record).
 */
function tuple(fields: readonly Normalize[], expected: string): Normalize {
  const m = fields.length;
  const checked = (v: unknown): readonly unknown[] => {
    if (!Array.isArray(v) || v.length !== m) throw mismatch(0, expected, v);
    return v as readonly unknown[];
  };
  if (m === 2) {
    const [f0, f1] = fields as [Normalize, Normalize];
    return (v) => {
      if (v === null || v === undefined) return null;
      const row = checked(v);
      return [f0(slot(row, 0)), f1(slot(row, 1))];
    };
  }
  if (m === 3) {
    const [f0, f1, f2] = fields as [Normalize, Normalize, Normalize];
    return (v) => {
      if (v === null || v === undefined) return null;
      const row = checked(v);
      return [f0(slot(row, 0)), f1(slot(row, 1)), f2(slot(row, 2))];
    };
  }
  return (v) => {
    if (v === null || v === undefined) return null;
    const row = checked(v);
    const out = new Array<unknown>(m);
    for (let j = 0; j < m; j++) out[j] = fields[j]!(slot(row, j));
    return out;
  };
}

/** Element j of an array as the encoder reads it: a hole is null. */
function slot(v: ArrayLike<unknown>, j: number): unknown {
  const e = v[j];
  return e === undefined && !(j in v) ? null : e;
}

/**
 * ROW_NAMED: a plain object with no property that is not a field. A field is an own property: a
 * missing one is null, and a name Object.prototype has (constructor, __proto__) is never read
 * from the prototype. The copy has the fields in the type's order, as the decoder makes it.
 */
function namedRow(names: readonly string[], fields: readonly Normalize[], expected: string): Normalize {
  const nameSet = new Set(names);
  const m = fields.length;
  const inherited = names.map((name) => name in Object.prototype);
  return (v) => {
    if (v === null || v === undefined) return null;
    if (typeof v !== 'object' || Array.isArray(v) || !isPlainObject(v)) throw mismatch(0, expected, v);
    for (const key in v) {
      if (!nameSet.has(key)) throw mismatch(0, expected, v);
    }
    const source = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let j = 0; j < m; j++) {
      const name = names[j]!;
      let field: unknown;
      if (inherited[j]!) field = Object.hasOwn(source, name) ? source[name] : null;
      else {
        field = source[name];
        if (field === undefined && !(name in source)) field = null;
      }
      const value = fields[j]!(field);
      if (name === '__proto__') Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
      else out[name] = value;
    }
    return out;
  };
}

/** LIST and PRIMITIVE_ARRAY (other than of BYTE): an array (or a typed array, when allowed) as an array; a hole is null. */
function list(element: Normalize, expected: string, typedArrays: boolean): Normalize {
  return (v) => {
    if (v === null || v === undefined) return null;
    if (!Array.isArray(v) && !(typedArrays && ArrayBuffer.isView(v) && !types.isDataView(v))) throw mismatch(0, expected, v);
    const source = v as ArrayLike<unknown>;
    const n = source.length;
    const out = new Array<unknown>(n);
    for (let j = 0; j < n; j++) out[j] = element(slot(source, j));
    return out;
  };
}

/** MAP: a Map (or a plain object, when the keys are strings) as a Map; keys may not be null. */
function map(key: Normalize, value: Normalize, expected: string, objects: boolean): Normalize {
  return (v) => {
    if (v === null || v === undefined) return null;
    const out = new Map<unknown, unknown>();
    if (v instanceof Map || types.isMap(v)) {
      for (const [k, e] of v as Map<unknown, unknown>) {
        if (k === null || k === undefined) throw mismatch(0, expected, v);
        out.set(key(k), value(e));
      }
    } else if (objects && typeof v === 'object' && !Array.isArray(v) && isPlainObject(v)) {
      const source = v as Record<string, unknown>;
      for (const k of Object.keys(source)) out.set(key(k), value(source[k]));
    } else throw mismatch(0, expected, v);
    return out;
  };
}
