/**
 * Embedded mode (debugging): the bundle processor runs on the host's own thread and the host
 * calls it directly: no transport, no Arrow, the user's own function objects. This is the
 * worker's public entry for that; the host uses nothing else of the worker.
 */
import { decodeGeneric, encodeGeneric } from '../shared/codec/generic-value.ts';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { Configuration } from '../shared/config/configuration.ts';
import type { FunctionSpec, RegisterRequest, TransformMetrics } from '../shared/protocol/messages.ts';
import { BundleProcessor } from './processor/bundle-processor.ts';
import type { StateChannel } from './state/state-channel.ts';
import { WorkerKeyedState } from './state/worker-keyed-state.ts';

export interface EmbeddedProcessor {
  /** Starts a bundle; returns its id (which its state requests carry). */
  startBundle(watermark: number): string;
  /** Runs rows (input, or fired timers) through the chain; a promise if a function awaited. */
  process(batch: RowBatch, timers: boolean): void | Promise<void>;
  /** Takes what the chain emitted so far, by output id. */
  takeOutputs(): [string, RowBatch][];
  finishBundle(): Promise<Record<string, TransformMetrics>>;
  close(): Promise<void>;
  metrics(): Record<string, TransformMetrics>;
}

export async function createEmbeddedProcessor(
  register: RegisterRequest,
  loadFunction: (spec: FunctionSpec) => Promise<unknown>,
  stateChannel: StateChannel,
): Promise<EmbeddedProcessor> {
  const config = Configuration.fromStringMap(register.config ?? {});
  const state = new WorkerKeyedState(
    stateChannel,
    {
      cacheSize: config.get('udf.state.cache-size'),
      cacheMaxBytes: config.get('udf.state.cache-max-bytes'),
      mapReadCacheSize: config.get('udf.map-state.read-cache-size'),
      mapWriteCacheSize: config.get('udf.map-state.write-cache-size'),
      iterateBatchSize: config.get('udf.map-state.iterate-response-batch-size'),
    },
    { encode: encodeGeneric, decode: decodeGeneric },
  );
  // Outputs are taken after each call, so buffers never need an early hand-over.
  const processor = await BundleProcessor.create(register, { state, loadFunction }, Number.MAX_SAFE_INTEGER);
  let bundle = 0;
  return {
    startBundle(watermark) {
      const id = `embedded-${++bundle}`;
      state.beginBundle(id);
      processor.startBundle(watermark);
      return id;
    },
    process(batch, timers) {
      return timers ? processor.processTimers(batch) : processor.processInput(batch);
    },
    takeOutputs() {
      const out: [string, RowBatch][] = [];
      for (const [id, buffer] of processor.outputs) if (buffer.size > 0) out.push([id, buffer.take()]);
      return out;
    },
    finishBundle: () => processor.finishBundle(),
    close: () => processor.close(),
    metrics: () => processor.metrics(),
  };
}
