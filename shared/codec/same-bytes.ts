/** Whether two byte arrays hold the same bytes, compared natively (a JS loop over a schema's ~200 bytes cost ~2 µs). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}
