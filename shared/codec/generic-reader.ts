/**
 * Reads the generic value encoding (proto/generic-value.md). Every read is bounds-checked
 * and every count is checked against the bytes left, so malformed or truncated input fails
 * with a ProtocolError naming the byte, never with a hang or a huge allocation.
 */
import { ProtocolError } from '../errors/errors.ts';
import {
  MAX_DEPTH,
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
  TYPED_ARRAY_KINDS,
} from './generic-format.ts';

const EMPTY = new Uint8Array(0);
const KEY_CACHE_SIZE = 256;
const KEY_CACHE_MAX_BYTES = 32;

interface CachedKey {
  bytes: Uint8Array;
  text: string;
}

export class GenericReader {
  private bytes: Uint8Array = EMPTY;
  /**
   * A Buffer (for string decoding) and a DataView (for floats) over `bytes`, made when first
   * needed: most values are small numbers and keys, and decoding one must not allocate two
   * view objects for nothing.
   */
  private buf: Buffer | null = null;
  private view: DataView | null = null;
  private pos = 0;
  private end = 0;
  private readonly keyCache: (CachedKey | undefined)[] = new Array<CachedKey | undefined>(KEY_CACHE_SIZE);

  /** Points the reader at new input; the bytes are read in place, not copied. */
  reset(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.buf = null;
    this.view = null;
  }

  /** Decodes the one value that must fill bytes [start, end) exactly. */
  readAt(start: number, end: number): unknown {
    if (start < 0 || end > this.bytes.byteLength || start > end) {
      throw new ProtocolError(`malformed generic value: range [${start}, ${end}) is outside the ${this.bytes.byteLength} bytes`);
    }
    this.pos = start;
    this.end = end;
    const value = this.readValue(0);
    if (this.pos !== end) this.fail(`${end - this.pos} bytes left over after the value`);
    return value;
  }

