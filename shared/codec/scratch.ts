/**
 * Reusable memory for building columns. Fresh memory is slow on our machines (page faults),
 * so each column encoder keeps its buffers across batches and only grows them. The bytes
 * handed to the IPC writer are copied into the caller-owned output, so reuse is safe.
 */

export class Scratch {
  private memory = new ArrayBuffer(64);

  /** A view of at least `byteLength` bytes (contents unspecified), 8-byte aligned. */
  bytes(byteLength: number): Uint8Array {
    if (byteLength > this.memory.byteLength) this.memory = new ArrayBuffer(grownSize(this.memory.byteLength, byteLength));
    return new Uint8Array(this.memory, 0, byteLength);
  }

  /** Like bytes(), keeping the first `keep` bytes of the current contents. */
  grow(byteLength: number, keep: number): Uint8Array {
    if (byteLength > this.memory.byteLength) {
      const next = new ArrayBuffer(grownSize(this.memory.byteLength, byteLength));
      new Uint8Array(next).set(new Uint8Array(this.memory, 0, keep));
      this.memory = next;
    }
    return new Uint8Array(this.memory, 0, this.memory.byteLength);
  }

  int8(count: number): Int8Array {
    return new Int8Array(this.bytes(count).buffer, 0, count);
  }

  int16(count: number): Int16Array {
    return new Int16Array(this.bytes(count * 2).buffer, 0, count);
  }

  int32(count: number): Int32Array {
    return new Int32Array(this.bytes(count * 4).buffer, 0, count);
  }

  float32(count: number): Float32Array {
    return new Float32Array(this.bytes(count * 4).buffer, 0, count);
  }

  float64(count: number): Float64Array {
    return new Float64Array(this.bytes(count * 8).buffer, 0, count);
  }
}

function grownSize(current: number, needed: number): number {
  return Math.max(needed + 7, current * 2) & ~7;
}

const EMPTY = new Uint8Array(0);

/**
 * The validity bitmap of one column. Nulls are rare, so the bitmap is only built (all
 * valid, then cleared bit by bit) once the first null shows up.
 */
export class ValidityBuilder {
  private readonly scratch = new Scratch();
  private bits: Uint8Array = EMPTY;
  private length = 0;
  nullCount = 0;

  reset(length: number): void {
    this.length = length;
    this.nullCount = 0;
  }

  markNull(index: number): void {
    if (this.nullCount++ === 0) {
      const n = (this.length + 7) >> 3;
      this.bits = this.scratch.bytes(n);
      this.bits.fill(0xff);
      // Bits past the end stay zero, as the format recommends.
      if ((this.length & 7) !== 0) this.bits[n - 1] = (1 << (this.length & 7)) - 1;
    }
    this.bits[index >> 3]! &= ~(1 << (index & 7));
  }

  /** The bitmap to send: empty when there are no nulls. */
  bitmap(): Uint8Array {
    return this.nullCount === 0 ? EMPTY : this.bits;
  }
}

/** A reused Node Buffer that grows, keeping its contents (for variable-width column data). */
export class GrowableBuffer {
  buf: Buffer = Buffer.allocUnsafeSlow(4096);

  /** Makes room for `needed` bytes, keeping the first `keep`; returns the (possibly new) buffer. */
  ensure(needed: number, keep: number): Buffer {
    if (needed > this.buf.byteLength) {
      const next = Buffer.allocUnsafeSlow(grownSize(this.buf.byteLength, needed));
      this.buf.copy(next, 0, 0, keep);
      this.buf = next;
    }
    return this.buf;
  }
}

/** Arrow offsets are int32: a column's data must stay below 2 GiB. */
export const MAX_COLUMN_BYTES = 0x7fffffff;
