/**
 * One run of a job's plan: channels, tasks and workers, wired together. A restart throws an
 * attempt away whole (its workers killed) and builds a new one from the last checkpoint.
 *
 * An attempt that stops before its end (cancelled, a collect limit reached, or failed anywhere)
 * is torn down as Flink tears down a cancelled task, close() always following open():
 *
 *   abort()          every task stops; nothing waits on a worker or a function any more
 *   closeFunctions() every function whose open() ran is closed, once, in chain order: each
 *                    sound worker is asked to (Control `close`), embedded stages and host-run
 *                    sources and sinks do it here; at most task.cancellation.timeout
 *   killAll()        the workers are killed (the job runner), closed or not
 */
import type { Configuration } from '../../shared/config/configuration.ts';
import type { CheckpointCoordinator } from '../checkpoint/checkpoint-coordinator.ts';
import type { CompletedCheckpoint, SourcePosition } from '../checkpoint/completed-checkpoint.ts';
import { broadcastSnapshotFor } from '../checkpoint/broadcast-snapshots.ts';
import { restoredPositions } from '../checkpoint/restored-positions.ts';
import { checkStateClaimed } from '../checkpoint/unclaimed-state.ts';
import type { FunctionSpec, StateRequest, StateResponse } from '../../shared/protocol/messages.ts';
import { mainOutputOf, transformId, type Edge, type JobPlan, type SinkStage, type SourceStage, type Stage, type UdfStage } from '../graph/plan.ts';
import type { UdfKind } from '../graph/transformation.ts';
import type { Logger } from '../log.ts';
import { AttemptMetrics } from '../metrics/attempt-metrics.ts';
import { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { keyGroupRangeFor } from '../state/key-groups.ts';
import type { WorkerSupervisor } from '../workers/supervisor.ts';
import type { WorkerClient } from '../workers/worker-client.ts';
import { connects } from './channel-pattern.ts';
import { cloneFunction } from './clone-function.ts';
import { EmbeddedStage } from './embedded-stage.ts';
import { InputGate } from './input-gate.ts';
import { RecordWriter, type OutputTarget } from './record-writer.ts';
import { consumedOutputs, EMBEDDED_URN, embeddedKeySelectorRef, registerRequest, type ShippedFunctions } from './registration.ts';
import { RemoteStage } from './remote-stage.ts';
import { FinishedTaskAcks } from './finished-task-acks.ts';
import { awaitCloses, type FunctionClose } from './function-closes.ts';
import { HostRuntimeContext } from './host-runtime-context.ts';
import { FunctionWriter } from './sinks/function-writer.ts';
import { SinkTask } from './sink-task.ts';
import { sinkStatesTakenOver } from './sinks/committables.ts';
import type { SinkWriter } from './sinks/sink-writer.ts';
import { SourceTask } from './source-task.ts';
import { broadcastStoreFor, serveState, type SubtaskState } from './state-service.ts';
import { createSourceReader } from './sources/create-source-reader.ts';
import type { StageRunner, StoppableStage } from './stage-runner.ts';
import { StreamChannel } from './stream-channel.ts';
import type { InputNumber } from './stream-element.ts';
import { UdfTask } from './udf-task.ts';
import { WatermarkGenerator } from './watermark-generator.ts';
import { isRollingAggregation } from '../../shared/protocol/rolling-aggregations.ts';

export interface AttemptOptions {
  jobName: string;
  plan: JobPlan;
  shipped: ShippedFunctions;
  config: Configuration;
  attempt: number;
  supervisor: WorkerSupervisor | null;
  log: Logger;
  /**
   * The writer of a sink subtask. Writers of print, collect and SinkFunction sinks outlive an
   * attempt (what a completed checkpoint sealed must survive the attempt's failure); file
   * writers are made anew, from the restored checkpoint's states that this subtask takes over
   * (sinkStatesTakenOver: its own, and those of subtasks the sink no longer has); null when the
   * attempt restores no checkpoint.
   */
  sinkWriter: (stage: SinkStage, subtask: number, restored: readonly unknown[] | null) => SinkWriter;
  /** The checkpoint to start from (state, source positions, sink commits), or null. */
  restore: CompletedCheckpoint | null;
  /** Takes checkpoints of this attempt; null when checkpointing is off. */
  coordinator: CheckpointCoordinator | null;
}

/** The keys a checkpoint files a stage's data under: stable for the same job code (see transformId). */
export function checkpointKey(stage: Stage): string {
  switch (stage.kind) {
    case 'source':
      return `source:${transformId(stage.transformation)}`;
    case 'udf':
      return `udf:${transformId(stage.transforms[0]!)}`;
    case 'sink':
      return `sink:${transformId(stage.transformation)}`;
  }
}

export interface UdfSubtask {
  stage: UdfStage;
  subtask: number;
  task: UdfTask;
  runner: StageRunner & StoppableStage;
  backend: KeyedStateBackend | null;
  client: WorkerClient | null;
  /** State requests answered, and the operations they carried. */
  state: { requests: number; operations: number };
  acks: FinishedTaskAcks;
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
  acks: FinishedTaskAcks;
}

export class Attempt {
  readonly sources: SourceSubtask[] = [];
  readonly udfs: UdfSubtask[] = [];
  readonly sinks: SinkSubtask[] = [];
  /** Its functions' user metrics (a restart's attempt starts from zero, as a restarted Flink task). */
  readonly metrics: AttemptMetrics;
  private readonly channels: StreamChannel[] = [];
  private readonly gates: InputGate[] = [];
  /** Channels by edge (see channelKey), upstream subtask, downstream subtask. */
  private readonly edgeChannels = new Map<string, StreamChannel>();
  private failure: unknown = null;
  /** Each host-run function's close(), as it begins (see closeFunctions). */
  private readonly hostCloses: FunctionClose[] = [];
  /** build() has created every task (and started every worker). */
  private built = false;
  /** How many UDF subtasks have registered (see started). */
  private registrations = 0;

  constructor(private readonly o: AttemptOptions) {
    this.metrics = new AttemptMetrics(o.log);
  }

  /** Creates every task; starts and registers nothing yet except the workers. */
  async build(): Promise<void> {
    const { plan, config } = this.o;
    // A batch per channel: enough to keep the next stage busy, and no more, since a checkpoint
    // barrier waits behind whatever the channels hold.
    const capacity = Math.max(config.effectiveArrowBatchSize(), 256);
    for (const stage of plan.stages) {
      for (const edge of stage.inputs) {
        for (let u = 0; u < edge.from.parallelism; u++) {
          for (let s = 0; s < stage.parallelism; s++) {
            if (!connects(edge.partitioning, u, edge.from.parallelism, s, stage.parallelism)) continue;
            const channel = new StreamChannel(capacity);
            this.channels.push(channel);
            this.edgeChannels.set(this.channelKey(edge, u, s), channel);
          }
        }
      }
    }
    const restore = this.o.restore;
    // What can fail in the host fails before any worker is started: a failure once some are
    // starting must wait for them, so that the job runner can kill them (see allLaunched).
    if (restore !== null) checkStateClaimed(plan, restore, checkpointKey, config, this.o.log);
    const positions = restore === null ? null : restoredPositions(plan, restore, checkpointKey, this.o.log);
    const launches: (() => Promise<void>)[] = [];
    for (const stage of plan.stages) {
      for (let s = 0; s < stage.parallelism; s++) {
        switch (stage.kind) {
          case 'source':
            this.buildSource(stage, s, positions?.get(stage)?.[s]);
            break;
          case 'sink':
            this.buildSink(stage, s);
            break;
          case 'udf':
            launches.push(this.prepareUdf(stage, s));
            break;
        }
      }
    }
    await allLaunched(launches.map((launch) => launch()));
    this.built = true;
  }

  /** Subtask `s` of a source, read from `from` (where a checkpoint left it) or its beginning. */
  private buildSource(stage: SourceStage, s: number, from: SourcePosition | undefined): void {
    const reader = createSourceReader(stage, s, this.o.config, from, {
      context: this.hostContext(stage, s),
      closing: (closed) => this.hostCloses.push({ closed, what: subtaskName(stage, s) }),
    });
    const task = new SourceTask(reader, this.writersOf(stage, s));
    this.sources.push({ stage, subtask: s, task });
  }

  private buildSink(stage: SinkStage, s: number): void {
    const key = checkpointKey(stage);
    const coordinator = this.o.coordinator;
    const restore = this.o.restore;
    const writer = this.o.sinkWriter(stage, s, restore === null ? null : sinkStatesTakenOver(restore.sinks[key], s, stage.parallelism));
    if (writer instanceof FunctionWriter) writer.useContext(this.hostContext(stage, s));
    // onBarrier reads `acks` only once records flow, after both are made.
    const onBarrier = (id: number, state: unknown): void => {
      acks.sawBarrier(id);
      coordinator?.ackSink(id, key, s, state);
    };
    const task = new SinkTask(this.gateOf(stage, s), writer, onBarrier, stage.name);
    // Through the task's writer, whose I/O errors name the sink (SinkIOError).
    const acks = new FinishedTaskAcks(
      async (id) => {
        await task.writer.preCommit(id);
        coordinator?.ackSink(id, key, s, task.writer.checkpointState(id));
      },
      (error) => this.abort(error),
    );
    this.sinks.push({ stage, subtask: s, task, acks });
  }

  /**
   * Prepares subtask `s` of a UDF stage in the host (its registration, its keyed state restored,
   * its writers), where what fails fails before any worker is started; the function returned
   * launches its worker (none in embedded mode) and creates its task.
   */
  private prepareUdf(stage: UdfStage, s: number): () => Promise<void> {
    const { config } = this.o;
    const range = keyGroupRangeFor(s, stage.parallelism, stage.maxParallelism);
    const backend = stage.keyedInput ? new KeyedStateBackend({ maxParallelism: stage.maxParallelism }) : null;
    const key = checkpointKey(stage);
    const snapshots = this.o.restore?.states[key];
    // Every subtask's snapshot, filtered to this subtask's key groups: the parallelism may differ.
    if (backend !== null && snapshots !== undefined) backend.restore(snapshots.filter((b) => b !== undefined && b !== null), range);
    // Before the registration, which gives the worker its entries.
    const broadcast = broadcastStoreFor(stage, broadcastSnapshotFor(this.o.restore?.broadcast?.[key], s));
    const registration = registerRequest(stage, {
      jobName: this.o.jobName,
      subtask: s,
      attempt: this.o.attempt,
      maxParallelism: stage.maxParallelism,
      config,
      shipped: this.o.shipped,
      broadcast,
      batch: this.o.plan.batch,
    });
    const stateStats = { requests: 0, operations: 0 };
    const subtaskState: SubtaskState = {
      operator: stage.name,
      keyed: backend === null ? null : { backend, owned: range, maxParallelism: stage.maxParallelism },
      broadcast,
      stats: stateStats,
    };
    const serve = (request: StateRequest): StateResponse => serveState(request, subtaskState);
    const writers = new Map<string, RecordWriter>();
    for (const id of stage.outputs.keys()) writers.set(id, this.writerOf(stage, id, s));
    const head = stage.transforms[0]!;
    const strategy = stage.transforms[stage.transforms.length - 1]!.watermarkStrategy;
    // BATCH: no watermark goes out before the end of input (Flink's batch execution ignores
    // watermark generators), as periodic watermarks turned off do.
    const batch = this.o.plan.batch;
    const generator =
      strategy === null
        ? null
        : new WatermarkGenerator(strategy.generator, batch ? 0 : config.get('pipeline.auto-watermark-interval'), batch ? null : strategy.idlenessMs);
    // The runner needs the handler before the task exists; outputs only come once it runs.
    let task: UdfTask | null = null;
    const onOutput = (id: string, batch: Parameters<RecordWriter['emit']>[0]): Promise<void> => task!.output(id, batch);
    const consumed = consumedOutputs(stage);
    const reportMetrics = this.metrics.udfSubtask(
      stage.transforms.map((t) => ({ id: transformId(t), name: t.name })),
      stage.parallelism,
      s,
    );
    const gate = this.gateOf(stage, s);
    const acks = new FinishedTaskAcks(
      (id) => this.o.coordinator?.ackState(id, key, s, backend?.snapshot() ?? null, broadcast?.snapshot() ?? null),
      (error) => this.abort(error),
    );
    const createTask = (runner: StageRunner & StoppableStage, client: WorkerClient | null): void => {
      task = new UdfTask({
        stage,
        subtask: s,
        gate,
        runner,
        writers,
        mainOutputId: mainOutputOf(stage),
        bundleSize: config.get('udf.bundle.size'),
        bundleTimeMs: config.get('udf.bundle.time'),
        batchSize: config.effectiveArrowBatchSize(),
        timers: backend !== null && ownsTimers(head.udf, batch) ? { backend, range, operator: transformId(head) } : null,
        batch,
        watermarks: generator,
        onBarrier: (id) => {
          acks.sawBarrier(id);
          this.o.coordinator?.ackState(id, key, s, backend?.snapshot() ?? null, broadcast?.snapshot() ?? null);
        },
        onBundleFinished: (bundleId) => backend?.endBundle(bundleId),
        onRegistered: () => this.registrations++,
      });
      this.udfs.push({ stage, subtask: s, task, runner, backend, client, state: stateStats, acks });
    };
    const supervisor = this.o.supervisor;
    if (supervisor === null) {
      const originals = new Map<string, unknown>(stage.transforms.map((t) => [transformId(t), cloneFunction(t.fn)] as const));
      for (const t of stage.transforms) if (t.keySelector !== null) originals.set(embeddedKeySelectorRef(t), cloneFunction(t.keySelector));
      const loadFunction = async (spec: FunctionSpec): Promise<unknown> => {
        if (spec.urn !== EMBEDDED_URN) throw new Error(`embedded mode cannot load a function of kind ${spec.urn ?? ''}`);
        return originals.get(Buffer.from(spec.payload ?? new Uint8Array()).toString('utf8'));
      };
      const runner = new EmbeddedStage(registration, loadFunction, serve, consumed, onOutput);
      runner.onUserMetrics(reportMetrics);
      this.metrics.sampleWhenViewed(() => runner.sampleUserMetrics());
      return async () => createTask(runner, null);
    }
    return async () => {
      const worker = await supervisor.launch(subtaskName(stage, s));
      const client = worker.client;
      client.serveState(serve);
      // A worker lost while its task waits for input fails the attempt now, not at the next record.
      client.onFailure((error) => this.abort(error));
      const runner = new RemoteStage(client, registration, consumed, onOutput, config);
      runner.onUserMetrics(reportMetrics);
      createTask(runner, client);
    };
  }

  /**
   * Whether every UDF subtask has registered: its worker started, its functions loaded and
   * opened. An attempt that fails before that failed during start-up, whatever failed (the
   * job runner bounds those by udf.worker.startup-attempts).
   */
  get started(): boolean {
    return this.built && this.registrations === this.udfs.length;
  }

  /** The runtime context of a host-run function (a source's or a sink's) in subtask `s` of this attempt. */
  private hostContext(stage: SourceStage | SinkStage, s: number): HostRuntimeContext {
    const context = new HostRuntimeContext({
      taskName: stage.name,
      parallelism: stage.parallelism,
      maxParallelism: stage.maxParallelism,
      subtaskIndex: s,
      attempt: this.o.attempt,
      config: this.o.config.toStringMap(),
    });
    this.metrics.hostSubtask(transformId(stage.transformation), stage.name, stage.parallelism, s, context.metricGroup);
    return context;
  }

  /**
   * An edge's input is part of its key: a stream connected with itself (ds.connect(ds)) has two
   * edges from the same output to the same stage, one to each input, each with channels of its own.
   */
  private channelKey(edge: Edge, u: number, s: number): string {
    return `${edge.from.id}|${edge.outputId}|${edge.to.id}|${edge.input}|${u}|${s}`;
  }

  private gateOf(stage: Stage, s: number): InputGate {
    const channels: StreamChannel[] = [];
    const inputs: InputNumber[] = [];
    for (const edge of stage.inputs) {
      for (let u = 0; u < edge.from.parallelism; u++) {
        const channel = this.edgeChannels.get(this.channelKey(edge, u, s));
        if (channel === undefined) continue;
        channels.push(channel);
        inputs.push(edge.input);
      }
    }
    const gate = new InputGate(channels, inputs);
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
      return { partitioning: edge.partitioning, channels, maxParallelism: edge.to.maxParallelism };
    });
    return new RecordWriter(targets, u);
  }

  /** Runs every task; on the first failure, tears the attempt down and rethrows it. */
  async run(): Promise<void> {
    // Stopped while it was being built: nothing is started (no function opened).
    if (this.failure !== null) throw this.failure;
    for (const s of this.sinks) await s.task.writer.restart(this.o.restore?.id ?? 0);
    const coordinator = this.o.coordinator;
    coordinator?.start({
      sources: this.sources.map((s) => ({
        key: checkpointKey(s.stage),
        subtask: s.subtask,
        requestBarrier: (id) => s.task.requestBarrier(id),
      })),
      stateAcks: this.udfs.length,
      sinkAcks: this.sinks.length,
      commit: async (id) => {
        for (const s of this.sinks) await s.task.writer.commit(id);
      },
      triggered: (id) => {
        for (const t of [...this.udfs, ...this.sinks]) t.acks.triggered(id);
      },
    });
    // A task that finishes (its inputs ended) while others run still acknowledges checkpoints.
    const finished = (t: UdfSubtask | SinkSubtask) => (): void => t.acks.finish(coordinator?.pendingId ?? null);
    const runs = [
      ...this.sources.map((s) => s.task.run()),
      ...this.udfs.map((u) => u.task.run().then(finished(u))),
      ...this.sinks.map((s) => s.task.run().then(finished(s))),
    ];
    await Promise.all(runs.map((p) => p.catch((error: unknown) => this.abort(error))));
    coordinator?.stop();
    // A checkpoint's commit still under way finishes before the job's final one (commitAll).
    await coordinator?.idle();
    if (this.failure !== null) throw this.failure;
  }

  /** The job finished: sinks make visible what they hold (Infinity: every epoch). */
  async commitAll(): Promise<void> {
    for (const s of this.sinks) await s.task.writer.commit(Infinity);
  }

  /**
   * Stops everything: the first reason is the one reported. Sinks drop what they have not
   * committed, unless the attempt stops because it has all it needs (keepOutput).
   */
  abort(reason: unknown, keepOutput = false): void {
    if (this.failure !== null) return;
    this.failure = reason;
    this.o.coordinator?.stop();
    for (const s of this.sources) s.task.cancel();
    for (const c of this.channels) c.abort(reason);
    for (const g of this.gates) g.abort(reason);
    // Their workers stay: closeFunctions() asks them to close their functions.
    for (const u of this.udfs) u.runner.cancel(reason);
    if (keepOutput) return;
    for (const s of this.sinks) {
      const aborted = s.task.writer.abort();
      // A SinkFunction's writer closes the function as it aborts (and logs what close() throws).
      if (s.task.writer instanceof FunctionWriter) this.hostCloses.push({ closed: aborted, what: subtaskName(s.stage, s.subtask) });
      else void aborted;
    }
  }

  /**
   * After abort(): closes every function whose open() ran and that finish() has not closed, at
   * most task.cancellation.timeout (a worker that does not answer by then is killed all the
   * same, and an embedded or host-run function's close() goes on when its call returns). What
   * a close() throws is logged; the attempt's outcome stays what abort() was given. Then
   * everything still pending on a worker is rejected with that reason.
   */
  async closeFunctions(): Promise<void> {
    const workers = this.udfs.map((u) => ({ closed: u.runner.close(), what: subtaskName(u.stage, u.subtask) }));
    await awaitCloses([...workers, ...this.hostCloses], this.o.config.get('task.cancellation.timeout'), this.o.log);
    const reason = this.failure instanceof Error ? this.failure : new Error(String(this.failure));
    for (const u of this.udfs) u.client?.fail(reason);
  }

  get failed(): unknown {
    return this.failure;
  }
}

/**
 * The heads whose functions register timers, which fire in their task (on a keyed stream; keyed
 * connected streams share the key's timers between both inputs).
 */
const OWNS_TIMERS: ReadonlySet<UdfKind> = new Set(['keyed_process', 'keyed_co_process', 'keyed_broadcast_process', 'window']);

/** In BATCH mode a rolling aggregation also owns a timer per key: it emits the key's final value when that fires. */
function ownsTimers(kind: UdfKind, batch: boolean): boolean {
  return OWNS_TIMERS.has(kind) || (batch && isRollingAggregation(kind));
}

/**
 * Waits for every launch, whether it started its worker or failed, and then throws the first
 * failure (in the order of the stages): a launch left running when build() fails would start a
 * worker after the job runner has killed the attempt's workers (killAll), nothing left to stop
 * it, and a failure of it would go unobserved.
 */
async function allLaunched(launches: readonly Promise<void>[]): Promise<void> {
  const outcomes = await Promise.allSettled(launches);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** How logs name a subtask: "Map (2/4)". */
function subtaskName(stage: Stage, s: number): string {
  return `${stage.name} (${s + 1}/${stage.parallelism})`;
}
