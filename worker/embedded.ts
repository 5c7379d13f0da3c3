/**
 * Embedded mode (debugging): the bundle processor runs on the host's own thread and the host
 * calls it directly: no transport, no Arrow, the user's own function objects. This is the
 * worker's public entry for that; the host uses nothing else of the worker.
 *
 * Rows in and out pass a BatchNormalizer where the other modes encode and decode them, so that
 * functions see, and downstream gets, the values they would in a worker (a FLOAT rounded to 32
 * bits, undefined as null, …), and an output that does not fit its declared type fails the same
 * way.
 */
import * as inspector from 'node:inspector';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { BatchNormalizer } from '../shared/codec/batch-normalizer.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { WorkerFailureError } from '../shared/errors/errors.ts';
import type { FunctionSpec, RegisterRequest, TransformMetrics } from '../shared/protocol/messages.ts';
import { MetricReports, type MetricUpdate } from './metric-reports.ts';
import { BundleProcessor, type StartupStep } from './processor/bundle-processor.ts';
import type { StateChannel } from './state/state-channel.ts';
import { WorkerKeyedState } from './state/worker-keyed-state.ts';
import { GENERIC_STATE_CODEC } from './state/worker-state-options.ts';
import { StartupTimeoutError, withinStartupTimeout } from './startup-deadline.ts';

export interface EmbeddedProcessor {
  /** Starts a bundle; returns its id (which its state requests carry). */
  startBundle(watermark: number, chainedWatermark: number): string;
  /**
   * Runs rows (input, or fired timers) through the chain; a promise if a function awaited.
   * `input` 2: a two-input processor's second input (what the other modes tag `input2`).
   */
  process(batch: RowBatch, timers: boolean, input?: 1 | 2): void | Promise<void>;
  /** Takes what the chain emitted so far, by output id. */
  takeOutputs(): [string, RowBatch][];
  finishBundle(): Promise<Record<string, TransformMetrics>>;
  close(): Promise<void>;
  metrics(): Record<string, TransformMetrics>;
  /** The functions' user metrics with their values now, as a worker reports them with a bundle's answer. */
  userMetrics(): MetricUpdate[];
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
    GENERIC_STATE_CODEC,
  );
  // Outputs are taken after each call, so buffers never need an early hand-over.
  const start = (onStartupStep?: (step: StartupStep) => void): Promise<BundleProcessor> =>
    BundleProcessor.create(register, { state, loadFunction, onStartupStep }, Number.MAX_SAFE_INTEGER);
  // Under a debugger, which is what this mode is for, a breakpoint in open() may hold it any time.
  const processor = await (
    inspector.url() === undefined ? withinStartupTimeout(config.get('udf.worker.startup-timeout'), start) : start()
  ).catch((error: unknown) => {
    throw error instanceof StartupTimeoutError ? embeddedStartupFailure(register, error) : error;
  });
  const input = new BatchNormalizer(processor.layouts.input);
  const input2 = processor.layouts.input2 === null ? null : new BatchNormalizer(processor.layouts.input2);
  const outputs = new Map([...processor.layouts.outputs].map(([id, layout]) => [id, new BatchNormalizer(layout)] as const));
  const reports = new MetricReports(processor);
  let bundle = 0;
  return {
    startBundle(watermark, chainedWatermark) {
      const id = `embedded-${++bundle}`;
      state.beginBundle(id);
      processor.startBundle(watermark, chainedWatermark);
      return id;
    },
    process(batch, timers, which = 1) {
      // Timers are the host's own rows, never a user's values.
      if (timers) return processor.processTimers(batch);
      if (which === 1) return processor.processInput(input.normalize(batch));
      // A processor with one input refuses them (processInput): no layout to normalize them by.
      return processor.processInput(input2 === null ? batch : input2.normalize(batch), false, 2);
    },
    takeOutputs() {
      const out: [string, RowBatch][] = [];
      for (const [id, buffer] of processor.outputs) {
        if (buffer.size === 0) continue;
        try {
          out.push([id, outputs.get(id)!.normalize(buffer.take())]);
        } catch (error) {
          throw processor.outputFailure(id, error);
        }
      }
      return out;
    },
    finishBundle: () => processor.finishBundle(),
    close: () => processor.close(),
    metrics: () => processor.metrics(),
    userMetrics: () => reports.take(),
  };
}

/**
 * A start-up that did not complete in time fails as a worker's does (a start-up failure, which
 * the job counts against udf.worker.startup-attempts), but nothing can be killed: the function
 * runs on the host's thread, and what it started goes on there. A function that blocks the
 * thread (a synchronous endless loop) blocks the host, as it would at any other time in this mode.
 */
function embeddedStartupFailure(register: RegisterRequest, error: StartupTimeoutError): WorkerFailureError {
  const head = register.transforms?.[0]?.name ?? '';
  return new WorkerFailureError({
    kind: 'startup-failed',
    workerId: 'embedded',
    operator: `${head} (${(register.subtaskIndex ?? 0) + 1}/${register.parallelism ?? 1})`,
    detail: `${error.message} (embedded mode: it runs on the host's thread, which cannot stop it)`,
  });
}
