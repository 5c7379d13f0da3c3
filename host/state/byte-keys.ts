/**
 * Byte strings as Map keys. The backend keys its tables by a latin1 string of the bytes: one
 * UTF-16 code unit per byte, so the string is lossless, cheap to build, and compares in byte
 * order.
 *
 * A record key joins a state's key and namespace: two code units holding the key's length
 * (high and low 16 bits), the key's bytes, then the namespace's bytes, which run to the end.
 * The length prefix keeps (key "ab", namespace "c") apart from (key "a", namespace "bc").
 */

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** Above this length Buffer's native latin1 codec beats building the string in JS. */
const NATIVE_CODEC_THRESHOLD = 64;

export function latin1(bytes: Uint8Array): string {
  return latin1Range(bytes, 0, bytes.length);
}

/** latin1 of bytes[start, end) (a key in a batch's key column, without a view of its own). */
export function latin1Range(bytes: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n > NATIVE_CODEC_THRESHOLD) return Buffer.from(bytes.buffer, bytes.byteOffset + start, n).toString('latin1');
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** A fresh Uint8Array (never a view of another buffer) of the latin1 string's code units. */
export function fromLatin1(s: string, start = 0, end = s.length): Uint8Array {
  const n = end - start;
  const out = new Uint8Array(n);
  if (n > NATIVE_CODEC_THRESHOLD) {
    out.set(Buffer.from(start === 0 && end === s.length ? s : s.slice(start, end), 'latin1'));
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(start + i);
  return out;
}

export function recordKeyOf(keyLatin1: string, namespace: Uint8Array): string {
  return recordKeyOfStrings(keyLatin1, namespace.length === 0 ? '' : latin1(namespace));
}

export function recordKeyOfStrings(keyLatin1: string, namespaceLatin1: string): string {
  const n = keyLatin1.length;
  return String.fromCharCode(n >>> 16, n & 0xffff) + keyLatin1 + namespaceLatin1;
}

function keyLengthOf(recordKey: string): number {
  return recordKey.charCodeAt(0) * 0x10000 + recordKey.charCodeAt(1);
}

export function keyOfRecord(recordKey: string): Uint8Array {
  return fromLatin1(recordKey, 2, 2 + keyLengthOf(recordKey));
}

export function namespaceOfRecord(recordKey: string): Uint8Array {
  const start = 2 + keyLengthOf(recordKey);
  return fromLatin1(recordKey, start);
}

/** The payload bytes a record key stands for (key + namespace), for memory accounting. */
export function recordKeySize(recordKey: string): number {
  return recordKey.length - 2;
}

/**
 * Copies bytes the backend keeps. Incoming values are often views into a large message
 * buffer; keeping the view would pin the whole buffer. (Not bytes.slice(): on a Node Buffer,
 * what protobufjs decodes bytes into, slice is a view.)
 */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return copyRange(bytes, 0, bytes.length);
}

/**
 * Below this length a loop copies bytes faster than set(): the native call and the view it
 * needs cost more than the copy (stored values are mostly a few bytes).
 */
const LOOP_COPY_MAX = 32;

/** A fresh Uint8Array holding bytes[start, end). */
function copyRange(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  copyInto(out, 0, bytes, start, end - start);
  return out;
}

/** Writes source[start, start + n) into target at `at`. */
export function copyInto(target: Uint8Array, at: number, source: Uint8Array, start: number, n: number): void {
  if (n <= LOOP_COPY_MAX) {
    for (let i = 0; i < n; i++) target[at + i] = source[start + i]!;
  } else {
    target.set(source.subarray(start, start + n), at);
  }
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
