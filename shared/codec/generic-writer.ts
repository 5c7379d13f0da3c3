/**
 * Appends values in the generic encoding (proto/generic-value.md) to one growing buffer.
 * The batch encoder writes a whole column through one writer: the column's data buffer is
 * `bytes()` and each row's start is `length` before its `write`, so no value costs an
 * allocation. The output is canonical: equal values always give equal bytes, which is
 * what lets encoded keys be compared and hashed as bytes.
 */
import { types } from 'node:util';
import {
  MAX_DEPTH,
  SHORT_STRING_MAX,
  SMALL_INT_MAX,
  TAG_ARRAY,
  TAG_ARRAY_BUFFER,
  TAG_BIGINT_NEGATIVE,
  TAG_BIGINT_POSITIVE,
  TAG_BYTES,
  TAG_DATE,
  TAG_FALSE,
  TAG_FLOAT64,
  TAG_INT,
  TAG_MAP,
  TAG_NULL,
  TAG_OBJECT,
  TAG_SET,
  TAG_SHORT_STRING,
  TAG_SMALL_INT,
  TAG_STRING,
  TAG_TRUE,
  TAG_TYPED_ARRAY,
  TAG_UNDEFINED,
  typedArrayKind,
} from './generic-format.ts';
import { Unencodable, withSegment } from './generic-encode-error.ts';
import { describeInstance, propertySegment, renderMapKey } from './value-paths.ts';

export interface GenericWriterOptions {
  initialCapacity?: number;
  /** Key form (encodeKey): -0 is written as 0, so that 0 and -0 are the same key. */
  keyForm?: boolean;
}

export class GenericWriter {
  private buf: Buffer;
  /**
   * buf.byteLength, kept as a number: ensure() runs for every value written, and V8 compiled
   * the buffer's byteLength there as a call to its load IC (perf, a key selector's worker).
   */
  private capacity: number;
  private view: DataView;
  private pos = 0;
  private readonly keyForm: boolean;

