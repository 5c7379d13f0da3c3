/**
 * The flatbuffer metadata of a record batch message, written and read with Arrow's generated
 * flatbuffer classes directly. apache-arrow's Message class does the same through a fresh
 * Builder (a zeroed 1 KiB buffer and a TextEncoder) and an object per field node and buffer on
 * every call: a fixed cost of a few microseconds per batch, and per record when records travel
 * one at a time (at low rates, where latency is the figure). Here one Builder is reused and
 * the metadata is read into plain numbers.
 */
import { Builder, ByteBuffer } from 'flatbuffers';
import { Buffer as BufferStruct } from 'apache-arrow/fb/buffer';
import { FieldNode as FieldNodeStruct } from 'apache-arrow/fb/field-node';
import { Message as MessageTable } from 'apache-arrow/fb/message';
import { MessageHeader } from 'apache-arrow/fb/message-header';
import { MetadataVersion } from 'apache-arrow/fb/metadata-version';
import { RecordBatch as RecordBatchTable } from 'apache-arrow/fb/record-batch';
import type { BufferRegionLike, FieldNodeLike } from './body.ts';

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
  private readonly builder = new Builder(256);

  /**
   * `nodes` holds (length, null count) pairs; `bufferLengths` the byte length of each buffer,
   * which the body lays out in order, each padded to 8 bytes: `bodyLength` is that layout's
   * length.
   */
  write(length: number, nodes: readonly number[], bufferLengths: readonly number[]): { metadata: Uint8Array; bodyLength: number } {
    const b = this.builder;
    b.clear();
    // Vectors of structs are written back to front.
    RecordBatchTable.startNodesVector(b, nodes.length / 2);
    for (let i = nodes.length - 2; i >= 0; i -= 2) FieldNodeStruct.createFieldNode(b, BigInt(nodes[i]!), BigInt(nodes[i + 1]!));
    const nodesOffset = b.endVector();
    let bodyLength = 0;
    for (const n of bufferLengths) bodyLength += padded(n);
    RecordBatchTable.startBuffersVector(b, bufferLengths.length);
    for (let i = bufferLengths.length - 1, end = bodyLength; i >= 0; i--) {
      end -= padded(bufferLengths[i]!);
      BufferStruct.createBuffer(b, BigInt(end), BigInt(bufferLengths[i]!));
    }
    const buffersOffset = b.endVector();
    RecordBatchTable.startRecordBatch(b);
    RecordBatchTable.addLength(b, BigInt(length));
    RecordBatchTable.addNodes(b, nodesOffset);
    RecordBatchTable.addBuffers(b, buffersOffset);
    const header = RecordBatchTable.endRecordBatch(b);
    MessageTable.startMessage(b);
    MessageTable.addVersion(b, MetadataVersion.V5);
    MessageTable.addHeaderType(b, MessageHeader.RecordBatch);
    MessageTable.addHeader(b, header);
    MessageTable.addBodyLength(b, BigInt(bodyLength));
    MessageTable.finishMessageBuffer(b, MessageTable.endMessage(b));
    return { metadata: b.asUint8Array(), bodyLength };
  }
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
