/**
 * An input that has ended counts, in the input gate's watermark, as Flink counts it: a source
 * that ends emits Long.MAX_VALUE as its last watermark (marking its output active first), so
 * Flink's StatusWatermarkValve holds that channel active and aligned at the end of time. It never
 * holds the watermark back; while it does not, the live channels all being idle (or all behind
 * the watermark passed on, resumed and not caught up) leave nothing to hold the watermark back:
 * it goes to +Infinity and every event-time timer fires, where the gate used to flush it to the
 * largest of the live channels' only and go idle.
 */
import { describe, expect, it } from 'vitest';
import { InputGate } from '../host/runtime/input-gate.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import type { StreamElement } from '../host/runtime/stream-element.ts';

const watermark = (timestamp: number): StreamElement => ({ kind: 'watermark', timestamp });
const idle: StreamElement = { kind: 'status', active: false };
const active: StreamElement = { kind: 'status', active: true };
const end: StreamElement = { kind: 'end' };
const barrier = (checkpointId: number): StreamElement => ({ kind: 'barrier', checkpointId });

function gateOf(n: number): { gate: InputGate; put: (channel: number, ...elements: StreamElement[]) => StreamElement[] } {
  const channels = Array.from({ length: n }, () => new StreamChannel(1_000));
  const gate = new InputGate(channels);
  return {
    gate,
    put(channel, ...elements) {
      for (const e of elements) void channels[channel]!.put(e);
      const out: StreamElement[] = [];
      for (let e = gate.poll(); e !== null; e = gate.poll()) out.push(e);
      return out;
    },
  };
}

describe('input gate: ended inputs in the watermark', () => {
  it('one input ended, the others going idle: the watermark goes to +Infinity, and the gate stays active', () => {
    const { gate, put } = gateOf(3);
    put(0, watermark(50));
    put(1, watermark(10));
    expect(put(2, watermark(30))).toEqual([watermark(10)]);
    expect(put(0, end)).toEqual([]);
    expect(put(1, idle)).toEqual([watermark(30)]);
    expect(put(2, idle)).toEqual([watermark(Infinity)]);
    expect(gate.currentWatermark).toBe(Infinity);
    // An input resuming is behind: nothing moves, and the gate never reported itself idle.
    expect(put(1, active, watermark(40))).toEqual([]);
  });

  it('an input that ends while every other one is idle takes the watermark to +Infinity, the gate active first', () => {
    const { put } = gateOf(2);
    put(0, watermark(10));
    put(1, watermark(20));
    expect(put(0, idle)).toEqual([watermark(20)]);
    expect(put(1, idle)).toEqual([idle]);
    expect(put(1, end)).toEqual([active, watermark(Infinity)]);
  });

  it('an input that ends while the others resumed behind the watermark takes it to +Infinity', () => {
    const { put } = gateOf(2);
    put(0, watermark(100));
    put(1, watermark(10));
    expect(put(1, idle)).toEqual([watermark(100)]);
    expect(put(1, active, watermark(20))).toEqual([]);
    expect(put(0, end)).toEqual([watermark(Infinity)]);
  });

  it('an input that ends during an alignment: the barrier, then the watermark it let go of, the gate active', () => {
    const { put } = gateOf(2);
    put(0, watermark(5));
    put(1, watermark(8));
    expect(put(0, idle)).toEqual([watermark(8)]);
    expect(put(1, idle)).toEqual([idle]);
    expect(put(0, barrier(1))).toEqual([]);
    expect(put(1, end)).toEqual([barrier(1), active, watermark(Infinity)]);
  });
});
