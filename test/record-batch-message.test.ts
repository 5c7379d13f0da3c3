import { MessageHeader, MetadataVersion } from 'apache-arrow/enum';
import { BodyCompression } from 'apache-arrow/fb/body-compression';
import { CompressionType } from 'apache-arrow/fb/compression-type';
import { Message as MessageTable } from 'apache-arrow/fb/message';
import { RecordBatch as RecordBatchTable } from 'apache-arrow/fb/record-batch';
import { Message, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { Builder } from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { layoutSchema } from '../shared/codec/arrow-schema.ts';
import { MetadataError, readRecordBatchMetadata, RecordBatchMessageWriter } from '../shared/codec/record-batch-message.ts';

/** A record batch message built by hand, with what the writer never writes. */
function handBuilt(options: { length?: bigint; compressed?: boolean; version?: MetadataVersion }): Uint8Array {
  const b = new Builder(64);
  RecordBatchTable.startNodesVector(b, 0);
  const nodes = b.endVector();
  RecordBatchTable.startBuffersVector(b, 0);
  const buffers = b.endVector();
  const compression = options.compressed ? BodyCompression.createBodyCompression(b, CompressionType.LZ4_FRAME, 0) : 0;
  RecordBatchTable.startRecordBatch(b);
  RecordBatchTable.addLength(b, options.length ?? 0n);
  RecordBatchTable.addNodes(b, nodes);
  RecordBatchTable.addBuffers(b, buffers);
  if (options.compressed) RecordBatchTable.addCompression(b, compression);
  const header = RecordBatchTable.endRecordBatch(b);
  MessageTable.startMessage(b);
  MessageTable.addVersion(b, options.version ?? MetadataVersion.V5);
  MessageTable.addHeaderType(b, MessageHeader.RecordBatch);
  MessageTable.addHeader(b, header);
  MessageTable.addBodyLength(b, 0n);
  MessageTable.finishMessageBuffer(b, MessageTable.endMessage(b));
  return b.asUint8Array().slice();
}

describe('record batch message metadata', () => {
  it('is what apache-arrow reads, and reads back to the same figures', () => {
    const writer = new RecordBatchMessageWriter();
    // Two columns: one of (3 rows, 1 null), one of (3 rows, 0 nulls); buffers of 1, 24 and 13 bytes.
    const { metadata, bodyLength } = writer.write(3, [3, 1, 3, 0], [1, 24, 13]);
    expect(bodyLength).toBe(8 + 24 + 16);
    const bytes = metadata.slice();
    const arrow = Message.decode(bytes);
    expect(arrow.headerType).toBe(MessageHeader.RecordBatch);
    expect(arrow.version).toBe(MetadataVersion.V5);
    expect(arrow.bodyLength).toBe(48);
    expect(arrow.isRecordBatch()).toBe(true);
    const header = arrow.header() as RecordBatchHeader;
    expect(header.length).toBe(3);
    expect(header.nodes.map((n) => [n.length, n.nullCount])).toEqual([
      [3, 1],
      [3, 0],
    ]);
    expect(header.buffers.map((r) => [r.offset, r.length])).toEqual([
      [0, 1],
      [8, 24],
      [32, 13],
    ]);
    expect(header.compression).toBeNull();
    expect(readRecordBatchMetadata(bytes)).toEqual({
      length: 3,
      nodes: [
        { length: 3, nullCount: 1 },
        { length: 3, nullCount: 0 },
      ],
      regions: [
        { offset: 0, length: 1 },
        { offset: 8, length: 24 },
        { offset: 32, length: 13 },
      ],
      bodyLength: 48,
    });
  });

  it('reuses its buffer: a second message does not carry the first one', () => {
    const writer = new RecordBatchMessageWriter();
    expect(writer.write(10_000, [10_000, 0, 10_000, 5], [1250, 80_000, 1250, 80_000]).bodyLength).toBe(162_512);
    const second = writer.write(0, [0, 0], [0, 0]).metadata.slice();
    expect(readRecordBatchMetadata(second)).toEqual({
      length: 0,
      nodes: [{ length: 0, nullCount: 0 }],
      regions: [
        { offset: 0, length: 0 },
        { offset: 0, length: 0 },
      ],
      bodyLength: 0,
    });
  });

  it('refuses a schema message, a compressed batch, an old version and an out-of-range length', () => {
    const schema = Message.encode(Message.from(layoutSchema({ value: { kind: 'LONG' }, keyed: false, timestamped: false })));
    expect(() => readRecordBatchMetadata(schema)).toThrow(new MetadataError('expected a record batch message, got message type Schema'));
    expect(() => readRecordBatchMetadata(handBuilt({ compressed: true }))).toThrow(new MetadataError('compressed record batches are not supported'));
    expect(() => readRecordBatchMetadata(handBuilt({ version: MetadataVersion.V3 }))).toThrow(
      new MetadataError('metadata version V3 is not supported (V4 or later)'),
    );
    expect(() => readRecordBatchMetadata(handBuilt({ length: -1n }))).toThrow(new MetadataError('a length or offset of -1 is out of range'));
    expect(readRecordBatchMetadata(handBuilt({ length: 7n })).length).toBe(7);
  });

  it('refuses bytes that are no record batch message (flatbuffers reads out of range as zeros: version V1)', () => {
    const refusal = new MetadataError('metadata version V1 is not supported (V4 or later)');
    expect(() => readRecordBatchMetadata(new Uint8Array([1, 2, 3]))).toThrow(refusal);
    expect(() => readRecordBatchMetadata(new Uint8Array([0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]))).toThrow(refusal);
  });
});
