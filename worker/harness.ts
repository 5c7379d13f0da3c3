/**
 * The worker harness: answers the host's Control instructions, with the Data, State and
 * Logging streams beside them. Written once for every transport (see shared/protocol/channel.ts).
 *
 *   register        load the functions, build the chain, call open(), within udf.worker.startup-timeout
 *   process_bundle  run the bundle's Data through the chain; answer after outputs and state
 *                   writes, with the functions' user metrics as they stand (metric-reports.ts)
 *   finish          end of input: close() the functions; answer with their user metrics
 *   close           the attempt stopped early: stop the bundles, then close() the functions
 *   heartbeat       answer at once (a blocked event loop is how the host sees a hung function),
 *                   with the user metrics as they stand (an idle operator's too)
 *   shutdown        answer, close the streams, exit
 *
 * A processor's functions are closed once, by finish or by close, whichever comes first; only
 * a processor whose open() calls all completed is closed (see proto/control.proto).
 */
import { getHeapStatistics } from 'node:v8';
import { Configuration } from '../shared/config/configuration.ts';
import { toWireError } from '../shared/errors/wire.ts';
import type { WorkerConnection } from '../shared/protocol/channel.ts';
import type { FunctionSpec, InstructionRequest, InstructionResponse } from '../shared/protocol/messages.ts';
import { DataPlane } from './data-plane.ts';
import { LogForwarder } from './log-forwarding.ts';
import { MetricReports } from './metric-reports.ts';
import { BundleProcessor } from './processor/bundle-processor.ts';
import { FunctionFailure } from './processor/failure.ts';
import { StateClient } from './state-client.ts';
import { withinStartupTimeout } from './startup-deadline.ts';
import { WorkerKeyedState } from './state/worker-keyed-state.ts';
import { GENERIC_STATE_CODEC } from './state/worker-state-options.ts';

export interface HarnessOptions {
  workerId: string;
  loadFunction(spec: FunctionSpec): Promise<unknown>;
  /** Called after the host asked the worker to shut down and the answer was sent. */
  onShutdown(): void;
  /** Route console.* to the host (true in workers; false when embedded in a test process). */
  captureConsole: boolean;
}

export class FnHarness {
  /** Registered processors whose functions are open. */
  private readonly processors = new Map<string, BundleProcessor>();
  /** The user metrics of each processor registered, by processor id (kept after it closes: finish reports them). */
  private readonly metricReports = new Map<string, MetricReports>();
  /** Registrations under way: settle once the processor is in `processors`, or has failed. */
  private readonly registrations = new Map<string, Promise<unknown>>();
  /** Closes begun (by finish or close), by processor id: each processor is closed once. */
  private readonly closes = new Map<string, Promise<void>>();
  private readonly dataPlane: DataPlane;
  private readonly stateClient: StateClient;
  readonly log: LogForwarder;
  private state: WorkerKeyedState | null = null;

  constructor(
    private readonly connection: WorkerConnection,
    private readonly options: HarnessOptions,
  ) {
    this.dataPlane = new DataPlane(connection.data);
    this.stateClient = new StateClient(connection.state);
    this.log = new LogForwarder(connection.logging, options.workerId);
    if (options.captureConsole) this.log.captureConsole();
    connection.control.onMessage((request) => {
      void this.handle(request);
    });
  }

  private async handle(request: InstructionRequest): Promise<void> {
    const id = request.instructionId ?? '';
    let response: InstructionResponse;
    try {
      response = { instructionId: id, ...(await this.execute(id, request)) };
    } catch (error) {
      const wire = error instanceof FunctionFailure ? error.toWire() : toWireError(error);
      response = { instructionId: id, error: wire };
      if (request.processBundle) this.dataPlane.discard(id);
    }
    this.log.flush();
    this.connection.control.send(response);
    if (request.shutdown) this.options.onShutdown();
  }

