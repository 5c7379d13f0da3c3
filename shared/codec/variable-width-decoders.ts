/**
 * Decoders of variable-width columns. Strings are decoded a chunk of rows at a time: an
 * all-ASCII chunk (checked natively) becomes one string that each row is a substring of;
 * any other chunk is decoded row by row. Chunks stay small because big one-off strings
 * measured several times slower to make than many 32 KiB ones. Binary values are views
 * into the received bytes.
 */
import { isAscii } from 'node:buffer';
import { ProtocolError } from '../errors/errors.ts';
import { checkOffsets, type BodyReader } from './body.ts';
import type { ColumnDecoder } from './column-codec.ts';
import { GenericReader } from './generic-reader.ts';

const STRING_CHUNK = 32 * 1024;

export class Utf8Decoder implements ColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const offsets = body.offsets(n, this.name);
    const data = body.bytes(this.name);
    checkOffsets(offsets, n, data.byteLength, this.name);
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const out = new Array<unknown>(n);
    let i = 0;
    while (i < n) {
      // Rows [i, j) form the chunk; a row longer than a chunk is a chunk of its own.
      const start = offsets[i]!;
      let j = i + 1;
      while (j < n && offsets[j + 1]! - start <= STRING_CHUNK) j++;
      const end = offsets[j]!;
      if (isAscii(buf.subarray(start, end))) {
        const chunk = buf.toString('latin1', start, end);
        for (let k = i; k < j; k++) {
          out[k] = valid !== null && ((valid[k >> 3]! >> (k & 7)) & 1) === 0 ? null : chunk.substring(offsets[k]! - start, offsets[k + 1]! - start);
        }
      } else {
        for (let k = i; k < j; k++) {
          out[k] = valid !== null && ((valid[k >> 3]! >> (k & 7)) & 1) === 0 ? null : buf.toString('utf8', offsets[k]!, offsets[k + 1]!);
        }
      }
      i = j;
    }
    return out;
  }
}

/** BYTES, PRIMITIVE_ARRAY(BYTE) and keys: Uint8Arrays that are views into the received bytes. */
export class BinaryDecoder implements ColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const offsets = body.offsets(n, this.name);
    const data = body.bytes(this.name);
    checkOffsets(offsets, n, data.byteLength, this.name);
    const out = new Array<unknown>(n);
    // A view made by the constructor costs half of one made by subarray() (no species lookup).
    const buffer = data.buffer;
    const base = data.byteOffset;
    for (let i = 0; i < n; i++) {
      const start = offsets[i]!;
      out[i] = valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0 ? null : new Uint8Array(buffer, base + start, offsets[i + 1]! - start);
    }
    return out;
  }
}

/** The generic column: a null slot is null; every other slot holds one encoded value. */
export class GenericColumnDecoder implements ColumnDecoder {
  private readonly reader = new GenericReader();
  constructor(private readonly name: string) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const offsets = body.offsets(n, this.name);
    const data = body.bytes(this.name);
    checkOffsets(offsets, n, data.byteLength, this.name);
    const reader = this.reader;
    reader.reset(data);
    const out = new Array<unknown>(n);
    let i = 0;
    try {
      for (; i < n; i++) {
        out[i] = valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0 ? null : reader.readAt(offsets[i]!, offsets[i + 1]!);
      }
    } catch (e) {
      if (e instanceof ProtocolError) throw new ProtocolError(`Arrow batch: ${this.name} at slot ${i}: ${e.message}`);
      throw e;
    }
    return out;
  }
}
