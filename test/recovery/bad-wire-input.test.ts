/**
 * Bad input on the wire: a bundle id the host did not give, a response to an instruction it
 * never sent, a batch that is not Arrow, a state request for a key the worker does not own.
 * Each is refused with a logged error; the host keeps running; nothing is lost (a batch that
 * cannot be read fails the worker, so the job restarts from its last checkpoint).
 */
import { describe, expect, it } from 'vitest';
import { addLogSink, ProtocolError, StateAccessError, type LogRecord } from '../../host/index.ts';
import { hostLog, setStderrLogging } from '../../host/log.ts';
import { RemoteStage } from '../../host/runtime/remote-stage.ts';
import { keyGroupOf } from '../../host/state/key-groups.ts';
import { KeyedStateBackend } from '../../host/state/keyed-state-backend.ts';
import { WorkerClient } from '../../host/workers/worker-client.ts';
import { encodeKey } from '../../shared/codec/generic-value.ts';
import { Configuration } from '../../shared/config/configuration.ts';
import { createInMemoryPair } from '../../shared/protocol/in-memory.ts';
import { fnProto, type Elements, type InstructionRequest, type StateResponse } from '../../shared/protocol/messages.ts';

setStderrLogging(false);

function capture(): { records: LogRecord[]; stop: () => void } {
  const records: LogRecord[] = [];
  return { records, stop: addLogSink((r) => records.push(r)) };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The host's side, and a hand-driven fake worker on the other end. */
function host() {
  const pair = createInMemoryPair();
  const client = new WorkerClient(pair.host, 'w9', hostLog);
  const config = new Configuration();
  const outputs: unknown[] = [];
  const stage = new RemoteStage(
    client,
    { processorId: 'p', transforms: [{ id: 't0', kind: 'map' }] },
    new Set(['t0']),
    (_id, batch) => {
      outputs.push(...batch.values);
    },
    config,
  );
  const instructions: InstructionRequest[] = [];
  pair.worker.control.onMessage((m) => instructions.push(m));
  return { pair, client, stage, outputs, instructions };
}

describe('bad input from a worker', () => {
  it('data for a bundle that is not open is refused and logged; the open bundle carries on', async () => {
    const { pair, stage, outputs, instructions } = host();
    const log = capture();
    stage.startBundle(-Infinity);
    await tick();
    const bundle = instructions[0]!.instructionId!;
    pair.worker.data.send({ data: [{ instructionId: 'no-such-bundle', transformId: 't0', arrow: new Uint8Array([1, 2, 3]) }] });
    const done = stage.finishBundle();
    await tick();
    pair.worker.data.send({ data: [{ instructionId: bundle, transformId: 't0', isLast: true }] } as Elements);
    pair.worker.control.send({ instructionId: bundle, processBundle: {} });
    await done;
    log.stop();
    expect(outputs).toEqual([]);
    expect(log.records.map((r) => r.message)).toContain("worker w9 sent data for bundle 'no-such-bundle', which is not open; refused");
  });

  it('a response to an instruction never sent is logged and ignored', async () => {
    const { pair, client } = host();
    const log = capture();
    pair.worker.control.send({ instructionId: '12345', heartbeat: {} });
    await tick();
    log.stop();
    expect(client.failed).toBeNull();
    expect(log.records.map((r) => r.message)).toContain("worker w9 answered instruction '12345', which it was not given; ignored");
  });

  it('a batch that is not Arrow fails the worker with a ProtocolError, logged (the job restarts: nothing is lost)', async () => {
    const { pair, stage, instructions, client } = host();
    const log = capture();
    stage.startBundle(-Infinity);
    await tick();
    const bundle = instructions[0]!.instructionId!;
    pair.worker.data.send({ data: [{ instructionId: bundle, transformId: 't0', arrow: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) }] });
    await expect(stage.finishBundle()).rejects.toBeInstanceOf(ProtocolError);
    log.stop();
    expect(client.failed).toBeInstanceOf(ProtocolError);
    expect(log.records.some((r) => r.level === 'error' && r.message.startsWith("worker w9 sent a malformed batch for output 't0'"))).toBe(true);
  });

  it('a state request for a key the worker does not own is refused with a logged error', async () => {
    const { pair, client } = host();
    const backend = new KeyedStateBackend({ maxParallelism: 128 });
    client.serveState((request) => ({
      results: backend.apply(request.operations ?? [], { owned: { start: 0, end: 0 }, maxParallelism: 128, instructionId: '' }),
    }));
    const log = capture();
    const response = new Promise<StateResponse>((resolve) => pair.worker.state.onMessage(resolve));
    // A key outside key group 0.
    let k = 0;
    while (keyGroupOf(encodeKey(k), 128) === 0) k++;
    const key = encodeKey(k);
    pair.worker.state.send({
      id: '7',
      operations: [{ key: { stateName: 'op/v', kind: fnProto.StateKind.VALUE, key }, op: fnProto.StateOp.PUT, values: [new Uint8Array([1])] }],
    });
    const answer = await response;
    log.stop();
    expect(answer.id).toBe('7');
    expect(answer.error?.name).toBe(StateAccessError.name);
    expect(answer.error?.message).toContain('outside the key groups this worker owns [0, 0]');
    expect(backend.stats().entries).toBe(0);
    expect(log.records.some((r) => r.level === 'error' && r.message.startsWith('worker w9: state request refused'))).toBe(true);
    expect(client.failed).toBeNull();
  });
});

