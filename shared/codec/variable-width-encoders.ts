/**
 * Encoders of variable-width columns (Utf8 and Binary): an int32 offsets array plus one
 * data buffer, both reused across batches. Strings are joined into chunks of ~32 K characters,
 * one native write each, while the column is ASCII; a column that is not is written row by row.
 */
import { isAscii } from 'node:buffer';
import { types } from 'node:util';
import type { BodyWriter } from './body.ts';
import type { ColumnEncoder } from './column-codec.ts';
import { GenericEncodeError } from './generic-encode-error.ts';
import { GenericWriter } from './generic-writer.ts';
import { GrowableBuffer, MAX_COLUMN_BYTES, Scratch, ValidityBuilder } from './scratch.ts';
import { CellMismatch, mismatch } from './value-encode-error.ts';

export const GENERIC_EXPECTED = 'a value the generic encoding supports (see proto/generic-value.md)';

/** Characters joined into one string and written with one call, while a column stays ASCII. */
const STRING_CHUNK = 32 * 1024;

export class Utf8Encoder implements ColumnEncoder {
  private readonly offsetScratch = new Scratch();
  private readonly data = new GrowableBuffer();
  private readonly validity = new ValidityBuilder();
  constructor(private readonly expected: string) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const offsets = this.offsetScratch.int32(n + 1);
    this.validity.reset(n);
    offsets[0] = 0;
    let p = 0;
    let i = 0;
    // Chunks of about STRING_CHUNK characters while they are ASCII (byte offsets are then
    // character offsets, set as the chunk is gathered); from the first that is not, row by row.
    while (i < n) {
      const start = p;
      let joined = '';
      let j = i;
      for (; j < n && p - start < STRING_CHUNK; j++) {
        const v = values[j];
        if (typeof v === 'string') {
          joined += v;
          p += v.length;
        } else if (v === null || v === undefined) this.validity.markNull(j);
        else throw mismatch(j, this.expected, v);
        offsets[j + 1] = p;
      }
      if (p > MAX_COLUMN_BYTES) throw new RangeError('a string column of one batch must stay below 2 GiB: lower udf.arrow.batch.size');
      if (this.writeAscii(joined, start)) {
        i = j;
        continue;
      }
      p = this.writeRows(values, i, j, offsets, start, false);
      p = this.writeRows(values, j, n, offsets, p, true);
      break;
    }
    body.node(n, this.validity.nullCount);
    body.buffer(this.validity.bitmap());
    body.buffer(offsets);
    body.buffer(this.data.buf.subarray(0, p));
  }

  /**
   * Writes `text` at `p` if it is all ASCII (one byte a character), with one native call:
   * cheaper than a call per row, and a function's fresh strings (JSON.stringify's, say) are
   * flattened once, together (measured: 86 against 168-200 ns a row for ~100-byte strings, 15
   * against 77 for short words). Returns false, the bytes at `p` unspecified, if it is not.
   */
  private writeAscii(text: string, p: number): boolean {
    const chars = text.length;
    if (chars === 0) return true;
    const buf = this.data.ensure(p + chars, p);
    const written = buf.write(text, p, chars, 'utf8');
    // A truncated write of non-ASCII text can also fill exactly `chars` bytes.
    return written === chars && isAscii(buf.subarray(p, p + chars));
  }

  /** Rows [from, to) one by one from `p`, nulls marked if `markNulls`; returns the end. */
  private writeRows(values: readonly unknown[], from: number, to: number, offsets: Int32Array, p: number, markNulls: boolean): number {
    let buf = this.data.buf;
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (typeof v === 'string') {
        if (v.length !== 0) {
          // A UTF-16 unit takes at most 3 bytes of UTF-8 (a surrogate pair: 4 for 2 units).
          if (p + 3 * v.length > buf.byteLength) buf = this.data.ensure(p + 3 * v.length, p);
          p += buf.write(v, p);
          if (p > MAX_COLUMN_BYTES) throw new RangeError('a string column of one batch must stay below 2 GiB: lower udf.arrow.batch.size');
        }
      } else if (v === null || v === undefined) {
        if (markNulls) this.validity.markNull(i);
      } else throw mismatch(i, this.expected, v);
      offsets[i + 1] = p;
    }
    return p;
  }
}

