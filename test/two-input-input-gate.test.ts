/**
 * The input gate of a two-input stage (connect()): it reads the channels of both inputs, says
 * which input each batch of records came in on, and merges everything else over all of them
 * alike, as Flink's two-input operators do: the watermark is the minimum over both inputs, a
 * checkpoint barrier is aligned across both, the end comes once both have ended.
 */
import { describe, expect, it } from 'vitest';
import { InputGate } from '../host/runtime/input-gate.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { END, type GateElement, type InputNumber, type StreamElement } from '../host/runtime/stream-element.ts';

function records(...values: unknown[]): StreamElement {
  return { kind: 'records', batch: { length: values.length, values, keys: null, timestamps: null } };
}
const watermark = (timestamp: number): StreamElement => ({ kind: 'watermark', timestamp });
const barrier = (checkpointId: number): StreamElement => ({ kind: 'barrier', checkpointId });
const idle: StreamElement = { kind: 'status', active: false };

/** Everything the gate returns until it has nothing more, records as `input N: values`. */
function drain(gate: InputGate): unknown[] {
  const out: unknown[] = [];
  for (let e = gate.poll(); e !== null; e = gate.poll()) out.push(e.kind === 'records' ? `input ${e.input}: ${e.batch.values.join(',')}` : e);
  return out;
}

/** A gate over channels feeding the inputs given, and a way to put elements on channel `c` and drain the gate. */
function gateOf(...inputs: InputNumber[]): { gate: InputGate; put: (c: number, ...elements: StreamElement[]) => unknown[] } {
  const channels = inputs.map(() => new StreamChannel(1_000));
  const gate = new InputGate(channels, inputs);
  return {
    gate,
    put(c, ...elements) {
      for (const e of elements) void channels[c]!.put(e);
      return drain(gate);
    },
  };
}

describe('two-input gate', () => {
  it('tags records with the input of the channel they came in on, interleaved as they arrive', () => {
    // Two upstream subtasks on input 1, one on input 2.
    const { put } = gateOf(1, 2, 1);
    expect(put(0, records(1, 2))).toEqual(['input 1: 1,2']);
    expect(put(1, records('a'))).toEqual(['input 2: a']);
    expect(put(2, records(3))).toEqual(['input 1: 3']);
    expect(put(1, records('b', 'c'))).toEqual(['input 2: b,c']);
    expect(put(0, records(4))).toEqual(['input 1: 4']);
  });

  it('reads the channels with records in turn: a busy input does not starve a quiet one', () => {
    const channels = [new StreamChannel(1_000), new StreamChannel(1_000)];
    const gate = new InputGate(channels, [1, 2]);
    for (const batch of [records(1), records(2), records(3)]) void channels[0]!.put(batch);
    void channels[1]!.put(records('rule'));
    expect(drain(gate)).toEqual(['input 1: 1', 'input 2: rule', 'input 1: 2', 'input 1: 3']);
  });

  it('a stream connected with itself: the same batch comes once on each input, not copied', () => {
    const first = new StreamChannel(1_000);
    const second = new StreamChannel(1_000);
    const gate = new InputGate([first, second], [1, 2]);
    const batch = { length: 1, values: ['x'], keys: null, timestamps: null };
    void first.put({ kind: 'records', batch });
    void second.put({ kind: 'records', batch });
    const out: GateElement[] = [];
    for (let e = gate.poll(); e !== null; e = gate.poll()) out.push(e);
    expect(out).toEqual([
      { kind: 'records', batch, input: 1 },
      { kind: 'records', batch, input: 2 },
    ]);
    for (const e of out) expect(e.kind === 'records' && e.batch === batch).toBe(true);
  });

  it('without inputs given, every channel feeds input 1', () => {
    const channel = new StreamChannel(1_000);
    const gate = new InputGate([channel]);
    void channel.put(records(7));
    expect(drain(gate)).toEqual(['input 1: 7']);
  });

  it('refuses inputs that do not match its channels', () => {
    expect(() => new InputGate([new StreamChannel(10), new StreamChannel(10)], [1])).toThrow(
      'an input gate of 2 channels was given the inputs of 1',
    );
  });

  it('its watermark is the minimum over both inputs', () => {
    const { gate, put } = gateOf(1, 2);
    expect(put(0, watermark(10))).toEqual([]);
    expect(put(1, watermark(5))).toEqual([watermark(5)]);
    // Input 2 overtakes input 1: input 1 holds the watermark back now.
    expect(put(1, watermark(20))).toEqual([watermark(10)]);
    expect(put(0, watermark(30))).toEqual([watermark(20)]);
    expect(gate.currentWatermark).toBe(20);
  });

  it('an idle input holds the watermark back no more; an ended one never again', () => {
    const { gate, put } = gateOf(1, 2);
    expect(put(0, watermark(10))).toEqual([]);
    expect(put(1, watermark(5))).toEqual([watermark(5)]);
    expect(put(1, idle)).toEqual([watermark(10)]);
    expect(put(0, watermark(15))).toEqual([watermark(15)]);
    expect(put(1, END)).toEqual([]);
    expect(put(0, watermark(25))).toEqual([watermark(25)]);
    expect(put(0, END)).toEqual([watermark(Infinity), { kind: 'end' }]);
    expect(gate.currentWatermark).toBe(Infinity);
  });

  it('aligns a barrier across both inputs: an input that has it waits while the other goes on', () => {
    const { put } = gateOf(1, 2);
    expect(put(0, records(1), barrier(3), records(2))).toEqual(['input 1: 1']);
    // Input 1 is blocked at the barrier; input 2's records before the barrier still pass.
    expect(put(1, records('a'))).toEqual(['input 2: a']);
    expect(put(1, barrier(3), records('b'))).toEqual([barrier(3), 'input 1: 2', 'input 2: b']);
  });

  it('ends once both inputs have ended', () => {
    const { put } = gateOf(1, 2);
    expect(put(0, records(1), END)).toEqual(['input 1: 1']);
    expect(put(1, records('a'))).toEqual(['input 2: a']);
    expect(put(1, END)).toEqual([watermark(Infinity), { kind: 'end' }]);
  });
});
