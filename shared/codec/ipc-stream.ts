/**
 * The IPC stream framing of a Data batch: one schema message, one record batch message
 * and its body, then end-of-stream. The schema message is encoded and decoded with
 * apache-arrow's Message class (once per layout, and for a foreign schema); the record batch
 * metadata, on every batch, with its flatbuffer classes directly (record-batch-message.ts).
 * The body is laid out here, so that a batch costs one output allocation and one copy of each
 * column buffer, and no arrow Data objects.
 *
 *   <0xFFFFFFFF><int32 n><schema flatbuffer, padded to 8>
 *   <0xFFFFFFFF><int32 n><record batch flatbuffer, padded to 8><body: buffers, each padded to 8>
 *   <0xFFFFFFFF><0x00000000>                                        (end of stream)
 */
// Deep imports (the package exports every module path): the root module loads all of Arrow,
// which doubles a worker's start-up time, and only the IPC metadata is needed here.
import { MessageHeader } from 'apache-arrow/enum';
import { Message } from 'apache-arrow/ipc/metadata/message';
import type { Schema } from 'apache-arrow/schema';
import { ProtocolError } from '../errors/errors.ts';
import type { BodyWriter, BufferRegionLike, FieldNodeLike } from './body.ts';
import { MetadataError, padded, readRecordBatchMetadata, RecordBatchMessageWriter, type RecordBatchMetadata } from './record-batch-message.ts';

const CONTINUATION = -1; // 0xFFFFFFFF read as an int32

/** The framed schema message, computed once per layout. */
export function encodeSchemaMessage(schema: Schema): Uint8Array {
  return frame(Message.encode(Message.from(schema)));
}

function frame(flatbuffer: Uint8Array): Uint8Array {
  const size = 8 + padded(flatbuffer.byteLength);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setInt32(0, CONTINUATION, true);
  view.setInt32(4, size - 8, true);
  out.set(flatbuffer, 8);
  return out;
}

/**
 * Writes a batch's IPC stream: the schema message, one record batch message and its body.
 * One per encoder: its metadata buffer is reused from batch to batch.
 */
export class StreamWriter {
  private readonly metadata = new RecordBatchMessageWriter();
  private readonly bufferLengths: number[] = [];

  /** A caller-owned IPC stream holding `schemaMessage` and one record batch of `body`. */
  write(schemaMessage: Uint8Array, length: number, body: BodyWriter): Uint8Array {
    const lengths = this.bufferLengths;
    lengths.length = 0;
    for (const buffer of body.buffers) lengths.push(buffer.byteLength);
    const { metadata, bodyLength } = this.metadata.write(length, body.nodes, lengths);
    const metadataSize = 8 + padded(metadata.byteLength);

    // Not zero-filled: calloc'd memory costs page faults on every batch, while malloc can
    // hand back memory of batches already freed. Every byte is written below, padding too.
    const total = schemaMessage.byteLength + metadataSize + bodyLength + 8;
    const out = new Uint8Array(Buffer.allocUnsafeSlow(total).buffer, 0, total);
    const view = new DataView(out.buffer);
    out.set(schemaMessage, 0);
    let p = schemaMessage.byteLength;
    view.setInt32(p, CONTINUATION, true);
    view.setInt32(p + 4, metadataSize - 8, true);
    out.set(metadata, p + 8);
    out.fill(0, p + 8 + metadata.byteLength, p + metadataSize);
    p += metadataSize;
    for (const buffer of body.buffers) {
      out.set(buffer, p);
      const end = p + padded(buffer.byteLength);
      out.fill(0, p + buffer.byteLength, end);
      p = end;
    }
    view.setInt32(p, CONTINUATION, true);
    view.setInt32(p + 4, 0, true);
    return out;
  }
}

export interface ReceivedBatch {
  /** The schema message's flatbuffer, a view into the input. */
  schemaMetadata: Uint8Array;
  length: number;
  nodes: FieldNodeLike[];
  regions: BufferRegionLike[];
  /** A view into the input. */
  body: Uint8Array;
}

/** Splits an IPC stream into its schema and its one record batch. `bytes` must be 8-byte aligned. */
export function readStream(bytes: Uint8Array): ReceivedBatch {
  const reader = new MessageCursor(bytes);
  const schemaMetadata = reader.next('the schema message');
  if (schemaMetadata === null) throw malformed('the stream ends before its schema');
  const batchMetadata = reader.next('the record batch message');
  if (batchMetadata === null) throw malformed('the stream has a schema but no record batch');
  let header: RecordBatchMetadata;
  try {
    header = readRecordBatchMetadata(batchMetadata);
  } catch (e) {
    if (e instanceof MetadataError) throw malformed(e.message);
    throw e;
  }
  const body = reader.body(header.bodyLength);
  if (reader.next('the end of the stream') !== null) throw malformed('expected one record batch, found more messages after it');
  return { schemaMetadata, length: header.length, nodes: header.nodes, regions: header.regions, body };
}

export function decodeSchema(metadata: Uint8Array): Schema {
  const message = decodeMessage(metadata);
  if (!message.isSchema()) throw malformed(`expected a schema message, got message type ${MessageHeader[message.headerType]}`);
  return message.header();
}

function decodeMessage(metadata: Uint8Array): Message {
  try {
    return Message.decode(metadata);
  } catch (e) {
    throw malformed(`unreadable message metadata (${(e as Error).message})`);
  }
}

class MessageCursor {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The next message's metadata, or null at the end of the stream (explicit or not). */
  next(what: string): Uint8Array | null {
    const left = this.bytes.byteLength - this.pos;
    if (left === 0) return null;
    if (left < 4) throw malformed(`truncated before ${what}`);
    let size = this.view.getInt32(this.pos, true);
    this.pos += 4;
    if (size === CONTINUATION) {
      if (this.bytes.byteLength - this.pos < 4) throw malformed(`truncated before ${what}`);
      size = this.view.getInt32(this.pos, true);
      this.pos += 4;
    }
    if (size === 0) return null;
    if (size < 0 || size > this.bytes.byteLength - this.pos) throw malformed(`truncated in ${what} (${size} bytes announced)`);
    const metadata = this.bytes.subarray(this.pos, this.pos + size);
    this.pos += size;
    return metadata;
  }

  body(length: number): Uint8Array {
    if (!(length >= 0 && length <= this.bytes.byteLength - this.pos)) {
      throw malformed(`truncated in the record batch body (${length} bytes announced, ${this.bytes.byteLength - this.pos} left)`);
    }
    const body = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return body;
  }
}

function malformed(what: string): ProtocolError {
  return new ProtocolError(`malformed Arrow batch: ${what}`);
}
