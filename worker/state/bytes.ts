/** Byte helpers for state keys and operation fields. */

export const NO_BYTES = new Uint8Array(0);

/**
 * A string standing for `bytes`, one char per byte, for use as a JS Map key. Equal bytes give
 * equal strings; the string is never sent anywhere.
 */
export function bytesKey(bytes: Uint8Array): string {
  const n = bytes.length;
  // Keys are usually a few bytes: building the string directly beats making a Buffer view.
  if (n <= SHORT_KEY) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('latin1');
}

const SHORT_KEY = 32;

/** Timer timestamps travel as map_key: 8-byte big-endian float64. */
export function float64BigEndian(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, value, false);
  return out;
}

/** MAP_ITERATE carries its page size as values[0]: 4-byte big-endian uint32. */
export function uint32BigEndian(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

/** Unsigned lexicographic order: the order the host walks a map in (see map-iteration.ts). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}
