/** JoinedChannel: one logical channel over two one-way streams (process mode's Data). */
import { describe, expect, it } from 'vitest';
import type { FnChannel } from '../shared/protocol/channel.ts';
import { createInMemoryPair } from '../shared/protocol/in-memory.ts';
import type { Elements } from '../shared/protocol/messages.ts';
import { JoinedChannel } from '../shared/protocol/joined-channel.ts';

type Stream = FnChannel<Elements, Elements>;

/** Two streams between a "host" and a "worker", each usable both ways, as gRPC calls are. */
function twoStreams(): { hostIn: Stream; workerIn: Stream; hostOut: Stream; workerOut: Stream } {
  const inputs = createInMemoryPair(false);
  const outputs = createInMemoryPair(false);
  return { hostIn: inputs.host.data, workerIn: inputs.worker.data, hostOut: outputs.host.data, workerOut: outputs.worker.data };
}

const element = (instructionId: string): Elements => ({ data: [{ instructionId, transformId: 't', consumed: 0 }] });
const ids = (messages: Elements[]): string[] => messages.map((m) => m.data![0]!.instructionId!);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a channel joined from two one-way streams', () => {
  it('sends on one stream and receives from the other, in order, both ways', async () => {
    const s = twoStreams();
    const host = new JoinedChannel(s.hostIn, s.hostOut);
    const worker = new JoinedChannel(s.workerOut, s.workerIn);
    const atWorker: Elements[] = [];
    const atHost: Elements[] = [];
    worker.onMessage((m) => atWorker.push(m));
    host.onMessage((m) => atHost.push(m));
    for (const id of ['1', '2', '3']) host.send(element(id));
    worker.send(element('a'));
    worker.send(element('b'));
    await settle();
    expect(ids(atWorker)).toEqual(['1', '2', '3']);
    expect(ids(atHost)).toEqual(['a', 'b']);
  });

  it('closes with the error when either stream breaks, and ends the other', async () => {
    for (const broken of ['incoming', 'outgoing'] as const) {
      const inputs = createInMemoryPair(false);
      const outputs = createInMemoryPair(false);
      const host = new JoinedChannel(inputs.host.data, outputs.host.data);
      const reason = new Promise<Error | null>((resolve) => host.onClose(resolve));
      const workerInClosed = new Promise<Error | null>((resolve) => inputs.worker.data.onClose(resolve));
      const workerOutClosed = new Promise<Error | null>((resolve) => outputs.worker.data.onClose(resolve));
      (broken === 'incoming' ? outputs : inputs).breakAll(new Error(`the ${broken} stream broke`));
      expect((await reason)?.message).toBe(`the ${broken} stream broke`);
      // The peer learns of the end on both streams.
      await expect(Promise.all([workerInClosed, workerOutClosed])).resolves.toHaveLength(2);
    }
  });

  it('treats a message on the stream that only sends as a protocol error', async () => {
    const s = twoStreams();
    const host = new JoinedChannel(s.hostIn, s.hostOut);
    const received: Elements[] = [];
    host.onMessage((m) => received.push(m));
    const reason = new Promise<Error | null>((resolve) => host.onClose(resolve));
    s.workerIn.send(element('wrong way'));
    expect((await reason)?.message).toBe('a message arrived on the stream that only sends');
    expect(received).toEqual([]);
    expect(host.closed).toBe(true);
  });

  it('close() ends both streams, and a send after it is dropped', async () => {
    const s = twoStreams();
    const host = new JoinedChannel(s.hostIn, s.hostOut);
    const delivered: Elements[] = [];
    s.workerIn.onMessage((m) => delivered.push(m));
    const ends = Promise.all([
      new Promise<Error | null>((resolve) => s.workerIn.onClose(resolve)),
      new Promise<Error | null>((resolve) => s.workerOut.onClose(resolve)),
    ]);
    host.close();
    host.send(element('late'));
    expect(await ends).toEqual([null, null]);
    await settle();
    expect(delivered).toEqual([]);
  });
});