  constructor(options: GenericWriterOptions = {}) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(64, options.initialCapacity ?? 4096));
    this.capacity = this.buf.byteLength;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.keyForm = options.keyForm ?? false;
  }

  /** Bytes written since the last reset. */
  get length(): number {
    return this.pos;
  }

  reset(): void {
    this.pos = 0;
  }

  /**
   * Appends one value. On a GenericEncodeError nothing of the value stays written.
   * Invariant: between calls, bytes [0, length) hold whole encoded values (and whatever
   * writeBytes appended) only.
   */
  write(value: unknown): void {
    const start = this.pos;
    try {
      this.writeValue(value, 0);
    } catch (e) {
      this.pos = start;
      if (e instanceof Unencodable) throw e.toError();
      throw e;
    }
  }

  /**
   * Appends `bytes` as they are: an encoding made earlier, a key's bytes. (The writer doubles as
   * a column of byte strings, each row's end being `length` after it is appended.)
   */
  writeBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    const buf = this.buf;
    const p = this.pos;
    if (n <= 16) {
      for (let j = 0; j < n; j++) buf[p + j] = bytes[j]!;
    } else {
      buf.set(bytes, p);
    }
    this.pos = p + n;
  }

  /** Appends the low `count` (0 to 4) bytes of the integer `value`, the most significant first. */
  writeBigEndian(value: number, count: number): void {
    this.ensure(count);
    const buf = this.buf;
    let p = this.pos;
    for (let j = count - 1; j >= 0; j--) buf[p++] = (value >>> (8 * j)) & 0xff;
    this.pos = p;
  }

  /** A view of bytes [0, length): valid until the next write or reset. */
  bytes(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
  }

  /**
   * A caller-owned copy of bytes [start, end). Keys are copied here, one per record, and are
   * mostly a few bytes long: a loop copies those in a third of the time of set(subarray()),
   * whose view costs more than the copy.
   */
  copy(start = 0, end = this.pos): Uint8Array {
    const n = end - start;
    const out = new Uint8Array(n);
    const buf = this.buf;
    if (n <= 16) {
      for (let j = 0; j < n; j++) out[j] = buf[start + j]!;
    } else {
      out.set(new Uint8Array(buf.buffer, buf.byteOffset + start, n));
    }
    return out;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.capacity) return;
    const next = Buffer.allocUnsafeSlow(Math.max(need, this.capacity * 2));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.capacity = next.byteLength;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  private writeValue(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        return this.writeNumber(v);
      case 'string':
        return this.writeString(v);
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = v ? TAG_TRUE : TAG_FALSE;
        return;
      case 'undefined':
        this.ensure(1);
        this.buf[this.pos++] = TAG_UNDEFINED;
        return;
      case 'bigint':
        return this.writeBigInt(v);
      case 'object':
        if (v === null) {
          this.ensure(1);
          this.buf[this.pos++] = TAG_NULL;
          return;
        }
        return this.writeObject(v, depth);
      case 'function':
        throw new Unencodable('is a function');
      case 'symbol':
        throw new Unencodable('is a symbol');
    }
  }

  private writeNumber(v: number): void {
    this.ensure(9);
    if ((v | 0) === v) {
      // An int32, or -0, which stays a float64 unless keys fold it into 0.
      if (v !== 0 || 1 / v > 0 || this.keyForm) {
        if (v >= 0 && v <= SMALL_INT_MAX) {
          this.buf[this.pos++] = TAG_SMALL_INT | v;
        } else {
          this.buf[this.pos++] = TAG_INT;
          this.writeZigzag(v);
        }
        return;
      }
    } else if (Number.isSafeInteger(v)) {
      this.buf[this.pos++] = TAG_INT;
      this.writeZigzag(v);
      return;
    }
    this.buf[this.pos++] = TAG_FLOAT64;
    this.writeFloat64(v);
  }

  private writeFloat64(v: number): void {
    if (v !== v) {
      // One NaN bit pattern, so that encodings stay canonical.
      this.view.setUint32(this.pos, 0, true);
      this.view.setUint32(this.pos + 4, 0x7ff80000, true);
    } else {
      this.view.setFloat64(this.pos, v, true);
    }
    this.pos += 8;
  }

  /**
   * Zigzag varint of a safe integer. 2|v| - 1 is not exact in a double above 2^53, so the
   * varint is built from q = |v| or |v| - 1 (z = 2q + sign) in 28-bit halves.
   */
  private writeZigzag(v: number): void {
    const sign = v < 0 ? 1 : 0;
    const q = sign === 1 ? -v - 1 : v;
    if (q < 0x40000000) {
      this.writeVarint(q * 2 + sign);
      return;
    }
    const buf = this.buf;
    let p = this.pos;
    let low = (q % 0x8000000) * 2 + sign; // bits 0..27 of z
    let high = Math.floor(q / 0x8000000); // bits 28.. of z, non-zero since q >= 2^30
    for (let i = 0; i < 4; i++) {
      buf[p++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
    while (high > 0x7f) {
      buf[p++] = (high & 0x7f) | 0x80;
      high >>>= 7;
    }
    buf[p++] = high;
    this.pos = p;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. Capacity is the caller's job. */
  private writeVarint(n: number): void {
    const buf = this.buf;
    let p = this.pos;
    if (n < 0x80000000) {
      while (n > 0x7f) {
        buf[p++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
    } else {
      while (n > 0x7f) {
        buf[p++] = (n % 128) | 0x80;
        n = Math.floor(n / 128);
      }
    }
    buf[p++] = n;
    this.pos = p;
  }

  private writeString(s: string): void {
    const len = s.length;
    this.ensure(6 + 3 * len);
    const buf = this.buf;
    const start = this.pos;
    if (len <= SHORT_STRING_MAX) {
      // Short ASCII strings are the common case; a JS loop beats a native call here.
      let p = start + 1;
      let j = 0;
      for (; j < len; j++) {
        const c = s.charCodeAt(j);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (j === len) {
        buf[start] = TAG_SHORT_STRING + len;
        this.pos = p;
        return;
      }
    }
    // Write the bytes after a header sized for an all-ASCII string (byte length = len),
    // then move them if the real byte length needs another header size.
    const guess = headerSize(len);
    const written = buf.write(s, start + guess, 'utf8');
    const header = headerSize(written);
    if (header !== guess) buf.copyWithin(start + header, start + guess, start + guess + written);
    if (header === 1) {
      buf[start] = TAG_SHORT_STRING + written;
      this.pos = start + 1;
    } else {
      buf[start] = TAG_STRING;
      this.pos = start + 1;
      this.writeVarint(written);
    }
    this.pos += written;
  }

  private writeBigInt(v: bigint): void {
    const negative = v < 0n;
    const magnitude = negative ? -v : v;
    if (magnitude <= 0x1fffffffffffffn) {
      let m = Number(magnitude);
      this.ensure(10);
      this.buf[this.pos++] = negative ? TAG_BIGINT_NEGATIVE : TAG_BIGINT_POSITIVE;
      let n = 0;
      for (let x = m; x > 0; x = Math.floor(x / 256)) n++;
      this.buf[this.pos++] = n;
      for (let i = 0; i < n; i++) {
        this.buf[this.pos++] = m % 256;
        m = Math.floor(m / 256);
      }
      return;
    }
    // Hex keeps big magnitudes linear in their size.
    let hex = magnitude.toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    const n = hex.length / 2;
    this.ensure(11 + n);
    this.buf[this.pos++] = negative ? TAG_BIGINT_NEGATIVE : TAG_BIGINT_POSITIVE;
    this.writeVarint(n);
    for (let i = 0; i < n; i++) {
      const at = hex.length - 2 * (i + 1);
      this.buf[this.pos++] = parseInt(hex.slice(at, at + 2), 16);
    }
  }

  private writeRaw(tag: number, bytes: Uint8Array): void {
    this.ensure(10 + bytes.byteLength);
    this.buf[this.pos++] = tag;
    this.writeVarint(bytes.byteLength);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.byteLength;
  }

  private writeHeader(tag: number, count: number): void {
    this.ensure(10);
    this.buf[this.pos++] = tag;
    this.writeVarint(count);
  }

  private writeObject(v: object, depth: number): void {
    if (depth >= MAX_DEPTH) throw new Unencodable(`is nested more than ${MAX_DEPTH} levels deep (is it cyclic?)`);
    if (Array.isArray(v)) {
      const n = v.length;
      this.writeHeader(TAG_ARRAY, n);
      let i = 0;
      try {
        for (; i < n; i++) this.writeValue(v[i], depth + 1);
      } catch (e) {
        throw withSegment(e, `[${i}]`);
      }
      return;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    // A root prototype, whatever its realm: user code may run in a vm context.
    if (proto === null || Object.getPrototypeOf(proto) === null) {
      const keys = Object.keys(v);
      const record = v as Record<string, unknown>;
      this.writeHeader(TAG_OBJECT, keys.length);
      let key = '';
      try {
        for (key of keys) {
          this.writeString(key);
          this.writeValue(record[key], depth + 1);
        }
      } catch (e) {
        throw withSegment(e, propertySegment(key));
      }
      return;
    }
    if (types.isDate(v)) {
      this.ensure(9);
      this.buf[this.pos++] = TAG_DATE;
      this.writeFloat64((v as Date).getTime());
      return;
    }
    if (types.isUint8Array(v)) return this.writeRaw(TAG_BYTES, v as Uint8Array);
    if (ArrayBuffer.isView(v)) {
      const kind = types.isDataView(v) ? 0 : typedArrayKind(v);
      if (kind === 0) throw new Unencodable(`is a ${v.constructor.name}`);
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      this.ensure(12 + bytes.byteLength);
      this.buf[this.pos++] = TAG_TYPED_ARRAY;
      this.buf[this.pos++] = kind;
      this.writeVarint(bytes.byteLength);
      this.buf.set(bytes, this.pos);
      this.pos += bytes.byteLength;
      return;
    }
    if (types.isArrayBuffer(v)) return this.writeRaw(TAG_ARRAY_BUFFER, new Uint8Array(v as ArrayBuffer));
    if (types.isMap(v)) {
      const map = v as Map<unknown, unknown>;
      this.writeHeader(TAG_MAP, map.size);
      let i = 0;
      let atKey = true;
      let key: unknown;
      try {
        for (const [k, value] of map) {
          key = k;
          atKey = true;
          this.writeValue(k, depth + 1);
          atKey = false;
          this.writeValue(value, depth + 1);
          i++;
        }
      } catch (e) {
        throw withSegment(e, atKey ? `.keys()[${i}]` : `.get(${renderMapKey(key)})`);
      }
      return;
    }
    if (types.isSet(v)) {
      const set = v as Set<unknown>;
      this.writeHeader(TAG_SET, set.size);
      let i = 0;
      try {
        for (const element of set) {
          this.writeValue(element, depth + 1);
          i++;
        }
      } catch (e) {
        throw withSegment(e, `.values()[${i}]`);
      }
      return;
    }
    throw new Unencodable(`is ${describeInstance(v)}`);
  }
}

function headerSize(byteLength: number): number {
  if (byteLength <= SHORT_STRING_MAX) return 1;
  if (byteLength < 1 << 7) return 2;
  if (byteLength < 1 << 14) return 3;
  if (byteLength < 1 << 21) return 4;
  if (byteLength < 1 << 28) return 5;
  return 6;
}
