/** Big-endian binary writing and bounds-checked reading for snapshots. */
import { CheckpointError } from '../../shared/errors/errors.ts';
import { copyBytes, latin1 } from './byte-keys.ts';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacity = 4096) {
    this.buffer = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buffer.buffer);
  }

  get position(): number {
    return this.length;
  }

  /**
   * Makes room for n bytes and returns where they go. It may replace `buffer` and `view`:
   * callers must call it before reading either (not as an argument of a method on them).
   */
  private reserve(n: number): number {
    const at = this.length;
    const needed = at + n;
    if (needed > this.buffer.length) {
      let capacity = this.buffer.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = needed;
    return at;
  }

  u8(v: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
  }

  u16(v: number): void {
    const at = this.reserve(2);
    this.view.setUint16(at, v);
  }

  u32(v: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, v);
  }

  /** Overwrites a u32 written earlier (a count known only after its items). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  f64(v: number): void {
    const at = this.reserve(8);
    this.view.setFloat64(at, v);
  }

  raw(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.buffer.set(bytes, at);
  }

  /** Length-prefixed bytes. */
  bytes(bytes: Uint8Array): void {
    this.u32(bytes.length);
    this.raw(bytes);
  }

  /** Length-prefixed bytes of s[start, end), a latin1 string (see byte-keys.ts). */
  latin1(s: string, start = 0, end = s.length): void {
    const n = end - start;
    this.u32(n);
    const at = this.reserve(n);
    const buffer = this.buffer;
    for (let i = 0; i < n; i++) buffer[at + i] = s.charCodeAt(start + i);
  }

  /** Drops everything written from `position` on. */
  truncate(position: number): void {
    this.length = position;
  }

  /** Length-prefixed UTF-8. */
  string(s: string): void {
    this.bytes(textEncoder.encode(s));
  }

  /** The bytes written so far, as a view (valid until the next write). */
  written(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  /** The bytes written, in a buffer of their own size. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly buffer: Uint8Array,
    private readonly end: number = buffer.length,
  ) {
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private take(n: number, what: string): number {
    if (n > this.end - this.offset) {
      throw new CheckpointError(
        `snapshot is truncated: ${what} needs ${n} bytes at offset ${this.offset}, only ${this.end - this.offset} remain`,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(what: string): number {
    return this.view.getUint8(this.take(1, what));
  }

  u16(what: string): number {
    return this.view.getUint16(this.take(2, what));
  }

  u32(what: string): number {
    return this.view.getUint32(this.take(4, what));
  }

  f64(what: string): number {
    return this.view.getFloat64(this.take(8, what));
  }

  raw(n: number, what: string): Uint8Array {
    const at = this.take(n, what);
    return copyBytes(this.buffer.subarray(at, at + n));
  }

  bytes(what: string): Uint8Array {
    return this.raw(this.u32(`${what} length`), what);
  }

  latin1(what: string): string {
    const n = this.u32(`${what} length`);
    const at = this.take(n, what);
    return latin1(this.buffer.subarray(at, at + n));
  }

  string(what: string): string {
    const bytes = this.bytes(what);
    try {
      return textDecoder.decode(bytes);
    } catch {
      throw new CheckpointError(`snapshot is corrupt: ${what} is not valid UTF-8`);
    }
  }
}
