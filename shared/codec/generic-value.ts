/**
 * The generic value encoding: how values without a declared type travel (in the generic
 * column of a Data batch) and how keys are turned into bytes. The byte format is specified
 * in proto/generic-value.md so that a worker in another language can read and write it.
 */
import { GenericReader } from './generic-reader.ts';
import { GenericWriter } from './generic-writer.ts';

export { GenericEncodeError } from './generic-encode-error.ts';
export { GenericWriter } from './generic-writer.ts';
export type { GenericWriterOptions } from './generic-writer.ts';
export { GenericReader } from './generic-reader.ts';

// Shared scratch writers. A getter inside the value being encoded may itself call
// encodeGeneric, so a busy writer is never reused: the nested call gets its own.
let valueWriter: GenericWriter | null = null;
let keyWriter: GenericWriter | null = null;
const reader = new GenericReader();

/** Encodes one value; throws a GenericEncodeError (a TypeError) naming the path of what cannot be encoded. */
export function encodeGeneric(value: unknown): Uint8Array {
  const writer = valueWriter ?? new GenericWriter();
  valueWriter = null;
  try {
    writer.reset();
    writer.write(value);
    return writer.copy();
  } finally {
    valueWriter = writer;
  }
}

/** Like encodeGeneric, in the canonical key form: -0 (anywhere in the value) is written as 0. */
export function encodeKey(value: unknown): Uint8Array {
  const writer = keyWriter ?? new GenericWriter({ keyForm: true });
  keyWriter = null;
  try {
    writer.reset();
    writer.write(value);
    return writer.copy();
  } finally {
    keyWriter = writer;
  }
}

/** Decodes bytes holding exactly one value; throws a ProtocolError on malformed or truncated input. */
export function decodeGeneric(bytes: Uint8Array): unknown {
  reader.reset(bytes);
  return reader.readAt(0, bytes.byteLength);
}
