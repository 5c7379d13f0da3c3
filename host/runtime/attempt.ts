/**
 * One run of a job's plan: channels, tasks and workers, wired together. A restart throws an
 * attempt away whole (its workers killed) and builds a new one from the last checkpoint.
 */
import type { Configuration } from '../../shared/config/configuration.ts';
import { ProtocolError } from '../../shared/errors/errors.ts';
import type { FunctionSpec, StateRequest, StateResponse } from '../../shared/protocol/messages.ts';
import { mainOutputOf, transformId, type JobPlan, type SinkStage, type Stage, type UdfStage } from '../graph/plan.ts';
import type { Logger } from '../log.ts';
import { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { keyGroupRangeFor } from '../state/key-groups.ts';
import type { WorkerSupervisor } from '../workers/supervisor.ts';
import type { WorkerClient } from '../workers/worker-client.ts';
import { cloneFunction } from './clone-function.ts';
import { EmbeddedStage } from './embedded-stage.ts';
import { InputGate } from './input-gate.ts';
import { RecordWriter, type OutputTarget } from './record-writer.ts';
import { consumedOutputs, EMBEDDED_URN, registerRequest, type ShippedFunctions } from './registration.ts';
import { RemoteStage } from './remote-stage.ts';
import { SinkTask } from './sink-task.ts';
import { createSinkWriter } from './sinks/create-sink-writer.ts';
import { SourceTask } from './source-task.ts';
import { createSourceReader } from './sources/create-source-reader.ts';
import type { StageRunner } from './stage-runner.ts';
import { StreamChannel } from './stream-channel.ts';
import { UdfTask } from './udf-task.ts';
import { WatermarkGenerator } from './watermark-generator.ts';

export interface AttemptOptions {
  jobName: string;
  plan: JobPlan;
  shipped: ShippedFunctions;
  config: Configuration;
  attempt: number;
  supervisor: WorkerSupervisor | null;
  log: Logger;
  /** Whether sinks hold records until a checkpoint completes (or the input ends). */
  transactionalSinks: boolean;
  /** Called when a collect sink has all the results it wants. */
  onLimit: () => void;
}

export interface UdfSubtask {
  stage: UdfStage;
  subtask: number;
  task: UdfTask;
  runner: StageRunner;
  backend: KeyedStateBackend | null;
  client: WorkerClient | null;
  /** State requests answered, and the operations they carried. */
  state: { requests: number; operations: number };
}

export interface SourceSubtask {
  stage: Stage & { kind: 'source' };
  subtask: number;
  task: SourceTask;
}

export interface SinkSubtask {
  stage: SinkStage;
  subtask: number;
  task: SinkTask;
}

export class Attempt {
  readonly sources: SourceSubtask[] = [];
  readonly udfs: UdfSubtask[] = [];
  readonly sinks: SinkSubtask[] = [];
  private readonly channels: StreamChannel[] = [];
  private readonly gates: InputGate[] = [];
  /** Channels by edge index, upstream subtask, downstream subtask. */
  private readonly edgeChannels = new Map<string, StreamChannel>();
  private failure: unknown = null;

  constructor(private readonly o: AttemptOptions) {}

  /** Creates every task; starts and registers nothing yet except the workers. */
  async build(): Promise<void> {
    const { plan, config } = this.o;
    const capacity = Math.max(2 * config.effectiveArrowBatchSize(), 1024);
    for (const stage of plan.stages) {
      for (const edge of stage.inputs) {
        for (let u = 0; u < edge.from.parallelism; u++) {
          for (let s = 0; s < stage.parallelism; s++) {
            if (edge.partitioning === 'forward' && u % stage.parallelism !== s) continue;
            const channel = new StreamChannel(capacity);
            this.channels.push(channel);
            this.edgeChannels.set(this.channelKey(edge, u, s), channel);
          }
        }
      }
    }
    const launches: Promise<void>[] = [];
    for (const stage of plan.stages) {
      for (let s = 0; s < stage.parallelism; s++) {
        switch (stage.kind) {
          case 'source': {
            const reader = createSourceReader(stage, s, config, undefined);
            const task = new SourceTask(reader, this.writersOf(stage, s));
            this.sources.push({ stage, subtask: s, task });
            break;
          }
          case 'sink': {
            const writer = createSinkWriter(stage, s, this.o.transactionalSinks, this.o.onLimit);
            this.sinks.push({ stage, subtask: s, task: new SinkTask(this.gateOf(stage, s), writer, async () => undefined) });
            break;
          }
          case 'udf':
            launches.push(this.buildUdf(stage, s));
            break;
        }
      }
    }
    await Promise.all(launches);
  }

  private async buildUdf(stage: UdfStage, s: number): Promise<void> {
    const { config, plan } = this.o;
    const registration = registerRequest(stage, {
      jobName: this.o.jobName,
      subtask: s,
      attempt: this.o.attempt,
      maxParallelism: plan.maxParallelism,
      config,
      shipped: this.o.shipped,
    });
    const range = keyGroupRangeFor(s, stage.parallelism, plan.maxParallelism);
    const backend = stage.keyedInput ? new KeyedStateBackend({ maxParallelism: plan.maxParallelism }) : null;
    const stateStats = { requests: 0, operations: 0 };
    const serveState = (request: StateRequest): StateResponse => {
      if (backend === null) throw new ProtocolError(`operator '${stage.name}' is not keyed: it has no keyed state`);
      stateStats.requests++;
      stateStats.operations += request.operations?.length ?? 0;
      const results = backend.apply(request.operations ?? [], {
        owned: range,
        maxParallelism: plan.maxParallelism,
        instructionId: request.instructionId ?? '',
      });
      return { results };
    };
    const writers = new Map<string, RecordWriter>();
    for (const id of stage.outputs.keys()) writers.set(id, this.writerOf(stage, id, s));
    const head = stage.transforms[0]!;
    const strategy = stage.transforms[stage.transforms.length - 1]!.watermarkStrategy;
    const generator =
      strategy === null
        ? null
        : new WatermarkGenerator(strategy.generator, config.get('pipeline.auto-watermark-interval'), strategy.idlenessMs);
    // The runner needs the handler before the task exists; outputs only come once it runs.
    let task: UdfTask | null = null;
    const onOutput = (id: string, batch: Parameters<RecordWriter['emit']>[0]): Promise<void> => task!.output(id, batch);
    const consumed = consumedOutputs(stage);
    let runner: StageRunner;
    let client: WorkerClient | null = null;
    if (this.o.supervisor === null) {
      const originals = new Map(stage.transforms.map((t) => [transformId(t), cloneFunction(t.fn)] as const));
      const loadFunction = async (spec: FunctionSpec): Promise<unknown> => {
        if (spec.urn !== EMBEDDED_URN) throw new Error(`embedded mode cannot load a function of kind ${spec.urn ?? ''}`);
        return originals.get(Buffer.from(spec.payload ?? new Uint8Array()).toString('utf8'));
      };
      runner = new EmbeddedStage(registration, loadFunction, serveState, consumed, onOutput);
    } else {
      const worker = await this.o.supervisor.launch(`${stage.name} (${s + 1}/${stage.parallelism})`);
      client = worker.client;
      client.serveState(serveState);
      runner = new RemoteStage(client, registration, consumed, onOutput, config);
    }
    task = new UdfTask({
      stage,
      subtask: s,
      gate: this.gateOf(stage, s),
      runner,
      writers,
      mainOutputId: mainOutputOf(stage),
      bundleSize: config.get('udf.bundle.size'),
      bundleTimeMs: config.get('udf.bundle.time'),
      batchSize: config.effectiveArrowBatchSize(),
      timers:
        backend !== null && head.udf === 'keyed_process' ? { backend, range, operator: transformId(head) } : null,
      watermarks: generator,
      onBarrier: async () => undefined,
      onBundleFinished: (bundleId) => backend?.endBundle(bundleId),
    });
    this.udfs.push({ stage, subtask: s, task, runner, backend, client, state: stateStats });
  }

  private channelKey(edge: Stage['inputs'][number], u: number, s: number): string {
    return `${edge.from.id}|${edge.outputId}|${edge.to.id}|${u}|${s}`;
  }

  private gateOf(stage: Stage, s: number): InputGate {
    const channels: StreamChannel[] = [];
    for (const edge of stage.inputs) {
      for (let u = 0; u < edge.from.parallelism; u++) {
        const channel = this.edgeChannels.get(this.channelKey(edge, u, s));
        if (channel !== undefined) channels.push(channel);
      }
    }
    const gate = new InputGate(channels);
    this.gates.push(gate);
    return gate;
  }

  private writersOf(stage: Stage, u: number): RecordWriter[] {
    return [...stage.outputs.keys()].map((id) => this.writerOf(stage, id, u));
  }

  private writerOf(stage: Stage, outputId: string, u: number): RecordWriter {
    const targets: OutputTarget[] = (stage.outputs.get(outputId) ?? []).map((edge) => {
      const channels: StreamChannel[] = [];
      for (let s = 0; s < edge.to.parallelism; s++) {
        const channel = this.edgeChannels.get(this.channelKey(edge, u, s));
        if (channel !== undefined) channels.push(channel);
      }
      return { partitioning: edge.partitioning, channels };
    });
    return new RecordWriter(targets, u, this.o.plan.maxParallelism);
  }

  /** Runs every task; on the first failure, tears the attempt down and rethrows it. */
  async run(): Promise<void> {
    const runs = [
      ...this.sources.map((s) => s.task.run()),
      ...this.udfs.map((u) => u.task.run()),
      ...this.sinks.map((s) => s.task.run()),
    ];
    await Promise.all(runs.map((p) => p.catch((error: unknown) => this.abort(error))));
    if (this.failure !== null) throw this.failure;
  }

  /** Stops everything: the first reason is the one reported. */
  abort(reason: unknown): void {
    if (this.failure !== null) return;
    this.failure = reason;
    for (const s of this.sources) s.task.cancel();
    for (const c of this.channels) c.abort(reason);
    for (const g of this.gates) g.abort(reason);
    const error = reason instanceof Error ? reason : new Error(String(reason));
    for (const u of this.udfs) u.client?.fail(error);
    for (const s of this.sinks) void s.task.writer.abort();
  }

  get failed(): unknown {
    return this.failure;
  }
}