export interface BinaryEncoderOptions {
  /** Refuse null (the key column). */
  nonNull?: boolean;
  /** Also take arrays of integers in [-128, 255] (PRIMITIVE_ARRAY(BYTE)). */
  byteArrays?: boolean;
}

/** BYTES, PRIMITIVE_ARRAY(BYTE) and the key column. */
export class BinaryEncoder implements ColumnEncoder {
  private readonly offsetScratch = new Scratch();
  private readonly data = new GrowableBuffer();
  private readonly validity = new ValidityBuilder();
  constructor(
    private readonly expected: string,
    private readonly options: BinaryEncoderOptions = {},
  ) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const offsets = this.offsetScratch.int32(n + 1);
    const validity = this.validity;
    validity.reset(n);
    let buf = this.data.buf;
    let p = 0;
    offsets[0] = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v instanceof Uint8Array || types.isUint8Array(v)) {
        const bytes = v as Uint8Array;
        const size = bytes.byteLength;
        if (p + size > buf.byteLength) buf = this.data.ensure(p + size, p);
        // Keys are mostly a few bytes long, where a loop beats the native set().
        if (size <= 16) {
          for (let j = 0; j < size; j++) buf[p + j] = bytes[j]!;
        } else {
          buf.set(bytes, p);
        }
        p += size;
      } else if ((v === null || v === undefined) && this.options.nonNull !== true) {
        validity.markNull(i);
      } else if (this.options.byteArrays === true && Array.isArray(v)) {
        if (p + v.length > buf.byteLength) buf = this.data.ensure(p + v.length, p);
        for (let j = 0; j < v.length; j++) {
          const b: unknown = v[j];
          if (typeof b !== 'number' || (b | 0) !== b || b < -128 || b > 255) {
            throw mismatch(i, this.expected, v, `element ${j} is ${typeof b === 'number' ? b : typeof b}`);
          }
          buf[p++] = b & 0xff;
        }
      } else throw mismatch(i, this.expected, v);
      if (p > MAX_COLUMN_BYTES) throw new RangeError('a binary column of one batch must stay below 2 GiB: lower udf.arrow.batch.size');
      offsets[i + 1] = p;
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(offsets);
    body.buffer(buf.subarray(0, p));
  }
}

/**
 * The generic column: Binary, each value in the generic encoding. null is an Arrow null;
 * undefined is encoded (tag 0x00), so that it comes back as undefined.
 */
export class GenericColumnEncoder implements ColumnEncoder {
  private readonly offsetScratch = new Scratch();
  private readonly writer = new GenericWriter({ initialCapacity: 64 * 1024 });
  private readonly validity = new ValidityBuilder();

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const offsets = this.offsetScratch.int32(n + 1);
    const { writer, validity } = this;
    validity.reset(n);
    writer.reset();
    let i = 0;
    try {
      for (; i < n; i++) {
        offsets[i] = writer.length;
        const v = values[i];
        if (v === null) validity.markNull(i);
        else writer.write(v);
      }
    } catch (e) {
      if (!(e instanceof GenericEncodeError)) throw e;
      const cell = new CellMismatch(i, GENERIC_EXPECTED, e.problem.replace(/^is /, ''));
      if (e.path !== '') cell.segments.push(e.path);
      throw cell;
    }
    if (writer.length > MAX_COLUMN_BYTES) throw new RangeError('a generic column of one batch must stay below 2 GiB: lower udf.arrow.batch.size');
    offsets[n] = writer.length;
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(offsets);
    body.buffer(writer.bytes());
  }
}
