/**
 * The input gate merges watermarks and idleness as Flink's StatusWatermarkValve: the minimum
 * over aligned active channels; a channel that resumes behind the watermark already passed on
 * does not hold it back until it catches up; when every channel is idle the watermark is
 * flushed to the largest of theirs, before the gate reports itself idle.
 */
import { describe, expect, it } from 'vitest';
import { InputGate } from '../host/runtime/input-gate.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import type { StreamElement } from '../host/runtime/stream-element.ts';

const watermark = (timestamp: number): StreamElement => ({ kind: 'watermark', timestamp });
const idle: StreamElement = { kind: 'status', active: false };
const active: StreamElement = { kind: 'status', active: true };

/** Everything the gate returns until it has nothing more. */
function drain(gate: InputGate): StreamElement[] {
  const out: StreamElement[] = [];
  for (let e = gate.poll(); e !== null; e = gate.poll()) out.push(e);
  return out;
}

function gateOf(n: number): { gate: InputGate; put: (channel: number, ...elements: StreamElement[]) => StreamElement[] } {
  const channels = Array.from({ length: n }, () => new StreamChannel(1_000));
  const gate = new InputGate(channels);
  return {
    gate,
    put(channel, ...elements) {
      for (const e of elements) void channels[channel]!.put(e);
      return drain(gate);
    },
  };
}

describe('input gate: watermark status', () => {
  it('is the minimum over the active channels; an idle one holds nothing back', () => {
    const { put } = gateOf(2);
    expect(put(0, watermark(10))).toEqual([]);
    expect(put(1, watermark(5))).toEqual([watermark(5)]);
    expect(put(1, idle)).toEqual([watermark(10)]);
    expect(put(0, watermark(20))).toEqual([watermark(20)]);
  });

  it('a channel that resumes behind the watermark passed on does not hold it back until it catches up', () => {
    const { gate, put } = gateOf(2);
    put(0, watermark(100));
    put(1, watermark(10));
    expect(put(1, idle)).toEqual([watermark(100)]);
    expect(put(1, active)).toEqual([]);
    // Unaligned: the channel's 20 stays below the gate's 100, and the other one moves the gate on.
    expect(put(1, watermark(20))).toEqual([]);
    expect(put(0, watermark(200))).toEqual([watermark(200)]);
    expect(gate.currentWatermark).toBe(200);
    // Caught up: aligned again, it holds the watermark back as any channel.
    expect(put(1, watermark(250))).toEqual([]);
    expect(put(0, watermark(300))).toEqual([watermark(250)]);
    expect(put(1, watermark(400))).toEqual([watermark(300)]);
  });

  it('a channel that resumes at or above the watermark passed on is aligned at once', () => {
    const { put } = gateOf(2);
    put(0, watermark(100));
    put(1, watermark(150));
    put(1, idle);
    expect(put(1, active)).toEqual([]);
    expect(put(0, watermark(300))).toEqual([watermark(150)]);
  });

  it('when every channel is idle, the watermark is flushed to the largest, then the gate goes idle', () => {
    const { gate, put } = gateOf(3);
    put(0, watermark(1000));
    put(1, watermark(5000));
    expect(put(2, watermark(3000))).toEqual([watermark(1000)]);
    expect(put(1, idle)).toEqual([]);
    expect(put(2, idle)).toEqual([]);
    expect(put(0, idle)).toEqual([watermark(5000), idle]);
    expect(gate.currentWatermark).toBe(5000);
    // A channel that resumes below it is unaligned: nothing moves until it catches up.
    expect(put(0, active)).toEqual([active]);
    expect(put(0, watermark(4000))).toEqual([]);
    expect(put(0, watermark(6000))).toEqual([watermark(6000)]);
  });

  it('a watermark arriving while every channel is idle moves the flushed watermark on', () => {
    const { put } = gateOf(2);
    put(0, watermark(10));
    put(1, watermark(20));
    expect(put(0, idle)).toEqual([watermark(20)]);
    expect(put(1, idle)).toEqual([idle]);
    expect(put(0, watermark(30))).toEqual([watermark(30)]);
  });
});