  private fail(what: string): never {
    throw new ProtocolError(`malformed generic value at byte ${this.pos}: ${what}`);
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) this.fail(`truncated: ${what} needs ${n} bytes, ${this.end - this.pos} left`);
  }

  private readValue(depth: number): unknown {
    if (this.pos >= this.end) this.fail('truncated: a value was expected');
    const tag = this.bytes[this.pos++]!;
    if (tag >= TAG_SMALL_INT) return tag - TAG_SMALL_INT;
    if (tag >= TAG_SHORT_STRING) return this.readUtf8(tag - TAG_SHORT_STRING);
    switch (tag) {
      case TAG_UNDEFINED:
        return undefined;
      case TAG_NULL:
        return null;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT:
        return this.readZigzag();
      case TAG_FLOAT64:
        return this.readFloat64();
      case TAG_STRING:
        return this.readUtf8(this.readLength('a string'));
      case TAG_BIGINT_POSITIVE:
        return this.readBigInt(false);
      case TAG_BIGINT_NEGATIVE:
        return this.readBigInt(true);
      case TAG_DATE:
        return new Date(this.readFloat64());
      case TAG_BYTES:
        return this.readBytes(this.readLength('a Uint8Array'));
      case TAG_ARRAY_BUFFER:
        return this.readBytes(this.readLength('an ArrayBuffer')).buffer;
      case TAG_TYPED_ARRAY:
        return this.readTypedArray();
    }
    if (tag >= TAG_ARRAY && tag <= TAG_SET) {
      if (depth >= MAX_DEPTH) this.fail(`containers nested more than ${MAX_DEPTH} deep`);
      return this.readContainer(tag, depth + 1);
    }
    this.pos--;
    return this.fail(`unknown tag 0x${tag.toString(16).padStart(2, '0')}`);
  }

  private readContainer(tag: number, depth: number): unknown {
    // Every element takes at least one byte (two for a map entry or an object property).
    const count = this.readLength('a container', tag === TAG_MAP || tag === TAG_OBJECT ? 2 : 1);
    switch (tag) {
      case TAG_ARRAY: {
        const array = new Array<unknown>(count);
        for (let i = 0; i < count; i++) array[i] = this.readValue(depth);
        return array;
      }
      case TAG_OBJECT: {
        const object: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.readKey();
          const value = this.readValue(depth);
          if (key === '__proto__') {
            Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
          } else {
            object[key] = value;
          }
        }
        return object;
      }
      case TAG_MAP: {
        const map = new Map<unknown, unknown>();
        for (let i = 0; i < count; i++) {
          const key = this.readValue(depth);
          map.set(key, this.readValue(depth));
        }
        return map;
      }
      default: {
        const set = new Set<unknown>();
        for (let i = 0; i < count; i++) set.add(this.readValue(depth));
        return set;
      }
    }
  }

  private readKey(): string {
    if (this.pos >= this.end) this.fail('truncated: an object key was expected');
    const tag = this.bytes[this.pos]!;
    if (tag >= TAG_SHORT_STRING && tag < TAG_SMALL_INT) {
      this.pos++;
      const n = tag - TAG_SHORT_STRING;
      return n <= KEY_CACHE_MAX_BYTES ? this.readCachedKey(n) : this.readUtf8(n);
    }
    if (tag === TAG_STRING) {
      this.pos++;
      return this.readUtf8(this.readLength('a string'));
    }
    return this.fail(`an object key must be a string, found tag 0x${tag.toString(16).padStart(2, '0')}`);
  }

  /**
   * Objects in a stream repeat their keys, and hashing a few bytes is cheaper than making
   * a string from them: short keys go through a small direct-mapped cache.
   */
  private readCachedKey(n: number): string {
    this.need(n, 'a string');
    const bytes = this.bytes;
    const start = this.pos;
    let hash = n;
    for (let i = start; i < start + n; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
    const slot = hash & (KEY_CACHE_SIZE - 1);
    const cached = this.keyCache[slot];
    if (cached !== undefined && cached.bytes.byteLength === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (cached.bytes[i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.pos += n;
        return cached.text;
      }
    }
    const text = this.readUtf8(n);
    this.keyCache[slot] = { bytes: bytes.slice(start, start + n), text };
    return text;
  }

  /** A varint length or count, checked against the bytes left (`unit` bytes per item). */
  private readLength(what: string, unit = 1): number {
    const n = this.readVarint();
    if (n * unit > this.end - this.pos) this.fail(`truncated: ${what} claims ${n} items of at least ${unit} byte(s), ${this.end - this.pos} bytes left`);
    return n;
  }

  private readVarint(): number {
    const bytes = this.bytes;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    return this.fail('varint longer than 8 bytes');
  }

  /** Inverse of GenericWriter.writeZigzag: 28-bit halves keep it exact up to |v| = 2^53 - 1. */
  private readZigzag(): number {
    const bytes = this.bytes;
    let low = 0;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = bytes[this.pos++]!;
      low |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return (low >>> 1) ^ -(low & 1);
    }
    let high = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === 4) this.fail('varint longer than 8 bytes');
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = bytes[this.pos++]!;
      high += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
    }
    const q = high * 0x8000000 + (low >>> 1);
    const negative = (low & 1) === 1;
    if (q > (negative ? Number.MAX_SAFE_INTEGER - 1 : Number.MAX_SAFE_INTEGER)) {
      this.fail('integer outside the safe range');
    }
    return negative ? -q - 1 : q;
  }

  private readFloat64(): number {
    this.need(8, 'a float64');
    const view = (this.view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
    const v = view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  private readUtf8(n: number): string {
    this.need(n, 'a string');
    const start = this.pos;
    this.pos += n;
    const buf = (this.buf ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
    return buf.toString('utf8', start, start + n);
  }

  /** A caller-owned copy (typed arrays need alignment, and decoded values may outlive the input). */
  private readBytes(n: number): Uint8Array<ArrayBuffer> {
    this.need(n, 'a byte array');
    const out = new Uint8Array(n);
    out.set(this.bytes.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  private readTypedArray(): ArrayBufferView {
    this.need(1, 'a typed array kind');
    const kind = this.bytes[this.pos++]!;
    const ctor = TYPED_ARRAY_KINDS[kind];
    if (ctor === undefined || ctor === null) {
      this.pos--;
      return this.fail(`unknown typed array kind ${kind}`);
    }
    const n = this.readLength('a typed array');
    if (n % ctor.BYTES_PER_ELEMENT !== 0) this.fail(`${n} bytes is not a whole number of ${ctor.name} elements`);
    const bytes = this.readBytes(n);
    return new ctor(bytes.buffer, 0, n / ctor.BYTES_PER_ELEMENT);
  }

  private readBigInt(negative: boolean): bigint {
    const n = this.readLength('a bigint');
    const bytes = this.bytes;
    const start = this.pos;
    this.pos += n;
    let magnitude: bigint;
    if (n <= 6) {
      let m = 0;
      for (let i = n - 1; i >= 0; i--) m = m * 256 + bytes[start + i]!;
      magnitude = BigInt(m);
    } else {
      let hex = '';
      for (let i = n - 1; i >= 0; i--) hex += bytes[start + i]!.toString(16).padStart(2, '0');
      magnitude = BigInt(`0x${hex}`);
    }
    return negative ? -magnitude : magnitude;
  }
}
