/**
 * What a batch becomes by crossing a stage boundary, without crossing it: exactly
 * decode(encode(batch)) (same values, same refusals with the same ValueEncodeError), for
 * embedded mode, where no batch is serialized but every value must come out as the other modes
 * deliver it (a FLOAT rounded to 32 bits, a LONG that fits a number as a number, undefined as
 * null, a string with a lone surrogate as UTF-8 leaves it) and a value that does not fit its
 * declared type must fail there too.
 *
 * Scalar value columns (and the timestamps) are normalized value by value, at the cost of a
 * type check. The generic column's values are copied as its round trip would give them
 * (generic-copy.ts) when every one of them can be; nested types, and a generic batch holding a
 * value that cannot be copied so, take the real round trip through the codec, so that there is
 * one definition of what those become.
 */
import type { TypeDescriptor } from '../api/types.ts';
import { BatchDecoder } from './batch-decoder.ts';
import { BatchEncoder } from './batch-encoder.ts';
import { TIMESTAMP_EXPECTED, TIMESTAMP_PATH, VALUE_COLUMN, valueType, type BatchLayout, type RowBatch } from './batch-layout.ts';
import { expectedValue } from './column-codec.ts';
import { genericCopy, NO_COPY } from './generic-copy.ts';
import { INT64_MAX, INT64_MIN, MS_PER_DAY } from './fixed-width-encoders.ts';
import { mismatch, ValueEncodeError, type CellMismatch } from './value-encode-error.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * values[0, n) as their column returns them: the same array when every value already is (the
 * common case, which costs a check per value and no copy), else a normalized copy, or null when
 * the batch must take the codec's round trip instead. Throws a CellMismatch indexed at the first
 * value that does not fit. One loop per kind, so that each value's check is inlined in it (a
 * call per value through a shared site would not be).
 */
type NormalizeColumn = (values: readonly unknown[], n: number) => readonly unknown[] | null;

export class BatchNormalizer {
  /** The value column's normalizer; null (or its returning null) sends the batch through the codec. */
  private readonly values: NormalizeColumn | null;
  private roundTrip: { encoder: BatchEncoder; decoder: BatchDecoder } | null = null;

  constructor(readonly layout: BatchLayout) {
    const type = valueType(layout);
    this.values = scalarNormalizer(type) ?? (type.kind === 'GENERIC' ? copiedGeneric : null);
  }

  /** Throws a ValueEncodeError naming the row and path, as BatchEncoder.encode would. */
  normalize(batch: RowBatch): RowBatch {
    if (this.values === null) return this.viaCodec(batch);
    const n = batch.length;
    let column = TIMESTAMP_PATH;
    let timestamps: (number | null)[] | null;
    let values: readonly unknown[] | null;
    try {
      timestamps = batch.timestamps === null ? null : normalizeTimestamps(batch.timestamps, n);
      column = VALUE_COLUMN;
      values = this.values(batch.values, n);
    } catch (e) {
      const m = e as CellMismatch;
      throw new ValueEncodeError(m.index, m.path(column), m.expected, m.found);
    }
    if (values === null) return this.viaCodec(batch);
    return values === batch.values && timestamps === batch.timestamps ? batch : { length: n, values: values as unknown[], keys: batch.keys, timestamps };
  }

  private viaCodec(batch: RowBatch): RowBatch {
    this.roundTrip ??= { encoder: new BatchEncoder(this.layout), decoder: new BatchDecoder(this.layout) };
    const bytes = this.roundTrip.encoder.encode(batch);
    // The encoder's buffers are its scratch: the decoded views must not share them.
    return this.roundTrip.decoder.decode(bytes.slice());
  }
}

function normalizeTimestamps(timestamps: readonly (number | null)[], n: number): (number | null)[] {
  for (let i = 0; i < n; i++) {
    const t: unknown = timestamps[i];
    if (typeof t !== 'number' && t !== null) return finish(timestamps, n, i, timestamp) as (number | null)[];
  }
  return timestamps as (number | null)[];
}

function timestamp(v: unknown, i: number): number | null {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return null;
  throw mismatch(i, TIMESTAMP_EXPECTED, v);
}

