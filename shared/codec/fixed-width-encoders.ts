/**
 * Encoders of fixed-width columns: each fills a reused typed array in one pass over the
 * values, checking every value's type (and range) as it goes. Nulls cost nothing until
 * the first one appears (ValidityBuilder).
 */
import { types } from 'node:util';
import type { BodyWriter } from './body.ts';
import type { ColumnEncoder } from './column-codec.ts';
import { Scratch, ValidityBuilder } from './scratch.ts';
import { mismatch } from './value-encode-error.ts';

const TWO_POW_32 = 4294967296;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const MS_PER_DAY = 86400000;

export class BoolEncoder implements ColumnEncoder {
  private readonly scratch = new Scratch();
  private readonly validity = new ValidityBuilder();
  constructor(private readonly expected: string) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const bits = this.scratch.bytes((n + 7) >> 3);
    bits.fill(0);
    const validity = this.validity;
    validity.reset(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === true) bits[i >> 3]! |= 1 << (i & 7);
      else if (v === null || v === undefined) validity.markNull(i);
      else if (v !== false) throw mismatch(i, this.expected, v);
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(bits);
  }
}

/** BYTE, SHORT, INT and SQL_TIME: integer numbers in [min, max], 1, 2 or 4 bytes wide. */
export class SmallIntEncoder implements ColumnEncoder {
  private readonly scratch = new Scratch();
  private readonly validity = new ValidityBuilder();
  constructor(
    private readonly width: 1 | 2 | 4,
    private readonly min: number,
    private readonly max: number,
    private readonly expected: string,
  ) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const data = this.width === 1 ? this.scratch.int8(n) : this.width === 2 ? this.scratch.int16(n) : this.scratch.int32(n);
    const { min, max, validity } = this;
    validity.reset(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'number' && (v | 0) === v && v >= min && v <= max) data[i] = v;
      else if (v === null || v === undefined) {
        data[i] = 0;
        validity.markNull(i);
      } else throw mismatch(i, this.expected, v);
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(data);
  }
}

/** LONG: safe-integer numbers and int64 bigints; anything that could lose precision is refused. */
export class LongEncoder implements ColumnEncoder {
  private readonly scratch = new Scratch();
  private readonly validity = new ValidityBuilder();
  constructor(private readonly expected: string) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const bytes = this.scratch.bytes(n * 8);
    // Little-endian halves: [2i] low 32 bits, [2i + 1] high 32 bits (signed).
    const halves = new Int32Array(bytes.buffer, 0, 2 * n);
    let big: BigInt64Array | null = null;
    const validity = this.validity;
    validity.reset(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'number') {
        if ((v | 0) === v) {
          halves[2 * i] = v;
          halves[2 * i + 1] = v >> 31;
        } else if (Number.isSafeInteger(v)) {
          const high = Math.floor(v / TWO_POW_32);
          halves[2 * i] = v - high * TWO_POW_32;
          halves[2 * i + 1] = high;
        } else {
          throw mismatch(i, this.expected, v, Number.isInteger(v) ? 'not a safe integer: pass a bigint' : 'not an integer');
        }
      } else if (typeof v === 'bigint') {
        if (v < INT64_MIN || v > INT64_MAX) throw mismatch(i, this.expected, v, 'outside the int64 range');
        big ??= new BigInt64Array(bytes.buffer, 0, n);
        big[i] = v;
      } else if (v === null || v === undefined) {
        halves[2 * i] = 0;
        halves[2 * i + 1] = 0;
        validity.markNull(i);
      } else throw mismatch(i, this.expected, v);
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(bytes);
  }
}

/** DOUBLE, and the timestamps column. */
export class Float64Encoder implements ColumnEncoder {
  private readonly scratch = new Scratch();
  private readonly validity = new ValidityBuilder();
  constructor(private readonly expected: string) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const data = this.scratch.float64(n);
    const validity = this.validity;
    validity.reset(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'number') data[i] = v;
      else if (v === null || v === undefined) {
        data[i] = 0;
        validity.markNull(i);
      } else throw mismatch(i, this.expected, v);
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(data);
  }
}

export class Float32Encoder implements ColumnEncoder {
  private readonly scratch = new Scratch();
  private readonly validity = new ValidityBuilder();
  constructor(private readonly expected: string) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const data = this.scratch.float32(n);
    const validity = this.validity;
    validity.reset(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'number') data[i] = v;
      else if (v === null || v === undefined) {
        data[i] = 0;
        validity.markNull(i);
      } else throw mismatch(i, this.expected, v);
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(data);
  }
}

function isDate(v: unknown): v is Date {
  return v instanceof Date || types.isDate(v);
}

/** SQL_DATE: whole days since the epoch (Int32); a Date's time of day is dropped. */
export class DateDayEncoder implements ColumnEncoder {
  private readonly scratch = new Scratch();
  private readonly validity = new ValidityBuilder();
  constructor(private readonly expected: string) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const data = this.scratch.int32(n);
    const validity = this.validity;
    validity.reset(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'object' && v !== null && isDate(v)) {
        const ms = v.getTime();
        if (ms !== ms) throw mismatch(i, this.expected, v);
        data[i] = Math.floor(ms / MS_PER_DAY);
      } else if (v === null || v === undefined) {
        data[i] = 0;
        validity.markNull(i);
      } else throw mismatch(i, this.expected, v);
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(data);
  }
}

/** SQL_TIMESTAMP: milliseconds since the epoch (Int64). */
export class TimestampEncoder implements ColumnEncoder {
  private readonly scratch = new Scratch();
  private readonly validity = new ValidityBuilder();
  constructor(private readonly expected: string) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const bytes = this.scratch.bytes(n * 8);
    const halves = new Int32Array(bytes.buffer, 0, 2 * n);
    const validity = this.validity;
    validity.reset(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'object' && v !== null && isDate(v)) {
        const ms = v.getTime();
        if (ms !== ms) throw mismatch(i, this.expected, v);
        const high = Math.floor(ms / TWO_POW_32);
        halves[2 * i] = ms - high * TWO_POW_32;
        halves[2 * i + 1] = high;
      } else if (v === null || v === undefined) {
        halves[2 * i] = 0;
        halves[2 * i + 1] = 0;
        validity.markNull(i);
      } else throw mismatch(i, this.expected, v);
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(bytes);
  }
}
