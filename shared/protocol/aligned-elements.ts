/**
 * The Data message's encoding for gRPC, with each batch's Arrow bytes placed so that they start
 * on an 8-byte boundary of the buffer the receiver gets them in.
 *
 * Typed arrays over a column need aligned memory; a batch that arrives misaligned is copied
 * whole before it is read (BatchDecoder). gRPC puts a 5-byte prefix (compressed flag, length)
 * before every message, and grpc-js reassembles a received message with its prefix into a
 * buffer of its own, which Node starts on an 8-byte boundary, and hands the message on at
 * offset 5 of it. A `padding` field of zero bytes, written just before `arrow`, moves the
 * Arrow bytes to an offset that lands aligned there:
 *
 *   [prefix 5][Elements: tag len [DataBatch: id, transform, padding, arrow …] …]
 *              ^ offset 5 of the receiver's buffer            ^ a multiple of 8
 *
 * The padding is a hint, never a requirement: a receiver that gets the bytes elsewhere decodes
 * them as before, with the copy. Decoding is the generated code's (fields in any order).
 */
import protobuf from 'protobufjs/minimal.js';
import type { DataBatch, Elements } from './messages.ts';

/** Where the message starts in the receiver's buffer, modulo 8: after gRPC's 5-byte prefix. */
export const GRPC_MESSAGE_OFFSET = 5;

/** Field tags (field number << 3 | wire type), as in proto/data.proto. */
const ELEMENTS_DATA = (1 << 3) | 2;
const INSTRUCTION_ID = (1 << 3) | 2;
const TRANSFORM_ID = (2 << 3) | 2;
const ARROW = (3 << 3) | 2;
const IS_LAST = (4 << 3) | 0;
const CONSUMED = (5 << 3) | 0;
const PADDING = (6 << 3) | 2;
const OUTPUTS_FOLLOW = (7 << 3) | 0;

const ZEROS = new Uint8Array(7);
const utf8Length = protobuf.util.utf8.length;

/** Bytes of a varint holding `value` (an unsigned 32-bit value). */
function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function stringFieldSize(value: string): number {
  const n = utf8Length(value);
  return 1 + varintSize(n) + n;
}

/**
 * Sizes of a padding field that shift what follows it by every residue modulo 8: absent (0),
 * or a tag, a length and 0–7 zero bytes (2–9).
 */
const PADDING_FIELD_SIZES = [0, 2, 3, 4, 5, 6, 7, 8, 9] as const;

/** Encodes `message` as the generated code would, with padding that aligns each batch's Arrow bytes. */
export function encodeAlignedElements(message: Elements, messageOffset = GRPC_MESSAGE_OFFSET): Uint8Array {
  const writer = protobuf.Writer.create();
  let position = 0;
  for (const batch of message.data ?? []) position += writeBatch(writer, batch, messageOffset + position);
  return writer.finish();
}

/** Writes one DataBatch as a field of Elements starting at `at` (absolute, modulo 8); returns its size. */
function writeBatch(writer: protobuf.Writer, batch: DataBatch, at: number): number {
  const head =
    (batch.instructionId != null ? stringFieldSize(batch.instructionId) : 0) +
    (batch.transformId != null ? stringFieldSize(batch.transformId) : 0);
  const tail =
    (batch.isLast != null ? 2 : 0) +
    (batch.consumed != null ? 1 + varintSize(batch.consumed) : 0) +
    (batch.outputsFollow != null ? 2 : 0);
  const arrow = batch.arrow;
  const arrowSize = arrow != null ? 1 + varintSize(arrow.length) + arrow.length : 0;

  let padding = 0;
  let size = head + arrowSize + tail;
  if (arrow != null && arrow.length > 0) {
    for (const candidate of PADDING_FIELD_SIZES) {
      const candidateSize = head + candidate + arrowSize + tail;
      const arrowStart = at + 1 + varintSize(candidateSize) + head + candidate + 1 + varintSize(arrow.length);
      if (arrowStart % 8 === 0) {
        padding = candidate;
        size = candidateSize;
        break;
      }
    }
  }

  writer.uint32(ELEMENTS_DATA).uint32(size);
  if (batch.instructionId != null) writer.uint32(INSTRUCTION_ID).string(batch.instructionId);
  if (batch.transformId != null) writer.uint32(TRANSFORM_ID).string(batch.transformId);
  if (padding > 0) writer.uint32(PADDING).bytes(ZEROS.subarray(0, padding - 2));
  if (arrow != null) writer.uint32(ARROW).bytes(arrow);
  if (batch.isLast != null) writer.uint32(IS_LAST).bool(batch.isLast);
  if (batch.consumed != null) writer.uint32(CONSUMED).uint32(batch.consumed);
  if (batch.outputsFollow != null) writer.uint32(OUTPUTS_FOLLOW).bool(batch.outputsFollow);
  return 1 + varintSize(size) + size;
}
