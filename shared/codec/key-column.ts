/**
 * A batch's keys kept as one column, bytes and offsets (KeyColumn): as a batch was received
 * (KeyColumnDecoder), or as a worker's key selector wrote them (KeyColumnBuilder). A row's key
 * is a view made when something asks for it. Making all of a batch's keys up front, one
 * Uint8Array each, kept 10,000 small objects alive for as long as the batch took to run, and
 * every scavenge during that time copied them again (the worker's state path awaits per
 * record, so a batch spans several). KeyColumnEncoder writes a column in one piece.
 */
import { ProtocolError } from '../errors/errors.ts';
import { checkOffsets, type BodyReader, type BodyWriter } from './body.ts';
import type { RowKeys } from './batch-layout.ts';
import { GenericWriter } from './generic-writer.ts';
import { MAX_COLUMN_BYTES, Scratch } from './scratch.ts';
import { BinaryEncoder } from './variable-width-encoders.ts';

export class KeyColumn implements RowKeys {
  /** The data buffer: row i's key is data[offsets[i], offsets[i + 1]). */
  readonly data: Uint8Array;

  constructor(
    readonly length: number,
    /** The bytes the data buffer is in, and where it starts there. */
    readonly buffer: ArrayBufferLike,
    readonly base: number,
    /** length + 1 offsets into the data buffer, checked. */
    readonly offsets: Int32Array,
  ) {
    this.data = new Uint8Array(buffer, base, offsets[length] ?? 0);
  }

  /** The key of row `index` (undefined past the end, as an array's at()). */
  at(index: number): Uint8Array | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const start = this.offsets[index]!;
    // A view made by the constructor costs half of one made by subarray() (no species lookup).
    return new Uint8Array(this.buffer, this.base + start, this.offsets[index + 1]! - start);
  }
}

/** Reads the key column (or another Binary column that may not hold nulls: a PUT_BATCH's values). */
export class KeyColumnDecoder {
  constructor(private readonly name: string) {}

  decode(body: BodyReader): KeyColumn {
    const node = body.node(this.name);
    const n = node.length;
    if (body.validity(node, this.name) !== null) throw new ProtocolError(`malformed Arrow batch: the ${this.name} column has nulls`);
    const offsets = body.offsets(n, this.name);
    const data = body.bytes(this.name);
    checkOffsets(offsets, n, data.byteLength, this.name);
    return new KeyColumn(n, data.buffer, data.byteOffset, offsets);
  }
}

/**
 * The keys a worker's key selector computes, encoded (as encodeKey does) straight into one
 * buffer: no Uint8Array per key, and the batch encoder copies the column in one piece.
 */
export class KeyColumnBuilder {
  private readonly writer = new GenericWriter({ keyForm: true, initialCapacity: 16 * 1024 });
  /**
   * offsets[i + 1]: where key i ends ([0] is 0), in an array kept across batches: a JS array
   * pushed to per row grew its storage again every batch.
   */
  private offsets = new Int32Array(1025);
  private count = 0;

  get length(): number {
    return this.count;
  }

  /**
   * Appends the key `keyValue` encodes to; throws a GenericEncodeError (a TypeError naming
   * the path that cannot be encoded), adding nothing, if it cannot be a key.
   */
  add(keyValue: unknown): void {
    this.writer.write(keyValue);
    if (this.writer.length > MAX_COLUMN_BYTES) throw new RangeError('the keys of one batch must stay below 2 GiB: lower udf.arrow.batch.size');
    const n = this.count + 1;
    if (n === this.offsets.length) {
      const grown = new Int32Array(2 * n);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[n] = this.writer.length;
    this.count = n;
  }

  /** The keys added since the last take(), as a column of their own; the builder starts again empty. */
  take(): KeyColumn {
    const bytes = this.writer.copy();
    const column = new KeyColumn(this.count, bytes.buffer, bytes.byteOffset, this.offsets.slice(0, this.count + 1));
    this.writer.reset();
    this.count = 0;
    return column;
  }
}

const NO_NULLS = new Uint8Array(0);

/**
 * Writes the key column: an array of keys one by one (each checked), a received KeyColumn
 * (a keyed batch the host passes on whole) as its bytes, in one piece.
 */
export class KeyColumnEncoder {
  private readonly array = new BinaryEncoder('a key (a Uint8Array from encodeKey)', { nonNull: true });
  private readonly offsetScratch = new Scratch();

  encode(keys: RowKeys, n: number, body: BodyWriter): void {
    if (!(keys instanceof KeyColumn)) {
      this.array.encode(Array.isArray(keys) ? (keys as readonly unknown[]) : keysArray(keys), n, body);
      return;
    }
    const from = keys.offsets;
    const first = from[0]!;
    const offsets = this.offsetScratch.int32(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = from[i]! - first;
    body.node(n, 0);
    body.buffer(NO_NULLS);
    body.buffer(offsets);
    body.buffer(new Uint8Array(keys.buffer, keys.base + first, from[n]! - first));
  }
}

/** The keys as an array of their own (a KeyColumn's keys made all at once). */
export function keysArray(keys: RowKeys): Uint8Array[] {
  const out = new Array<Uint8Array>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = keys.at(i)!;
  return out;
}
