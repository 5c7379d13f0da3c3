/**
 * Encoders of variable-width columns (Utf8 and Binary): an int32 offsets array plus one
 * data buffer, both reused across batches. Strings are written one native call per row:
 * measured faster than joining the column and encoding it once.
 */
import { types } from 'node:util';
import type { BodyWriter } from './body.ts';
import type { ColumnEncoder } from './column-codec.ts';
import { GenericEncodeError } from './generic-encode-error.ts';
import { GenericWriter } from './generic-writer.ts';
import { GrowableBuffer, MAX_COLUMN_BYTES, Scratch, ValidityBuilder } from './scratch.ts';
import { CellMismatch, mismatch } from './value-encode-error.ts';

export const GENERIC_EXPECTED = 'a value the generic encoding supports (see proto/generic-value.md)';

export class Utf8Encoder implements ColumnEncoder {
  private readonly offsetScratch = new Scratch();
  private readonly data = new GrowableBuffer();
  private readonly validity = new ValidityBuilder();
  constructor(private readonly expected: string) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const offsets = this.offsetScratch.int32(n + 1);
    const validity = this.validity;
    validity.reset(n);
    let buf = this.data.buf;
    let p = 0;
    offsets[0] = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v === 'string') {
        if (v.length !== 0) {
          // A UTF-16 unit takes at most 3 bytes of UTF-8 (a surrogate pair: 4 for 2 units).
          if (p + 3 * v.length > buf.byteLength) buf = this.data.ensure(p + 3 * v.length, p);
          p += buf.write(v, p);
          if (p > MAX_COLUMN_BYTES) throw new RangeError('a string column of one batch must stay below 2 GiB: lower udf.arrow.batch.size');
        }
      } else if (v === null || v === undefined) validity.markNull(i);
      else throw mismatch(i, this.expected, v);
      offsets[i + 1] = p;
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(offsets);
    body.buffer(buf.subarray(0, p));
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
