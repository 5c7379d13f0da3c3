/**
 * A received message in a buffer of its own, to move to the main thread: grpc-js's own when the
 * message has one (a large message is reassembled, with gRPC's 5-byte prefix, into a buffer of
 * its own, of which the message is the rest), else a copy (a small one is a view into a shared
 * pool or into the chunk read off the socket). A copy starts at the same offset modulo 8 as the
 * message did, so the Arrow bytes that the sender aligned for the receiver's buffer
 * (shared/protocol/aligned-elements.ts) stay aligned in the copy.
 */
export function movableBytes(bytes: Uint8Array): Uint8Array {
  const buffer = bytes.buffer;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset + bytes.byteLength === buffer.byteLength && bytes.byteOffset < 8) return bytes;
  const offset = bytes.byteOffset % 8;
  const own = new Uint8Array(new ArrayBuffer(offset + bytes.byteLength), offset, bytes.byteLength);
  own.set(bytes);
  return own;
}
