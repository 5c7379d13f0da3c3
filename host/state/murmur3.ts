/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby's public-domain algorithm), over bytes.
 * Key groups depend on it, so its output must never change: the same key bytes hash to the
 * same value in every process, on every run, and in a worker written in another language.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function mixBlock(k: number): number {
  return Math.imul(rotl32(Math.imul(k, C1), 15), C2);
}

/** The unsigned 32-bit hash of `bytes`. */
export function murmur3x86_32(bytes: Uint8Array, seed = 0): number {
  return murmur3x86_32Range(bytes, 0, bytes.length, seed);
}

/** The unsigned 32-bit hash of bytes[start, end) (a key in a batch's key column, without a view of its own). */
export function murmur3x86_32Range(bytes: Uint8Array, start: number, end: number, seed = 0): number {
  const length = end - start;
  const blockEnd = start + (length & ~3);
  let h = seed | 0;
  for (let i = start; i < blockEnd; i += 4) {
    // Blocks are read little-endian, as the reference implementation does.
    const k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h ^= mixBlock(k);
    h = rotl32(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blockEnd + 2]! << 16;
    if (tail >= 2) k ^= bytes[blockEnd + 1]! << 8;
    k ^= bytes[blockEnd]!;
    h ^= mixBlock(k);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
