/**
 * The body of a record batch as the IPC format lays it out: one field node per column
 * (pre-order: a nested column's node comes before its children's) and that column's
 * buffers in order (validity, then offsets and/or data), children's buffers after.
 */
import { ProtocolError } from '../errors/errors.ts';

export class BodyWriter {
  /** Pairs of (length, null count), one per field node. */
  readonly nodes: number[] = [];
  readonly buffers: Uint8Array[] = [];

  reset(): void {
    this.nodes.length = 0;
    this.buffers.length = 0;
  }

  node(length: number, nullCount: number): void {
    this.nodes.push(length, nullCount);
  }

  buffer(bytes: ArrayBufferView): void {
    this.buffers.push(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
}

export interface FieldNodeLike {
  length: number;
  nullCount: number;
}

export interface BufferRegionLike {
  offset: number;
  length: number;
}

type ViewConstructor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

/** Walks the nodes and buffers of a received body; every region is bounds-checked. */
export class BodyReader {
  private nodeIndex = 0;
  private bufferIndex = 0;

  constructor(
    private readonly body: Uint8Array,
    private readonly nodes: readonly FieldNodeLike[],
    private readonly regions: readonly BufferRegionLike[],
  ) {}

  node(column: string): FieldNodeLike {
    const node = this.nodes[this.nodeIndex++];
    if (node === undefined) throw new ProtocolError(`malformed Arrow batch: no field node left for ${column}`);
    if (!(node.length >= 0 && node.nullCount >= 0 && node.nullCount <= node.length)) {
      throw new ProtocolError(`malformed Arrow batch: field node of ${column} has length ${node.length} and null count ${node.nullCount}`);
    }
    return node;
  }

  /** The next buffer as bytes, a view into the body. */
  bytes(column: string): Uint8Array {
    const region = this.regions[this.bufferIndex++];
    if (region === undefined) throw new ProtocolError(`malformed Arrow batch: no buffer left for ${column}`);
    const { offset, length } = region;
    if (!(offset >= 0 && length >= 0 && offset + length <= this.body.byteLength)) {
      throw new ProtocolError(`malformed Arrow batch: buffer [${offset}, ${offset + length}) of ${column} is outside the ${this.body.byteLength}-byte body`);
    }
    return this.body.subarray(offset, offset + length);
  }

  /** The validity bitmap of a node, or null when every slot is valid. */
  validity(node: FieldNodeLike, column: string): Uint8Array | null {
    const bits = this.bytes(column);
    if (node.nullCount === 0) return null;
    if (bits.byteLength < (node.length + 7) >> 3) {
      throw new ProtocolError(`malformed Arrow batch: validity bitmap of ${column} has ${bits.byteLength} bytes for ${node.length} rows`);
    }
    return bits;
  }

  /**
   * The next buffer as `count` elements, its start aligned to `align` bytes: copied only
   * if a foreign writer left it misaligned.
   */
  view<T>(ctor: ViewConstructor<T>, count: number, column: string, align = ctor.BYTES_PER_ELEMENT): T {
    const bytes = this.bytes(column);
    const size = ctor.BYTES_PER_ELEMENT;
    if (bytes.byteLength < count * size) {
      throw new ProtocolError(`malformed Arrow batch: buffer of ${column} has ${bytes.byteLength} bytes, ${count * size} needed`);
    }
    if (bytes.byteOffset % align === 0) return new ctor(bytes.buffer, bytes.byteOffset, count);
    return new ctor(bytes.slice(0, count * size).buffer, 0, count);
  }

  /** Offsets of a variable-size column: count + 1 of them (check them with checkOffsets). */
  offsets(count: number, column: string): Int32Array {
    // Some writers send no offsets at all for an empty column.
    if (count === 0 && this.regions[this.bufferIndex]?.length === 0) {
      this.bufferIndex++;
      return ZERO_OFFSET;
    }
    return this.view(Int32Array, count + 1, column);
  }

  finish(): void {
    if (this.nodeIndex !== this.nodes.length || this.bufferIndex !== this.regions.length) {
      throw new ProtocolError(
        `malformed Arrow batch: ${this.nodes.length - this.nodeIndex} field nodes and ${this.regions.length - this.bufferIndex} buffers left unread`,
      );
    }
  }
}

const ZERO_OFFSET = new Int32Array(1);

/** Offsets must rise from offsets[0] >= 0 to offsets[count] <= limit, or reads would wander. */
export function checkOffsets(offsets: Int32Array, count: number, limit: number, column: string): void {
  let previous = offsets[0]!;
  if (previous < 0) throw badOffsets(column, 0, previous, limit);
  for (let i = 1; i <= count; i++) {
    const o = offsets[i]!;
    if (o < previous) throw badOffsets(column, i, o, limit);
    previous = o;
  }
  if (previous > limit) throw badOffsets(column, count, previous, limit);
}

function badOffsets(column: string, index: number, offset: number, limit: number): ProtocolError {
  return new ProtocolError(`malformed Arrow batch: offset ${index} of ${column} is ${offset} (offsets must rise within [0, ${limit}])`);
}