/** A copy of values[0, from) kept as they are, and values[from, n) through `one`. */
function finish(values: readonly unknown[], n: number, from: number, one: (v: unknown, i: number) => unknown): unknown[] {
  const out = values.slice(0, n);
  for (let i = from; i < n; i++) out[i] = one(values[i], i);
  return out;
}

/**
 * The generic column: each value copied as its round trip gives it (a null cell is null either
 * way); null, for the codec's round trip, which also refuses what cannot be encoded, when a value
 * cannot be copied so.
 */
function copiedGeneric(values: readonly unknown[], n: number): unknown[] | null {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) {
    const copy = genericCopy(values[i]);
    if (copy === NO_COPY) return null;
    out[i] = copy;
  }
  return out;
}

/** For the scalar kinds, the per-value rule of their encoder and decoder together; else null. */
function scalarNormalizer(d: TypeDescriptor): NormalizeColumn | null {
  const expected = expectedValue(d);
  const orNull = (v: unknown, i: number): unknown => nullOr(v, i, expected);
  switch (d.kind) {
    case 'BOOLEAN':
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v !== true && v !== false) return finish(values, n, i, (x, j) => (x === true || x === false ? x : orNull(x, j)));
        }
        return values;
      };
    case 'BYTE':
      return smallInts(-128, 127, expected);
    case 'SHORT':
      return smallInts(-32768, 32767, expected);
    case 'INT':
      return smallInts(-2147483648, 2147483647, expected);
    case 'SQL_TIME':
      return smallInts(0, MS_PER_DAY - 1, expected);
    case 'LONG': {
      const one = (v: unknown, i: number): unknown => (isSafeInteger(v) ? (v === 0 ? 0 : v) : long(v, i, expected));
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          const v = values[i];
          // -0 travels as 0.
          if (!isSafeInteger(v) || Object.is(v, -0)) return finish(values, n, i, one);
        }
        return values;
      };
    }
    case 'FLOAT': {
      const one = (v: unknown, i: number): unknown => (typeof v === 'number' ? Math.fround(v) : orNull(v, i));
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (typeof v !== 'number' || (Math.fround(v) !== v && v === v)) return finish(values, n, i, one);
        }
        return values;
      };
    }
    case 'DOUBLE':
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (typeof v !== 'number') return finish(values, n, i, (x, j) => (typeof x === 'number' ? x : orNull(x, j)));
        }
        return values;
      };
    case 'STRING': {
      // UTF-8 cannot carry a lone surrogate: it arrives as U+FFFD.
      const one = (v: unknown, i: number): unknown => (typeof v === 'string' ? wellFormed(v) : orNull(v, i));
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (typeof v !== 'string' || !(v as unknown as WellFormedString).isWellFormed()) return finish(values, n, i, one);
        }
        return values;
      };
    }
    default:
      return null;
  }
}

/** A safe integer number (inline, unlike Number.isSafeInteger). */
function isSafeInteger(v: unknown): v is number {
  return typeof v === 'number' && ((v | 0) === v || (v <= MAX_SAFE && v >= -MAX_SAFE && Math.floor(v) === v));
}

/** LONG's rule for what is not a safe integer number. */
function long(v: unknown, i: number, expected: string): unknown {
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

/** ES2024's String.prototype.isWellFormed / toWellFormed (Node 20 has them; the lib target does not). */
interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

function wellFormed(v: string): string {
  const s = v as unknown as WellFormedString;
  return s.isWellFormed() ? v : s.toWellFormed();
}

function smallInts(min: number, max: number, expected: string): NormalizeColumn {
  const fits = (v: unknown): v is number => typeof v === 'number' && (v | 0) === v && v >= min && v <= max;
  const one = (v: unknown, i: number): unknown => (fits(v) ? (v === 0 ? 0 : v) : nullOr(v, i, expected));
  return (values, n) => {
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (!fits(v) || Object.is(v, -0)) return finish(values, n, i, one);
    }
    return values;
  };
}

function nullOr(v: unknown, i: number, expected: string): null {
  if (v === null || v === undefined) return null;
  throw mismatch(i, expected, v);
}
