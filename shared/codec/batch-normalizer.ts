/**
 * What a batch becomes by crossing a stage boundary, without crossing it: exactly
 * decode(encode(batch)) (same values, same refusals with the same ValueEncodeError), for
 * embedded mode, where no batch is serialized but every value must come out as the other modes
 * deliver it (a FLOAT rounded to 32 bits, a LONG that fits a number as a number, undefined as
 * null, a string with a lone surrogate as UTF-8 leaves it) and a value that does not fit its
 * declared type must fail there too.
 *
 * Scalar value columns (and the timestamps) are normalized value by value, at the cost of a
 * type check; anything else (nested types, the generic column) takes the real round trip
 * through the codec, so that there is one definition of what those become.
 */
import type { TypeDescriptor } from '../api/types.ts';
import { BatchDecoder } from './batch-decoder.ts';
import { BatchEncoder } from './batch-encoder.ts';
import { VALUE_COLUMN, valueType, type BatchLayout, type RowBatch } from './batch-layout.ts';
import { expectedValue } from './column-codec.ts';
import { mismatch, ValueEncodeError, type CellMismatch } from './value-encode-error.ts';

const TIMESTAMP_PATH = 'timestamp';
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MS_PER_DAY = 86400000;

/** A value as its column returns it; throws a CellMismatch indexed `i` when it does not fit. */
type Normalize = (v: unknown, i: number) => unknown;

export class BatchNormalizer {
  private readonly values: Normalize | null;
  private roundTrip: { encoder: BatchEncoder; decoder: BatchDecoder } | null = null;

  constructor(readonly layout: BatchLayout) {
    this.values = scalarNormalizer(valueType(layout));
  }

  /** Throws a ValueEncodeError naming the row and path, as BatchEncoder.encode would. */
  normalize(batch: RowBatch): RowBatch {
    if (this.values === null) return this.viaCodec(batch);
    const n = batch.length;
    const values = new Array<unknown>(n);
    let timestamps: (number | null)[] | null = null;
    let column = TIMESTAMP_PATH;
    try {
      if (batch.timestamps !== null) {
        timestamps = new Array<number | null>(n);
        for (let i = 0; i < n; i++) timestamps[i] = timestamp(batch.timestamps[i], i);
      }
      column = VALUE_COLUMN;
      const normalize = this.values;
      for (let i = 0; i < n; i++) values[i] = normalize(batch.values[i], i);
    } catch (e) {
      const m = e as CellMismatch;
      throw new ValueEncodeError(m.index, m.path(column), m.expected, m.found);
    }
    return { length: n, values, keys: batch.keys, timestamps };
  }

  private viaCodec(batch: RowBatch): RowBatch {
    this.roundTrip ??= { encoder: new BatchEncoder(this.layout), decoder: new BatchDecoder(this.layout) };
    const bytes = this.roundTrip.encoder.encode(batch);
    // The encoder's buffers are its scratch: the decoded views must not share them.
    return this.roundTrip.decoder.decode(bytes.slice());
  }
}

const TIMESTAMP_EXPECTED = 'a timestamp (a number of milliseconds since the epoch, or null)';

function timestamp(v: unknown, i: number): number | null {
  if (typeof v === 'number') return v;
  if (v === null || v === undefined) return null;
  throw mismatch(i, TIMESTAMP_EXPECTED, v);
}

/** For the scalar kinds, the per-value rule of their encoder and decoder together; else null. */
function scalarNormalizer(d: TypeDescriptor): Normalize | null {
  const expected = expectedValue(d);
  switch (d.kind) {
    case 'BOOLEAN':
      return (v, i) => (v === true || v === false ? v : nullOr(v, i, expected));
    case 'BYTE':
      return smallInt(-128, 127, expected);
    case 'SHORT':
      return smallInt(-32768, 32767, expected);
    case 'INT':
      return smallInt(-2147483648, 2147483647, expected);
    case 'SQL_TIME':
      return smallInt(0, MS_PER_DAY - 1, expected);
    case 'LONG':
      return (v, i) => {
        if (typeof v === 'number') {
          if ((v | 0) === v || Number.isSafeInteger(v)) return v + 0; // -0 travels as 0
          throw mismatch(i, expected, v, Number.isInteger(v) ? 'not a safe integer: pass a bigint' : 'not an integer');
        }
        if (typeof v === 'bigint') {
          if (v < INT64_MIN || v > INT64_MAX) throw mismatch(i, expected, v, 'outside the int64 range');
          const asNumber = Number(v);
          return Number.isSafeInteger(asNumber) && BigInt(asNumber) === v ? asNumber : v;
        }
        return nullOr(v, i, expected);
      };
    case 'FLOAT':
      return (v, i) => (typeof v === 'number' ? Math.fround(v) : nullOr(v, i, expected));
    case 'DOUBLE':
      return (v, i) => (typeof v === 'number' ? v : nullOr(v, i, expected));
    case 'STRING':
      // UTF-8 cannot carry a lone surrogate: it arrives as U+FFFD.
      return (v, i) => (typeof v === 'string' ? wellFormed(v) : nullOr(v, i, expected));
    default:
      return null;
  }
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

function smallInt(min: number, max: number, expected: string): Normalize {
  return (v, i) => (typeof v === 'number' && (v | 0) === v && v >= min && v <= max ? v + 0 : nullOr(v, i, expected));
}

function nullOr(v: unknown, i: number, expected: string): null {
  if (v === null || v === undefined) return null;
  throw mismatch(i, expected, v);
}
