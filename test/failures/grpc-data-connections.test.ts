/**
 * Process mode's Data streams: each direction on an HTTP/2 connection of its own, with a window
 * that takes a whole batch. Large batches flowing both ways at once must all arrive intact;
 * windows this large on one connection carrying both directions would stall it. The worker's
 * end runs through its relay thread by default and on its main thread with
 * udf.process.data-thread off: both carry the same batches alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hostLog, setStderrLogging } from '../../host/log.ts';
import { GrpcEndpoint } from '../../host/workers/grpc-endpoint.ts';
import { DATA_FLOW_CONTROL_WINDOW } from '../../shared/protocol/grpc-services.ts';
import type { Elements } from '../../shared/protocol/messages.ts';
import { connectGrpc } from '../../worker/grpc-connection.ts';

setStderrLogging(false);

const BATCHES = 24;
const BYTES = 900_000;

function batch(i: number, fill: number): Elements {
  return { data: [{ instructionId: String(i), transformId: 't', arrow: new Uint8Array(BYTES).fill(fill + (i % 7)), consumed: i }] };
}

function collect(channel: { onMessage(h: (m: Elements) => void): void }, count: number): Promise<Elements[]> {
  const got: Elements[] = [];
  return new Promise((resolve) =>
    channel.onMessage((m) => {
      got.push(m);
      if (got.length === count) resolve(got);
    }),
  );
}

/**
 * What a test can check of a batch without comparing 900 KB: its id, size, fill, and whether
 * its bytes start 8-byte aligned in the received buffer (shared/protocol/aligned-elements.ts),
 * so that they are read in place.
 */
function summary(messages: Elements[]): string[] {
  return messages.map((m) => {
    const d = m.data![0]!;
    const bytes = d.arrow!;
    const uniform = bytes.every((b) => b === bytes[0]);
    const aligned = bytes.byteOffset % 8 === 0 ? 'aligned' : `at ${bytes.byteOffset % 8} mod 8`;
    return `${d.instructionId}:${bytes.length}:${bytes[0]}:${uniform}:${aligned}`;
  });
}

describe.each([
  ['through the relay thread', true],
  ['on the main thread', false],
])('the Data connections in process mode, %s', (_, dataThread) => {
  let endpoint: GrpcEndpoint | null = null;
  afterEach(async () => {
    await endpoint?.stop();
    endpoint = null;
  });

  it('the host advertises a window that takes a whole batch', async () => {
    endpoint = await GrpcEndpoint.start(hostLog);
    expect(endpoint.receiveWindow).toBe(DATA_FLOW_CONTROL_WINDOW);
  });

  it('carries large batches both ways at once, in order and intact', async () => {
    endpoint = await GrpcEndpoint.start(hostLog);
    const { token, connection } = endpoint.expectWorker('w1');
    const worker = connectGrpc(endpoint.address, 'w1', token, { dataThread });
    const host = await connection;
    const atWorker = collect(worker.data, BATCHES);
    const atHost = collect(host.data, BATCHES);
    // Everything is written before either side reads a byte of it.
    for (let i = 0; i < BATCHES; i++) {
      host.data.send(batch(i, 10));
      worker.data.send(batch(i, 100));
    }
    const expected = (fill: number): string[] => Array.from({ length: BATCHES }, (_, i) => `${i}:${BYTES}:${fill + (i % 7)}:true:aligned`);
    expect(summary(await atWorker)).toEqual(expected(10));
    expect(summary(await atHost)).toEqual(expected(100));
    worker.close();
  });

  it('delivers small batches aligned too, whatever the ids before their bytes', async () => {
    endpoint = await GrpcEndpoint.start(hostLog);
    const { token, connection } = endpoint.expectWorker('w1');
    const worker = connectGrpc(endpoint.address, 'w1', token, { dataThread });
    const host = await connection;
    const sizes = [1, 9, 100, 2_000, 5_000];
    const sent = sizes.flatMap((size, i) => Array.from({ length: 8 }, (_, k) => ({ id: 'x'.repeat(k + i), size })));
    const atWorker = collect(worker.data, sent.length);
    const atHost = collect(host.data, sent.length);
    for (const { id, size } of sent) {
      host.data.send({ data: [{ instructionId: id, transformId: 'input', arrow: new Uint8Array(size).fill(7) }] });
      worker.data.send({ data: [{ instructionId: id, transformId: 'stage-1', arrow: new Uint8Array(size).fill(9), consumed: size }] });
    }
    const expected = (fill: number) => sent.map(({ id, size }) => `${id}:${size}:${fill}:true:aligned`);
    expect(summary(await atWorker)).toEqual(expected(7));
    expect(summary(await atHost)).toEqual(expected(9));
    worker.close();
  });
});
