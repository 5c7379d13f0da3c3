/**
 * What a batch becomes by crossing a stage boundary, without crossing it: exactly
 * decode(encode(batch)) (same values, same refusals with the same ValueEncodeError), for
 * embedded mode, where no batch is serialized but every value must come out as the other modes
 * deliver it (a FLOAT rounded to 32 bits, a LONG that fits a number as a number, undefined as
 * null, a string with a lone surrogate as UTF-8 leaves it) and a value that does not fit its
 * declared type must fail there too.
 *
 * What each value becomes is value-normalizer.ts's rule for its type, the one a chained
 * function's hand-off applies too. A scalar column (and the timestamps) costs a check per value
 * and no copy while its values come out as they went in. Other columns (nested types, the
 * generic column) are copied value by value; when a value does not fit, the batch takes the real
 * round trip through the codec, whose encoder names the row and the path it refuses first (it
 * checks a batch column by column, not row by row).
 */
import type { TypeDescriptor } from '../api/types.ts';
import { BatchDecoder } from './batch-decoder.ts';
import { BatchEncoder } from './batch-encoder.ts';
import { TIMESTAMP_EXPECTED, TIMESTAMP_PATH, VALUE_COLUMN, valueType, type BatchLayout, type RowBatch } from './batch-layout.ts';
import { expectedValue } from './column-codec.ts';
import { MS_PER_DAY } from './fixed-width-encoders.ts';
import { mismatch, ValueEncodeError, type CellMismatch } from './value-encode-error.ts';
import {
  compileNormalizer,
  keepsBoolean,
  keepsDouble,
  keepsFloat,
  keepsLong,
  keepsSmallInt,
  keepsString,
  normalizeBoolean,
  normalizeDouble,
  normalizeFloat,
  normalizeLong,
  normalizeSmallInt,
  normalizeString,
} from './value-normalizer.ts';

/**
 * values[0, n) as their column returns them: the same array when every value already is (the
 * common case, which costs a check per value and no copy), else a normalized copy, or null when
 * the batch must take the codec's round trip instead. Throws a CellMismatch indexed at the first
 * value that does not fit. One loop per kind, so that each value's check is inlined in it (a
 * call per value through a shared site would not be).
 */
type NormalizeColumn = (values: readonly unknown[], n: number) => readonly unknown[] | null;

export class BatchNormalizer {
  /** The value column's normalizer; its returning null sends the batch through the codec. */
  private readonly values: NormalizeColumn;
  private roundTrip: { encoder: BatchEncoder; decoder: BatchDecoder } | null = null;

  constructor(readonly layout: BatchLayout) {
    const type = valueType(layout);
    this.values = scalarNormalizer(type) ?? eachCopied(compileNormalizer(type));
  }

  /** Throws a ValueEncodeError naming the row and path, as BatchEncoder.encode would. */
  normalize(batch: RowBatch): RowBatch {
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
 * A column of values that are copied (nested types, the generic column): each value as `one`
 * makes it; null, for the codec's round trip, whose encoder then refuses the batch as it does,
 * when a value does not fit.
 */
function eachCopied(one: (value: unknown) => unknown): NormalizeColumn {
  return (values, n) => {
    const out = new Array<unknown>(n);
    try {
      for (let i = 0; i < n; i++) out[i] = one(values[i]);
    } catch {
      return null;
    }
    return out;
  };
}

/**
 * For the scalar kinds: values kept while their kind keeps them (value-normalizer.ts), and from
 * the first it does not, a copy through the kind's rule. Each kind has a loop of its own whose
 * check is a direct call, inlined (see NormalizeColumn).
 */
function scalarNormalizer(d: TypeDescriptor): NormalizeColumn | null {
  const expected = expectedValue(d);
  // The rules are bound here, outside the loops: a closure made inside a loop's function, even
  // where it is never reached, measured slower loops (LONG: 2.2 against 1.4 ns a value).
  switch (d.kind) {
    case 'BOOLEAN': {
      const one = (v: unknown, i: number): unknown => normalizeBoolean(v, i, expected);
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          if (!keepsBoolean(values[i])) return finish(values, n, i, one);
        }
        return values;
      };
    }
    case 'BYTE':
      return smallInts(-128, 127, expected);
    case 'SHORT':
      return smallInts(-32768, 32767, expected);
    case 'INT':
      return smallInts(-2147483648, 2147483647, expected);
    case 'SQL_TIME':
      return smallInts(0, MS_PER_DAY - 1, expected);
    case 'LONG': {
      const one = (v: unknown, i: number): unknown => normalizeLong(v, i, expected);
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          if (!keepsLong(values[i])) return finish(values, n, i, one);
        }
        return values;
      };
    }
    case 'FLOAT': {
      const one = (v: unknown, i: number): unknown => normalizeFloat(v, i, expected);
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          if (!keepsFloat(values[i])) return finish(values, n, i, one);
        }
        return values;
      };
    }
    case 'DOUBLE': {
      const one = (v: unknown, i: number): unknown => normalizeDouble(v, i, expected);
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          if (!keepsDouble(values[i])) return finish(values, n, i, one);
        }
        return values;
      };
    }
    case 'STRING': {
      const one = (v: unknown, i: number): unknown => normalizeString(v, i, expected);
      return (values, n) => {
        for (let i = 0; i < n; i++) {
          if (!keepsString(values[i])) return finish(values, n, i, one);
        }
        return values;
      };
    }
    default:
      return null;
  }
}

function smallInts(min: number, max: number, expected: string): NormalizeColumn {
  const one = (v: unknown, i: number): unknown => normalizeSmallInt(v, i, min, max, expected);
  return (values, n) => {
    for (let i = 0; i < n; i++) {
      if (!keepsSmallInt(values[i], min, max)) return finish(values, n, i, one);
    }
    return values;
  };
}
