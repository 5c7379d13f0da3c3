/**
 * The flatbuffer metadata of a record batch message. apache-arrow's Message class writes it
 * through a fresh Builder (a zeroed 1 KiB buffer and a TextEncoder) and an object per field node
 * and buffer on every call: a fixed cost per batch, and per record when records travel one at a
 * time (at low rates, where latency is the figure). Here a message is a template of its shape
 * with its numbers written in (record-batch-template.ts); reading checks a message against the
 * template of its size and takes the numbers from their places, and reads anything else (a
 * message from another writer) with Arrow's generated flatbuffer classes.
 */
import { ByteBuffer } from 'flatbuffers';
import { Buffer as BufferStruct } from 'apache-arrow/fb/buffer';
import { FieldNode as FieldNodeStruct } from 'apache-arrow/fb/field-node';
import { Message as MessageTable } from 'apache-arrow/fb/message';
import { MessageHeader } from 'apache-arrow/fb/message-header';
import { MetadataVersion } from 'apache-arrow/fb/metadata-version';
import { RecordBatch as RecordBatchTable } from 'apache-arrow/fb/record-batch';
import type { BufferRegionLike, FieldNodeLike } from './body.ts';
import { RecordBatchTemplate } from './record-batch-template.ts';

/** What a record batch message says about its body. */
export interface RecordBatchMetadata {
  length: number;
  nodes: FieldNodeLike[];
  regions: BufferRegionLike[];
  bodyLength: number;
}

/** Thrown for metadata that is not a readable, uncompressed record batch message. */
export class MetadataError extends Error {}

/** Writes record batch messages; the bytes returned are valid until the next call. */
export class RecordBatchMessageWriter {
  private template: RecordBatchTemplate | null = null;
  private readonly figures: number[] = [];

  /**
   * `nodes` holds (length, null count) pairs; `bufferLengths` the byte length of each buffer,
   * which the body lays out in order, each padded to 8 bytes: `bodyLength` is that layout's
   * length.
   */
  write(length: number, nodes: readonly number[], bufferLengths: readonly number[]): { metadata: Uint8Array; bodyLength: number } {
    let template = this.template;
    if (template === null || template.nodes * 2 !== nodes.length || template.buffers !== bufferLengths.length) {
      // The writer's own copy (its bytes are what write() returns); messages of the shape are then read by template too.
      template = this.template = new RecordBatchTemplate(nodes.length / 2, bufferLengths.length);
      templateOf(template.nodes, template.buffers);
    }
    const figures = this.figures;
    figures.length = 0;
    figures.push(length);
    for (const n of nodes) figures.push(n);
    let bodyLength = 0;
    for (const n of bufferLengths) {
      figures.push(bodyLength, n);
      bodyLength += padded(n);
    }
    figures.push(bodyLength);
    return { metadata: template.write(figures), bodyLength };
  }
}

/** Templates for reading, by shape and by byte length: the shapes this thread wrote or read. */
const byShape = new Map<number, RecordBatchTemplate>();
const bySize = new Map<number, RecordBatchTemplate>();

function templateOf(nodes: number, buffers: number): RecordBatchTemplate {
  const key = nodes * 0x10000 + buffers;
  let template = byShape.get(key);
  if (template === undefined) {
    template = new RecordBatchTemplate(nodes, buffers);
    byShape.set(key, template);
    // Two shapes of one size: reading checks the newer; the other is read the general way.
    bySize.set(template.bytes.byteLength, template);
  }
  return template;
}

/**
 * The metadata of `metadata` if it is a message of a known shape with figures in range, else
 * null (read the general way, which says what is wrong with a figure out of range).
 */
function readByTemplate(metadata: Uint8Array): RecordBatchMetadata | null {
  const template = bySize.get(metadata.byteLength);
  if (template === undefined) return null;
  const figures = template.read(metadata);
  if (figures === null) return null;
  const nodes: FieldNodeLike[] = [];
  const regions: BufferRegionLike[] = [];
  let i = 1;
  for (let n = 0; n < template.nodes; n++, i += 2) nodes.push({ length: figures[i]!, nullCount: figures[i + 1]! });
  for (let n = 0; n < template.buffers; n++, i += 2) regions.push({ offset: figures[i]!, length: figures[i + 1]! });
  return { length: figures[0]!, nodes, regions, bodyLength: figures[i]! };
}

/** A buffer's length in the body: padded to 8 bytes. */
export function padded(byteLength: number): number {
  return (byteLength + 7) & ~7;
}

const messageTable = new MessageTable();
const recordBatchTable = new RecordBatchTable();
const nodeStruct = new FieldNodeStruct();
const bufferStruct = new BufferStruct();

/** Reads a record batch message's metadata; throws a MetadataError for anything else. */
export function readRecordBatchMetadata(metadata: Uint8Array): RecordBatchMetadata {
  const known = readByTemplate(metadata);
  if (known !== null) return known;
  const read = readWithFlatbuffers(metadata);
  // Later messages of this shape (a peer's writer) are then read by template.
  templateOf(read.nodes.length, read.regions.length);
  return read;
}

function readWithFlatbuffers(metadata: Uint8Array): RecordBatchMetadata {
  try {
    const message = MessageTable.getRootAsMessage(new ByteBuffer(metadata), messageTable);
    if (message.version() < MetadataVersion.V4) {
      throw new MetadataError(`metadata version ${MetadataVersion[message.version()] ?? message.version()} is not supported (V4 or later)`);
    }
    const headerType = message.headerType();
    if (headerType !== MessageHeader.RecordBatch) throw new MetadataError(`expected a record batch message, got message type ${MessageHeader[headerType]}`);
    const batch = message.header(recordBatchTable) as RecordBatchTable | null;
    if (batch === null) throw new MetadataError('the record batch message has no header');
    if (batch.compression() !== null) throw new MetadataError('compressed record batches are not supported');
    const nodes: FieldNodeLike[] = [];
    for (let i = 0, n = batch.nodesLength(); i < n; i++) {
      const node = batch.nodes(i, nodeStruct)!;
      nodes.push({ length: toNumber(node.length()), nullCount: toNumber(node.nullCount()) });
    }
    const regions: BufferRegionLike[] = [];
    for (let i = 0, n = batch.buffersLength(); i < n; i++) {
      const buffer = batch.buffers(i, bufferStruct)!;
      regions.push({ offset: toNumber(buffer.offset()), length: toNumber(buffer.length()) });
    }
    return { length: toNumber(batch.length()), nodes, regions, bodyLength: toNumber(message.bodyLength()) };
  } catch (e) {
    if (e instanceof MetadataError) throw e;
    throw new MetadataError(`unreadable message metadata (${(e as Error).message})`);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A length or offset as a number: a negative one, or one beyond 2^53, addresses nothing. */
function toNumber(value: bigint): number {
  if (value < 0n || value > MAX_SAFE) throw new MetadataError(`a length or offset of ${value} is out of range`);
  return Number(value);
}
