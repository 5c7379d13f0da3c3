/**
 * Decoders of fixed-width columns: one pass over the column's typed array, straight from
 * the received bytes. A slot whose validity bit is clear decodes as null.
 */
import { ProtocolError } from '../errors/errors.ts';
import type { BodyReader } from './body.ts';
import type { ColumnDecoder } from './column-codec.ts';

const TWO_POW_32 = 4294967296;
const MS_PER_DAY = 86400000;
/** The largest |ms| a JS Date holds. */
const DATE_LIMIT = 8.64e15;
/** High halves of the int64s that are safe integers: [-2^21, 2^21), except -2^53 itself. */
const SAFE_HIGH = 0x200000;

export class BoolDecoder implements ColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const bits = body.view(Uint8Array, (n + 7) >> 3, this.name);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      out[i] = valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0 ? null : ((bits[i >> 3]! >> (i & 7)) & 1) === 1;
    }
    return out;
  }
}

type SmallIntArray = Int8ArrayConstructor | Int16ArrayConstructor | Int32ArrayConstructor;

/** BYTE, SHORT, INT and SQL_TIME: plain numbers. */
export class SmallIntDecoder implements ColumnDecoder {
  constructor(
    private readonly ctor: SmallIntArray,
    private readonly name: string,
  ) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const valid = body.validity(node, this.name);
    return numbers(body.view<ArrayLike<number>>(this.ctor, node.length, this.name), node.length, valid);
  }
}

export class Float64Decoder implements ColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const valid = body.validity(node, this.name);
    const data = body.view(Float64Array, node.length, this.name);
    const n = node.length;
    const out = new Array<unknown>(n);
    if (valid === null) {
      for (let i = 0; i < n; i++) out[i] = data[i];
    } else {
      for (let i = 0; i < n; i++) out[i] = ((valid[i >> 3]! >> (i & 7)) & 1) === 1 ? data[i] : null;
    }
    return out;
  }
}

export class Float32Decoder implements ColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const valid = body.validity(node, this.name);
    return numbers(body.view(Float32Array, node.length, this.name), node.length, valid);
  }
}

function numbers(data: ArrayLike<number>, n: number, valid: Uint8Array | null): unknown[] {
  const out = new Array<unknown>(n);
  if (valid === null) {
    for (let i = 0; i < n; i++) out[i] = data[i];
  } else {
    for (let i = 0; i < n; i++) out[i] = ((valid[i >> 3]! >> (i & 7)) & 1) === 1 ? data[i] : null;
  }
  return out;
}

/** LONG: a number when the value is a safe integer, a bigint otherwise. */
export class LongDecoder implements ColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const halves = body.view(Int32Array, 2 * n, this.name, 8);
    let big: BigInt64Array | null = null;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0) {
        out[i] = null;
        continue;
      }
      const low = halves[2 * i]!;
      const high = halves[2 * i + 1]!;
      if (high >= -SAFE_HIGH && high < SAFE_HIGH && (high !== -SAFE_HIGH || low !== 0)) {
        out[i] = high * TWO_POW_32 + (low >>> 0);
      } else {
        big ??= new BigInt64Array(halves.buffer, halves.byteOffset, n);
        out[i] = big[i];
      }
    }
    return out;
  }
}

/** SQL_TIMESTAMP: Int64 milliseconds since the epoch, as Dates. */
export class TimestampDecoder implements ColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const halves = body.view(Int32Array, 2 * n, this.name, 8);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0) {
        out[i] = null;
        continue;
      }
      const ms = halves[2 * i + 1]! * TWO_POW_32 + (halves[2 * i]! >>> 0);
      if (!(ms >= -DATE_LIMIT && ms <= DATE_LIMIT)) throw outOfDateRange(this.name, i, `${ms} ms`);
      out[i] = new Date(ms);
    }
    return out;
  }
}

/** SQL_DATE: Int32 days since the epoch, as Dates at UTC midnight. */
export class DateDayDecoder implements ColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const days = body.view(Int32Array, n, this.name);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0) {
        out[i] = null;
        continue;
      }
      const ms = days[i]! * MS_PER_DAY;
      if (!(ms >= -DATE_LIMIT && ms <= DATE_LIMIT)) throw outOfDateRange(this.name, i, `${days[i]} days`);
      out[i] = new Date(ms);
    }
    return out;
  }
}

function outOfDateRange(name: string, row: number, what: string): ProtocolError {
  return new ProtocolError(`Arrow batch: ${name} at slot ${row} is ${what} from the epoch, outside the range of a JavaScript Date`);
}
