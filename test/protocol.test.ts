/**
 * The host's and the worker's protocol cores talking over an in-memory transport (messages
 * structured-cloned, as over a MessagePort): no processes, no threads.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Types, UserFunctionError } from '../host/index.ts';
import { setStderrLogging, addLogSink, type LogRecord } from '../host/log.ts';
import { hostLog } from '../host/log.ts';
import { RemoteStage } from '../host/runtime/remote-stage.ts';
import { shipFunction } from '../host/shipping/ship-function.ts';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { WorkerClient } from '../host/workers/worker-client.ts';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { createInMemoryPair } from '../shared/protocol/in-memory.ts';
import type { RegisterRequest } from '../shared/protocol/messages.ts';
import { loadFunction } from '../worker/function-loader.ts';
import { FnHarness } from '../worker/harness.ts';
import { failureOf } from './support/failure.ts';

setStderrLogging(false);

function rows(values: unknown[], keys?: unknown[]): RowBatch {
  return { length: values.length, values, keys: keys === undefined ? null : keys.map(encodeKey), timestamps: null };
}

async function connect(
  transforms: { kind: string; fn: unknown; outputType?: string }[],
  options: { keyed?: boolean; inputType?: string; config?: Record<string, unknown> } = {},
) {
  const pair = createInMemoryPair();
  const harness = new FnHarness(pair.worker, { workerId: 'w1', loadFunction, captureConsole: false, onShutdown: () => undefined });
  const client = new WorkerClient(pair.host, 'w1', hostLog);
  const backend = new KeyedStateBackend({ maxParallelism: 128 });
  client.serveState((request) => ({
    results: backend.apply(request.operations ?? [], { owned: { start: 0, end: 127 }, maxParallelism: 128, instructionId: request.instructionId ?? '' }),
  }));
  const config = new Configuration().setAll(options.config ?? {});
  const register: RegisterRequest = {
    processorId: 'p1',
    transforms: await Promise.all(
      transforms.map(async (t, i) => {
        const shipped = await shipFunction(t.fn, { role: `${t.kind} function`, operator: `op${i}` });
        return {
          id: `t${i}`,
          name: `op${i}`,
          kind: t.kind,
          function: { urn: shipped.urn, payload: shipped.payload },
          functionName: shipped.name,
          outputType: t.outputType ?? '',
        };
      }),
    ),
    inputType: options.inputType ?? '',
    keyedInput: options.keyed ?? false,
    config: config.toStringMap(),
  };
  const outputs: [string, RowBatch][] = [];
  const stage = new RemoteStage(client, register, new Set([`t${transforms.length - 1}`]), (id, batch) => {
    outputs.push([id, batch]);
  }, config);
  await stage.register();
  return { pair, harness, client, stage, outputs, backend };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the protocol between host and worker cores', () => {
  it('runs a chain over pipelined batches and returns outputs in order', async () => {
    const { stage, outputs } = await connect(
      [
        { kind: 'map', fn: (x: number) => x * 2 },
        { kind: 'filter', fn: (x: number) => x % 3 !== 0 },
      ],
      { inputType: JSON.stringify(Types.LONG().descriptor) },
    );
    stage.startBundle(-Infinity);
    await stage.send(rows([1, 2, 3]), 'input');
    await stage.send(rows([4, 5, 6]), 'input');
    await stage.finishBundle();
    expect(outputs.flatMap(([, b]) => b.values)).toEqual([2, 4, 8, 10]);
    expect(outputs.every(([id]) => id === 't1')).toBe(true);
    expect(stage.metrics().get('t0')).toEqual({ elementsIn: 6, elementsOut: 6 });
    expect(stage.metrics().get('t1')).toEqual({ elementsIn: 6, elementsOut: 4 });
  });

  it('lets go of each decoded input row once the row has run, not when its batch ends', async () => {
    const { stage, outputs } = await connect([{ kind: 'map', fn: (x: string | null) => x?.toUpperCase() ?? null }], {
      inputType: JSON.stringify(Types.STRING().descriptor),
    });
    const decoded: unknown[][] = [];
    const decode = BatchDecoder.prototype.decode;
    vi.spyOn(BatchDecoder.prototype, 'decode').mockImplementation(function (this: BatchDecoder, bytes) {
      const batch = decode.call(this, bytes);
      decoded.push(batch.values);
      return batch;
    });
    stage.startBundle(-Infinity);
    await stage.send(rows(['a', 'b', null]), 'input');
    await stage.finishBundle();
    expect(outputs.flatMap(([, b]) => b.values)).toEqual(['A', 'B', null]);
    // The worker's input batch and the host's output batch were decoded; the worker's was
    // emptied (each value replaced by 0, which holds nothing).
    expect(decoded).toEqual([[0, 0, 0], ['A', 'B', null]]);
  });

  it("sends a large output's credit ahead of it, so that the host may send more while it leaves", async () => {
    const { pair, stage, outputs } = await connect([{ kind: 'map', fn: (x: number) => 'x'.repeat(x) }], {
      inputType: JSON.stringify(Types.LONG().descriptor),
    });
    const sent = vi.spyOn(pair.worker.data, 'send');
    stage.startBundle(-Infinity);
    // 10 bytes of output, then 300,000: only the second batch's credit goes ahead of it.
    await stage.send(rows([10]), 'input');
    await stage.send(rows([300_000]), 'input');
    await stage.finishBundle();
    const elements = sent.mock.calls.map(([message]) =>
      (message.data ?? []).map((d) => ({
        arrow: d.arrow?.byteLength ?? 0,
        consumed: d.consumed,
        isLast: d.isLast ?? false,
        outputsFollow: d.outputsFollow ?? false,
      })),
    );
    expect(elements.map((message) => message.map((d) => [d.arrow > 0, d.consumed, d.isLast, d.outputsFollow]))).toEqual([
      [[true, 1, false, false]],
      [[false, 2, false, true]],
      [[true, 2, false, false]],
      [[false, 2, true, false]],
    ]);
    expect(elements[2]![0]!.arrow).toBeGreaterThanOrEqual(300_000);
    expect(outputs.flatMap(([, b]) => b.values).map((v) => (v as string).length)).toEqual([10, 300_000]);
  });

  it('lets the next batch go on a credit sent ahead, and counts the batch in flight until its results are handed on', async () => {
    const { pair, stage, outputs } = await connect([{ kind: 'map', fn: (x: number) => 'x'.repeat(x) }], {
      inputType: JSON.stringify(Types.LONG().descriptor),
      config: { 'udf.in-flight.max-batches': 2 },
    });
    // The worker's messages with results are held back until the test lets them go.
    const send = pair.worker.data.send.bind(pair.worker.data);
    const held: Parameters<typeof send>[] = [];
    let resultsHeld!: () => void;
    const resultsSent = new Promise<void>((resolve) => (resultsHeld = resolve));
    const hold = vi.spyOn(pair.worker.data, 'send').mockImplementation((...args) => {
      if (!(args[0].data ?? []).some((d) => (d.arrow?.byteLength ?? 0) > 0)) return send(...args);
      held.push(args);
      resultsHeld();
    });
    stage.startBundle(-Infinity);
    expect(stage.send(rows([300_000]), 'input')).toBeUndefined();
    await resultsSent;
    // A turn of the event loop: the credit sent ahead has been handled.
    await new Promise((resolve) => setImmediate(resolve));
    let drained = false;
    const draining = stage.drained().then(() => (drained = true));
    expect(stage.inFlight).toBe(1);
    // The window counts the batch as done: another batch goes, and one more fits (max 2).
    expect(stage.send(rows([1]), 'input')).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    hold.mockRestore();
    for (const args of held.splice(0)) send(...args);
    await draining;
    expect(stage.inFlight).toBe(0);
    await stage.finishBundle();
    expect(outputs.flatMap(([, b]) => b.values).map((v) => (v as string).length)).toEqual([300_000, 1]);
  });

  it('bounds what is in flight: send() waits once the window is full, until the worker reports progress', async () => {
    const { stage } = await connect([{ kind: 'map', fn: (x: number) => x }], { config: { 'udf.in-flight.max-batches': 2 } });
    stage.startBundle(-Infinity);
    expect(stage.send(rows([1]), 'input')).toBeUndefined();
    const second = stage.send(rows([2]), 'input');
    expect(second).toBeInstanceOf(Promise);
    expect(stage.inFlight).toBe(2);
    await second;
    expect(stage.inFlight).toBeLessThan(2);
    await stage.finishBundle();
    expect(stage.inFlight).toBe(0);
  });

  it('keeps reduce state in the host backend through the State service', async () => {
    const { stage, outputs, backend } = await connect([{ kind: 'reduce', fn: (a: number, b: number) => a + b }], { keyed: true });
    stage.startBundle(-Infinity);
    await stage.send(rows([1, 10, 2, 20], ['a', 'b', 'a', 'b']), 'input');
    await stage.finishBundle();
    stage.startBundle(-Infinity);
    await stage.send(rows([3], ['a']), 'input');
    await stage.finishBundle();
    expect(outputs.flatMap(([, b]) => b.values)).toEqual([1, 10, 3, 30, 6]);
    expect(backend.stats().entries).toBe(2);
  });

  it('reports a throwing function with its operator, name, record and the worker stack', async () => {
    const { stage } = await connect([
      {
        kind: 'map',
        fn: (x: number) => {
          if (x > 1) throw new TypeError(`too big: ${x}`);
          return x;
        },
      },
    ]);
    stage.startBundle(-Infinity);
    await stage.send(rows([1, 2]), 'input');
    const error = await failureOf<UserFunctionError>(stage.finishBundle());
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('op0');
    expect(error!.record).toBe('2');
    expect(error!.causeName).toBe('TypeError');
    expect(error!.causeMessage).toBe('too big: 2');
    expect(error!.workerStack).toContain('TypeError: too big: 2');
    expect(error!.workerId).toBe('w1');
  });

  it('accepts a bundle\'s data arriving before its ProcessBundle instruction', async () => {
    const { pair, client } = await connect([{ kind: 'map', fn: (x: number) => x + 1 }]);
    const received: unknown[] = [];
    client.onData((elements) => received.push(...(elements.data ?? [])));
    // Data first, then the instruction that starts the bundle.
    const { BatchEncoder } = await import('../shared/codec/batch-encoder.ts');
    const arrow = new BatchEncoder({ value: null, keyed: false, timestamped: false }).encode(rows([41]));
    pair.host.data.send({ data: [{ instructionId: '77', transformId: 'input', arrow }, { instructionId: '77', transformId: 'input', isLast: true }] });
    const response = await new Promise((resolve) => {
      pair.host.control.onMessage(resolve);
      pair.host.control.send({ instructionId: '77', processBundle: { processorId: 'p1', watermark: -Infinity } });
    });
    expect(response).toMatchObject({ instructionId: '77', processBundle: { metrics: { t0: { elementsIn: 1, elementsOut: 1 } } } });
    expect(received.some((d) => (d as { isLast?: boolean }).isLast === true)).toBe(true);
  });

  it('answers heartbeats with the heap figures', async () => {
    const { client } = await connect([{ kind: 'map', fn: (x: number) => x }]);
    const response = await client.instruct({ heartbeat: { sentAt: 1 } }, 'heartbeat');
    expect(response.heartbeat?.heapUsed).toBeGreaterThan(0);
    expect(response.heartbeat?.heapLimit).toBeGreaterThan(response.heartbeat?.heapUsed ?? 0);
  });

  it('refuses an instruction for a processor it does not have', async () => {
    const { client } = await connect([{ kind: 'map', fn: (x: number) => x }]);
    await expect(client.instruct({ finish: { processorId: 'nope' } }, 'finishing')).rejects.toThrow(
      "no bundle processor 'nope' is registered",
    );
  });

  it('writes worker log entries into the host log with severity, worker and operator', async () => {
    const { harness } = await connect([{ kind: 'map', fn: (x: number) => x }]);
    const records: LogRecord[] = [];
    const remove = addLogSink((r) => records.push(r));
    harness.log.log(5, 'careful', undefined);
    harness.log.flush();
    await new Promise((resolve) => setImmediate(resolve));
    remove();
    expect(records).toContainEqual(expect.objectContaining({ level: 'warn', message: 'careful', workerId: 'w1' }));
  });

  it('fails everything pending when the transport breaks', async () => {
    const { pair, client } = await connect([{ kind: 'map', fn: (x: number) => x }]);
    const pending = client.instruct({ heartbeat: {} }, 'heartbeat');
    pair.breakAll(new Error('cable cut'));
    await expect(pending).rejects.toThrow('the Control stream closed: cable cut');
  });
});