describe('bad bytes on the gRPC wire', () => {
  it('a message that is not protobuf closes that stream; the host logs it, fails that worker, and serves others', async () => {
    const grpc = await import('@grpc/grpc-js');
    const { GrpcEndpoint } = await import('../../host/workers/grpc-endpoint.ts');
    const { FN_METHODS, TOKEN_METADATA, WORKER_ID_METADATA } = await import('../../shared/protocol/grpc-services.ts');
    const { connectGrpc } = await import('../../worker/grpc-connection.ts');
    const endpoint = await GrpcEndpoint.start(hostLog);
    const log = capture();
    try {
      const bad = endpoint.expectWorker('bad');
      const metadata = new grpc.Metadata();
      metadata.set(WORKER_ID_METADATA, 'bad');
      metadata.set(TOKEN_METADATA, bad.token);
      const raw = new grpc.Client(endpoint.address, grpc.credentials.createInsecure());
      const garbage = (): Buffer => Buffer.from([0xff, 0xff, 0xff, 0xff]);
      const calls = new Map(
        Object.entries(FN_METHODS).map(([name, m]) => [
          name,
          raw.makeBidiStreamRequest(m.path, m === FN_METHODS.dataOutputs ? garbage : (m.requestSerialize as (v: unknown) => Buffer), (b: Buffer) => b, metadata),
        ]),
      );
      for (const c of calls.values()) c.on('error', () => undefined);
      const client = new WorkerClient(await bad.connection, 'bad', hostLog);
      calls.get('dataOutputs')!.write({});
      await new Promise<void>((resolve) => client.onFailure(() => resolve()));
      expect(client.failed).toBeInstanceOf(ProtocolError);
      expect(log.records.some((r) => r.level === 'error' && r.message.startsWith('worker bad: the Data stream closed'))).toBe(true);
      raw.close();

      // The endpoint still serves a well-behaved worker.
      const good = endpoint.expectWorker('good');
      const worker = connectGrpc(endpoint.address, 'good', good.token);
      const host = await good.connection;
      host.control.send({ instructionId: '1', heartbeat: {} });
      expect(await new Promise((resolve) => worker.control.onMessage(resolve))).toMatchObject({ instructionId: '1' });
      worker.close();
    } finally {
      log.stop();
      await endpoint.stop();
    }
  });
});
