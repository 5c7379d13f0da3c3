/**
 * An input gate aligns a checkpoint barrier over the channels that have not ended (their source
 * ended: it sends no barrier any more, and all it sent comes before the barrier, as in Flink's
 * checkpoints after tasks finished). A channel that ends while the others wait at the barrier
 * releases them, and the watermark it held back moves on right after the barrier.
 */
import { describe, expect, it } from 'vitest';
import { InputGate } from '../host/runtime/input-gate.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { END, type StreamElement } from '../host/runtime/stream-element.ts';

function records(...values: number[]): StreamElement {
  return { kind: 'records', batch: { length: values.length, values, keys: null, timestamps: null } };
}
const barrier = (checkpointId: number): StreamElement => ({ kind: 'barrier', checkpointId });
const watermark = (timestamp: number): StreamElement => ({ kind: 'watermark', timestamp });

function channelOf(...elements: StreamElement[]): StreamChannel {
  const channel = new StreamChannel(1_000);
  for (const e of elements) void channel.put(e);
  return channel;
}

/** Everything the gate returns until it has nothing more, records as their values. */
function drain(gate: InputGate): unknown[] {
  const out: unknown[] = [];
  for (let e = gate.poll(); e !== null; e = gate.poll()) out.push(e.kind === 'records' ? e.batch.values : e);
  return out;
}

describe('barrier alignment with ended channels', () => {
  it('a barrier passes at once when every other channel has ended', () => {
    const ended = channelOf(records(-1, -2, -3), END);
    const open = channelOf(records(0, 1), barrier(1), records(2));
    const gate = new InputGate([ended, open]);
    expect(drain(gate)).toEqual([[-1, -2, -3], [0, 1], barrier(1), [2]]);
  });

  it('a channel that ends while the others wait at a barrier releases them, after all it sent', () => {
    const waiting = new StreamChannel(1_000);
    const ending = new StreamChannel(1_000);
    const gate = new InputGate([waiting, ending]);
    void waiting.put(barrier(4));
    void waiting.put(records(10));
    void ending.put(records(-1));
    expect(drain(gate)).toEqual([[-1]]);
    void ending.put(records(-2));
    void ending.put(END);
    expect(drain(gate)).toEqual([[-2], barrier(4), [10]]);
    // Later barriers align over the open channel alone.
    void waiting.put(barrier(5));
    expect(drain(gate)).toEqual([barrier(5)]);
  });

  it('the watermark an ended channel held back moves on right after the barrier it released', () => {
    const ahead = channelOf(watermark(10), barrier(1), records(1));
    const behind = channelOf(watermark(5), records(-1), END);
    const gate = new InputGate([ahead, behind]);
    expect(drain(gate)).toEqual([watermark(5), [-1], barrier(1), watermark(10), [1]]);
    expect(gate.currentWatermark).toBe(10);
  });
});
