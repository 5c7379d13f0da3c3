/**
 * The worker harness: answers the host's Control instructions, with the Data, State and
 * Logging streams beside them. Written once for every transport (see shared/protocol/channel.ts).
 *
 *   register        load the functions, build the chain, call open(), within udf.worker.startup-timeout
 *   process_bundle  run the bundle's Data through the chain; answer after outputs and state writes
 *   finish          end of input: close() the functions
 *   heartbeat       answer at once (a blocked event loop is how the host sees a hung function)
 *   shutdown        answer, close the streams, exit
 */
import { getHeapStatistics } from 'node:v8';
import { Configuration } from '../shared/config/configuration.ts';
import { toWireError } from '../shared/errors/wire.ts';
import type { WorkerConnection } from '../shared/protocol/channel.ts';
import type { FunctionSpec, InstructionRequest, InstructionResponse } from '../shared/protocol/messages.ts';
import { DataPlane } from './data-plane.ts';
import { LogForwarder } from './log-forwarding.ts';
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
  private readonly processors = new Map<string, BundleProcessor>();
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
      // A start-up that never settles answers with an error naming the function (the host then
      // kills this worker); one that blocks the event loop cannot, and the host times it out.
      const processor = await withinStartupTimeout(config.get('udf.worker.startup-timeout'), (onStartupStep) =>
        BundleProcessor.create(
          register,
          { state, loadFunction: (spec) => this.options.loadFunction(spec), onStartupStep },
          config.effectiveArrowBatchSize(),
        ),
      );
      this.processors.set(register.processorId ?? '', processor);
      return { register: {} };
    }
    if (request.processBundle) {
      const processor = this.processor(request.processBundle.processorId ?? '');
      const watermark = request.processBundle.watermark ?? -Infinity;
      const chainedWatermark = request.processBundle.chainedWatermark ?? watermark;
      const state = this.state;
      return {
        processBundle: await this.dataPlane.runBundle(id, processor, {
          begin: () => {
            state?.beginBundle(id);
            processor.startBundle(watermark, chainedWatermark);
          },
          finish: async () => ({ metrics: await processor.finishBundle() }),
        }),
      };
    }
    if (request.finish) {
      await this.processor(request.finish.processorId ?? '').close();
      return { finish: {} };
    }
    if (request.heartbeat) {
      const heap = getHeapStatistics();
      return { heartbeat: { heapUsed: heap.used_heap_size, heapLimit: heap.heap_size_limit } };
    }
    if (request.shutdown) return { shutdown: {} };
    throw new Error(`unknown instruction ${JSON.stringify(Object.keys(request))}`);
  }

  private processor(processorId: string): BundleProcessor {
    const processor = this.processors.get(processorId);
    if (processor === undefined) throw new Error(`no bundle processor '${processorId}' is registered`);
    return processor;
  }
}
