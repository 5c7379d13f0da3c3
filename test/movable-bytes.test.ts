/**
 * The stream relay's received messages, made movable to the worker's main thread
 * (worker/movable-bytes.ts): a message in a buffer of its own moves as it is; any other is
 * copied, at the offset modulo 8 it had, so that aligned Arrow bytes stay aligned.
 */
import { describe, expect, it } from 'vitest';
import { movableBytes } from '../worker/movable-bytes.ts';

/** What a test can compare of a view: its offset and length, its buffer's size, its bytes. */
function shape(bytes: Uint8Array): [offset: number, length: number, bufferBytes: number, content: number[]] {
  return [bytes.byteOffset, bytes.byteLength, bytes.buffer.byteLength, [...bytes]];
}

describe('movableBytes', () => {
  it('moves a message that is the rest of a buffer after its 5-byte gRPC prefix as it is', () => {
    const framed = new Uint8Array(5 + 4);
    framed.set([0, 0, 0, 0, 4, 10, 20, 30, 40]);
    const message = framed.subarray(5);
    const own = movableBytes(message);
    expect(own).toBe(message);
    expect(shape(own)).toEqual([5, 4, 9, [10, 20, 30, 40]]);
  });

  it('copies a view into a larger buffer, at the same offset modulo 8', () => {
    const pool = new Uint8Array(64).map((_, i) => i);
    const message = pool.subarray(21, 26);
    const own = movableBytes(message);
    expect(own.buffer).not.toBe(pool.buffer);
    expect(shape(own)).toEqual([5, 5, 10, [21, 22, 23, 24, 25]]);
    // The original is untouched: it belongs to someone else.
    expect([...message]).toEqual([21, 22, 23, 24, 25]);
  });

  it('copies a view that starts 8 or more bytes into its buffer even when it reaches the end', () => {
    const chunk = new Uint8Array(19).map((_, i) => 100 + i);
    const own = movableBytes(chunk.subarray(16));
    expect(own.buffer).not.toBe(chunk.buffer);
    expect(shape(own)).toEqual([0, 3, 3, [116, 117, 118]]);
  });

  it('copies a view that stops short of its buffer end', () => {
    const chunk = new Uint8Array(12).map((_, i) => i);
    const own = movableBytes(chunk.subarray(3, 7));
    expect(own.buffer).not.toBe(chunk.buffer);
    expect(shape(own)).toEqual([3, 4, 7, [3, 4, 5, 6]]);
  });

  it('copies an empty message into an empty buffer of its own', () => {
    const pool = new Uint8Array(16);
    const own = movableBytes(pool.subarray(13, 13));
    expect(own.buffer).not.toBe(pool.buffer);
    expect(shape(own)).toEqual([5, 0, 5, []]);
  });
});