  private async execute(id: string, request: InstructionRequest): Promise<Omit<InstructionResponse, 'instructionId'>> {
    if (request.register) {
      const register = request.register;
      const config = Configuration.fromStringMap(register.config ?? {});
      this.state ??= new WorkerKeyedState(
        this.stateClient,
        {
          cacheSize: config.get('udf.state.cache-size'),
          cacheMaxBytes: config.get('udf.state.cache-max-bytes'),
          mapReadCacheSize: config.get('udf.map-state.read-cache-size'),
          mapWriteCacheSize: config.get('udf.map-state.write-cache-size'),
          iterateBatchSize: config.get('udf.map-state.iterate-response-batch-size'),
        },
        GENERIC_STATE_CODEC,
      );
      const state = this.state;
      const processorId = register.processorId ?? '';
      // A start-up that never settles answers with an error naming the function (the host then
      // kills this worker); one that blocks the event loop cannot, and the host times it out.
      const registered = withinStartupTimeout(config.get('udf.worker.startup-timeout'), (onStartupStep) =>
        BundleProcessor.create(
          register,
          { state, loadFunction: (spec) => this.options.loadFunction(spec), onStartupStep },
          config.effectiveArrowBatchSize(),
        ),
      ).then((processor) => {
        this.processors.set(processorId, processor);
        this.metricReports.set(processorId, new MetricReports(processor));
      });
      this.registrations.set(processorId, registered);
      try {
        await registered;
      } finally {
        this.registrations.delete(processorId);
      }
      return { register: {} };
    }
    if (request.processBundle) {
      const processorId = request.processBundle.processorId ?? '';
      const processor = this.processor(processorId);
      const watermark = request.processBundle.watermark ?? -Infinity;
      const chainedWatermark = request.processBundle.chainedWatermark ?? watermark;
      const state = this.state;
      return {
        processBundle: await this.dataPlane.runBundle(id, processor, {
          begin: () => {
            state?.beginBundle(id);
            processor.startBundle(watermark, chainedWatermark);
          },
          finish: async () => {
            const metrics = await processor.finishBundle();
            return { metrics, userMetrics: this.metricReports.get(processorId)?.take() ?? [] };
          },
        }),
      };
    }
    if (request.finish) {
      const processorId = request.finish.processorId ?? '';
      await (this.closes.get(processorId) ?? this.closeProcessor(processorId, this.processor(processorId)));
      return { finish: { userMetrics: this.metricReports.get(processorId)?.take() ?? [] } };
    }
    if (request.close) {
      await this.closeStopped(request.close.processorId ?? '');
      return { close: {} };
    }
    if (request.heartbeat) {
      const heap = getHeapStatistics();
      const userMetrics = [...this.metricReports.values()].flatMap((reports) => reports.take());
      return { heartbeat: { heapUsed: heap.used_heap_size, heapLimit: heap.heap_size_limit, userMetrics } };
    }
    if (request.shutdown) return { shutdown: {} };
    throw new Error(`unknown instruction ${JSON.stringify(Object.keys(request))}`);
  }

  /**
   * The close instruction: the attempt stopped. A registration under way completes first (its
   * open() calls cannot be interrupted); the bundles stop, the batch being processed ends, and
   * the functions are closed. A close begun earlier (finish) is waited for, and what it threw
   * is not reported again: it was that instruction's to report.
   */
  private async closeStopped(processorId: string): Promise<void> {
    await this.registrations.get(processorId)?.catch(() => undefined);
    const begun = this.closes.get(processorId);
    if (begun !== undefined) return begun.catch(() => undefined);
    const processor = this.processors.get(processorId);
    if (processor === undefined) return undefined;
    // Taken now, so that a finish arriving meanwhile finds it closing.
    this.processors.delete(processorId);
    const closing = this.dataPlane.stop(processor).then(() => processor.close());
    this.closes.set(processorId, closing);
    return closing;
  }

  /** close() the processor's functions, once; the processor is gone from then on. */
  private closeProcessor(processorId: string, processor: BundleProcessor): Promise<void> {
    this.processors.delete(processorId);
    const closing = processor.close();
    this.closes.set(processorId, closing);
    return closing;
  }

  private processor(processorId: string): BundleProcessor {
    const processor = this.processors.get(processorId);
    if (processor === undefined) throw new Error(`no bundle processor '${processorId}' is registered`);
    return processor;
  }
}
