/**
 * Record batch messages written from a template of their shape: what apache-arrow reads from
 * them, what is read back by the template, and what the template refuses to read (anything
 * whose bytes outside the numbers differ, or whose numbers are out of range).
 */
import { Message, RecordBatch as RecordBatchHeader } from 'apache-arrow/ipc/metadata/message';
import { describe, expect, it } from 'vitest';
import { MetadataError, readRecordBatchMetadata, RecordBatchMessageWriter } from '../shared/codec/record-batch-message.ts';
import { RecordBatchTemplate } from '../shared/codec/record-batch-template.ts';

/** What apache-arrow's own reader finds in a message, as figures in template order. */
function arrowFigures(bytes: Uint8Array): number[] {
  const message = Message.decode(bytes.slice());
  const header = message.header() as RecordBatchHeader;
  return [
    header.length,
    ...header.nodes.flatMap((n) => [n.length, n.nullCount]),
    ...header.buffers.flatMap((b) => [b.offset, b.length]),
    message.bodyLength,
  ];
}

describe('RecordBatchTemplate', () => {
  it('writes messages apache-arrow reads, zeros and 2^53 − 1 included', () => {
    const template = new RecordBatchTemplate(2, 3);
    for (const figures of [
      [3, 3, 1, 3, 0, 0, 1, 8, 24, 32, 13, 48],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      [Number.MAX_SAFE_INTEGER, 2 ** 32, 2 ** 32 - 1, 2 ** 32 + 1, 7, 0, 0, 1, 2, 3, 4, Number.MAX_SAFE_INTEGER],
    ]) {
      const bytes = template.write(figures);
      expect(arrowFigures(bytes)).toEqual(figures);
      expect(template.read(bytes)).toEqual(figures);
    }
  });

  it('lays out large shapes too: 40 field nodes and 100 buffers', () => {
    const template = new RecordBatchTemplate(40, 100);
    const figures = Array.from({ length: 2 + 80 + 200 }, (_, i) => i * 1001);
    expect(arrowFigures(template.write(figures))).toEqual(figures);
  });

  it('reads nothing whose bytes outside the numbers differ from its own', () => {
    const template = new RecordBatchTemplate(1, 2);
    const bytes = template.write([5, 5, 0, 0, 1, 8, 40, 48]).slice();
    expect(template.read(bytes)).toEqual([5, 5, 0, 0, 1, 8, 40, 48]);
    expect(template.read(bytes.subarray(0, bytes.length - 8))).toBeNull();
    // The first bytes are the root table's offset, never a number's.
    const changed = bytes.slice();
    changed[0] = changed[0]! ^ 0x10;
    expect(template.read(changed)).toBeNull();
  });

  it('reads nothing whose numbers are not lengths or offsets (2^53 and beyond)', () => {
    const template = new RecordBatchTemplate(0, 0);
    expect(template.read(template.write([2 ** 53 - 1, 0]).slice())).toEqual([2 ** 53 - 1, 0]);
    expect(template.read(template.write([2 ** 53, 0]).slice())).toBeNull();
    expect(template.read(template.write([0, 2 ** 60]).slice())).toBeNull();
  });
});

describe('readRecordBatchMetadata', () => {
  it('reads messages of a shape it has written by their template, and the rest the general way, alike', () => {
    const writer = new RecordBatchMessageWriter();
    const { metadata } = writer.write(0, [0, 0], [0, 0]);
    const expected = { length: 0, nodes: [{ length: 0, nullCount: 0 }], regions: [{ offset: 0, length: 0 }, { offset: 0, length: 0 }], bodyLength: 0 };
    expect(readRecordBatchMetadata(metadata.slice())).toEqual(expected);
    // The same figures written by apache-arrow, which leaves default values (0) out: another layout.
    const arrow = Message.encode(Message.decode(metadata.slice()));
    expect(arrow.byteLength).toBeLessThan(metadata.byteLength);
    expect(readRecordBatchMetadata(arrow)).toEqual(expected);
  });

  it('refuses a length beyond 2^53 in a message of a known shape, naming it', () => {
    const template = new RecordBatchTemplate(0, 0);
    new RecordBatchMessageWriter().write(0, [], []);
    expect(() => readRecordBatchMetadata(template.write([2 ** 53, 0]).slice())).toThrow(
      new MetadataError(`a length or offset of ${2 ** 53} is out of range`),
    );
  });
});
