/**
 * Runs a stage's bundles in a worker (process or thread mode) over the Fn services. Batches
 * are sent pipelined: send() returns at once while the in-flight window is open
 * (in-flight-window.ts: bounded by batches, bytes and the estimated time to process them);
 * results are handled in arrival order, and a batch only counts as processed once its results
 * have been handed on, so a slow consumer downstream holds back the worker, and the worker
 * holds back the source. The worker's credit for a batch with large results comes ahead of
 * them (outputs_follow in proto/data.proto): the window then lets the next batch go at once,
 * while the batch stays in flight (inFlight, drained()) until its results have been handed on.
 *
 *   startBundle ── ProcessBundle ─────────────────────────▶ worker
 *   send ×n     ── Data(batch) … ─────────────────────────▶        ─▶ outputs, consumed=k
 *   finishBundle ─ Data(is_last) ─────────────────────────▶        ─▶ outputs, is_last
 *               ◀──────────────────── ProcessBundle response (after state writes) ─┘
 *
 * A new bundle may open while the previous one is still finishing (committing its state in the
 * worker): its batches follow the previous bundle's at once, so the worker is not left idle at
 * every bundle boundary. The in-flight bounds count the batches of both.
 *
 * Each bundle's answer, finish's and each heartbeat's carries the functions' user metrics as
 * they stand (proto MetricUpdate); they go to onUserMetrics' listener as the answers arrive, in
 * order (all come on Control), so an idle operator's gauges and meter rates stay current too.
 *
 * An attempt that stops early cancels the stage (everything waiting on it is rejected, the
 * worker untouched), then close() asks the worker to close its functions (Control `close`),
 * and the supervisor kills it. Only a worker that is broken (it sent what cannot be read) is
 * failed at once: nothing more is asked of it.
 */
import type { RowBatch } from '../../shared/codec/batch-layout.ts';
import { BatchDecoder } from '../../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../../shared/codec/batch-encoder.ts';
import type { Configuration } from '../../shared/config/configuration.ts';
import { ProtocolError } from '../../shared/errors/errors.ts';
import type { DataBatch, Elements, InstructionResponse, RegisterRequest, TransformMetrics } from '../../shared/protocol/messages.ts';
import { INPUT2_TRANSFORM_ID, INPUT_TRANSFORM_ID, TIMERS_TRANSFORM_ID } from '../../shared/protocol/messages.ts';
import { processorLayouts } from '../../shared/protocol/layouts.ts';
import { transferable } from '../../shared/protocol/port-channel.ts';
import { hostLog, type Logger } from '../log.ts';
import type { ReportedUpdate } from '../metrics/attempt-metrics.ts';
import type { WorkerClient } from '../workers/worker-client.ts';
import { InFlightWindow } from './in-flight-window.ts';
import type { OutputHandler, SendTarget, StageRunner, StoppableStage } from './stage-runner.ts';

const TRANSFORM_IDS: Record<SendTarget, string> = {
  input: INPUT_TRANSFORM_ID,
  input2: INPUT2_TRANSFORM_ID,
  timers: TIMERS_TRANSFORM_ID,
};

interface Bundle {
  id: string;
  response: Promise<InstructionResponse>;
  outputsDone: Promise<void>;
  resolveOutputs: () => void;
  /** Sizes of the batches sent, in order; index = batch number. */
  sizes: number[];
  /** Rows of the batches sent, in order. */
  rows: number[];
  consumed: number;
}

export class RemoteStage implements StageRunner, StoppableStage {
  /** By target: the second input's only for a two-input stage. */
  private readonly encoders: Record<SendTarget, BatchEncoder | null>;
  private readonly decoders = new Map<string, BatchDecoder>();
  private readonly window: InFlightWindow;
  /** The bundle accepting batches. */
  private open: Bundle | null = null;
  /** Every bundle not yet finished (the open one and those finishing), by id. */
  private readonly live = new Map<string, Bundle>();
  private results: Promise<void> = Promise.resolve();
  private windowWaiters: { resolve: () => void; reject: (e: unknown) => void; drained: boolean }[] = [];
  private failure: unknown = null;
  private readonly totals = new Map<string, TransformMetrics>();
  private userMetricsListener: (updates: readonly ReportedUpdate[]) => void = () => undefined;
  /** Batches credited ahead of their results (outputs_follow), whose results are still to come. */
  private awaitingResults = 0;
  /** The registration went out: the worker may hold opened functions. */
  private registerSent = false;
  /** finish() has closed the functions. */
  private finished = false;
  private abort!: (error: unknown) => void;
  private readonly aborted = new Promise<never>((_, reject) => {
    this.abort = reject;
  });

  constructor(
    private readonly client: WorkerClient,
    private readonly registration: RegisterRequest,
    /** The outputs someone consumes; others are not decoded. */
    consumedOutputs: ReadonlySet<string>,
    private readonly onOutput: OutputHandler,
    config: Configuration,
    private readonly log: Logger = hostLog,
  ) {
    const layouts = processorLayouts(registration);
    this.encoders = {
      input: new BatchEncoder(layouts.input),
      input2: layouts.input2 === null ? null : new BatchEncoder(layouts.input2),
      timers: new BatchEncoder(layouts.timers),
    };
    for (const [id, layout] of layouts.outputs) if (consumedOutputs.has(id)) this.decoders.set(id, new BatchDecoder(layout));
    this.window = new InFlightWindow({
      maxBatches: config.get('udf.in-flight.max-batches'),
      maxBytes: config.get('udf.in-flight.max-bytes'),
      targetMs: config.get('udf.in-flight.target-time'),
    });
    client.onData((elements) => {
      this.results = this.results.then(() => this.handle(elements)).catch((e: unknown) => this.fail(e));
    });
    client.onFailure((error) => this.fail(error));
    // Heartbeats carry the metrics too: an operator whose input is idle answers no bundle.
    client.onHeartbeat((response) => this.userMetrics(response.heartbeat?.userMetrics));
    this.aborted.catch(() => undefined);
  }

  async register(): Promise<void> {
    this.registerSent = true;
    const registered = this.client.instruct({ register: this.registration }, `registering '${this.registration.processorId}'`).then(() => {
      this.client.registered = true;
    });
    // A stage cancelled meanwhile stops waiting; the worker's open() calls go on, and close() waits for them.
    await this.failable(registered);
  }

  startBundle(watermark: number, chainedWatermark = watermark): void {
    if (this.open !== null) throw new Error('a bundle is already open');
    const processorId = this.registration.processorId ?? '';
    const { instructionId, response } = this.client.start(
      {
        processBundle:
          chainedWatermark === watermark ? { processorId, watermark } : { processorId, watermark, chainedWatermark },
      },
      'processing a bundle',
    );
    let resolveOutputs!: () => void;
    const outputsDone = new Promise<void>((resolve) => (resolveOutputs = resolve));
    // A failed bundle fails the stage without waiting for its own end: the worker stops
    // reporting progress, so a send() waiting for window space would otherwise wait for ever.
    // The bundles before it finished in the worker first, and their outputs were sent before
    // this answer; but they travel on Data, which may be read after Control, so the failure
    // waits for them to be handed on (a broken connection fails the stage by itself).
    const earlier = [...this.live.values()].map((b) => b.outputsDone);
    response.catch((error: unknown) => Promise.all(earlier).then(() => this.fail(error)));
    // Taken as each answer arrives, so that a later report never lands before an earlier one.
    response.then((r) => this.userMetrics(r.processBundle?.userMetrics), () => undefined);
    const bundle: Bundle = { id: instructionId, response, outputsDone, resolveOutputs, sizes: [], rows: [], consumed: 0 };
    this.open = bundle;
    this.live.set(instructionId, bundle);
  }

  get inFlight(): number {
    return this.window.inFlight + this.awaitingResults;
  }

  send(batch: RowBatch, target: SendTarget): void | Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const bundle = this.open;
    if (bundle === null) throw new Error('send() outside a bundle');
    const encoder = this.encoders[target];
    if (encoder === null) throw new Error(`'${this.registration.processorId ?? ''}' has one input: nothing can be sent to its second`);
    const arrow = encoder.encode(batch);
    const movable = transferable(arrow);
    bundle.sizes.push(arrow.byteLength);
    bundle.rows.push(batch.length);
    this.window.sent(batch.length, arrow.byteLength);
    this.client.sendData(
      { data: [{ instructionId: bundle.id, transformId: TRANSFORM_IDS[target], arrow }] },
      movable === null ? undefined : [movable],
    );
    if (this.window.open) return undefined;
    return new Promise<void>((resolve, reject) => this.windowWaiters.push({ resolve, reject, drained: false }));
  }

  drained(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.windowWaiters.push({ resolve, reject, drained: true }));
  }

  /**
   * Ends the open bundle. Another may open at once; the returned promise resolves when this one
   * has finished (its outputs handled, its state in the host), with its id.
   */
  async finishBundle(): Promise<string | null> {
    const bundle = this.open;
    if (bundle === null) return null;
    this.open = null;
    this.client.sendData({ data: [{ instructionId: bundle.id, transformId: INPUT_TRANSFORM_ID, isLast: true }] });
    const [response] = await Promise.all([bundle.response, this.failable(bundle.outputsDone)]);
    for (const [id, m] of Object.entries(response.processBundle?.metrics ?? {})) this.totals.set(id, m);
    this.live.delete(bundle.id);
    return bundle.id;
  }

  async finish(): Promise<void> {
    const response = await this.failable(this.client.instruct({ finish: { processorId: this.registration.processorId ?? '' } }, 'closing its functions'));
    this.finished = true;
    this.userMetrics(response.finish?.userMetrics);
  }

  /** Gives `listener` the user metrics each answer carries (each the processor's every metric, with its value then). */
  onUserMetrics(listener: (updates: readonly ReportedUpdate[]) => void): void {
    this.userMetricsListener = listener;
  }

  private userMetrics(updates: readonly ReportedUpdate[] | null | undefined): void {
    try {
      this.userMetricsListener(updates ?? []);
    } catch (error) {
      // Metrics are not worth the job: the next report may be taken.
      this.log.warn(`user metrics from worker ${this.client.workerId} could not be taken: ${(error as Error).message}`);
    }
  }

  cancel(reason: unknown): void {
    this.fail(reason);
  }

  async close(): Promise<void> {
    if (!this.registerSent || this.finished || this.client.failed !== null) return;
    try {
      await this.client.instruct({ close: { processorId: this.registration.processorId ?? '' } }, 'closing its functions (its attempt stopped)');
    } catch (error) {
      // Gone meanwhile (it died, or was declared hung): nothing is left to close.
      if (this.client.failed === null) throw error;
    }
  }

  metrics(): Map<string, TransformMetrics> {
    return this.totals;
  }

  private async handle(elements: Elements): Promise<void> {
    // What a stopped stage's worker still sends goes nowhere.
    if (this.failure !== null) return;
    // Results credited ahead come in the message after their credit: this one, if any were.
    const awaited = this.awaitingResults;
    for (const batch of elements.data ?? []) {
      const bundle = this.live.get(batch.instructionId ?? '');
      if (bundle === undefined) {
        // Nothing of a bundle in progress is in it: refusing it loses nothing.
        this.log.error(
          `worker ${this.client.workerId} sent data for bundle '${batch.instructionId ?? ''}', which is not open; refused`,
        );
        continue;
      }
      if (batch.outputsFollow === true) {
        this.credit(bundle, batch.consumed ?? 0, true);
        continue;
      }
      await this.deliver(batch);
      this.credit(bundle, batch.consumed ?? 0, false);
      if (batch.isLast === true) bundle.resolveOutputs();
    }
    if (awaited > 0) {
      this.awaitingResults -= awaited;
      this.wakeWaiters();
    }
  }

  private deliver(batch: DataBatch): void | Promise<void> {
    const arrow = batch.arrow;
    if (arrow === null || arrow === undefined || arrow.byteLength === 0) return undefined;
    const decoder = this.decoders.get(batch.transformId ?? '');
    if (decoder === undefined) return undefined;
    let rows;
    try {
      rows = decoder.decode(arrow);
    } catch (error) {
      // A batch that cannot be read cannot be skipped either (its records would be lost): the
      // worker is broken, and the job restarts it from the last checkpoint (or fails).
      throw this.broken(`worker ${this.client.workerId} sent a malformed batch for output '${batch.transformId ?? ''}': ${(error as Error).message}`);
    }
    return this.onOutput(batch.transformId ?? '', rows);
  }

  /** `ahead`: the batches' results are still to come (outputs_follow). */
  private credit(bundle: Bundle, consumed: number, ahead: boolean): void {
    if (consumed > bundle.sizes.length) {
      throw this.broken(`worker ${this.client.workerId} reported ${consumed} batches done of ${bundle.sizes.length} sent`);
    }
    let batches = 0;
    let rows = 0;
    let bytes = 0;
    for (; bundle.consumed < consumed; bundle.consumed++, batches++) {
      rows += bundle.rows[bundle.consumed]!;
      bytes += bundle.sizes[bundle.consumed]!;
    }
    if (ahead) this.awaitingResults += batches;
    this.window.processed(batches, rows, bytes);
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    if (this.windowWaiters.length === 0) return;
    const open = this.window.open;
    const empty = this.inFlight === 0;
    const still: typeof this.windowWaiters = [];
    for (const w of this.windowWaiters) {
      if (w.drained ? empty : open) w.resolve();
      else still.push(w);
    }
    this.windowWaiters = still;
  }

  /** `promise`, or the stage's failure if that comes first. */
  private failable<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.aborted]);
  }

  /**
   * The worker sent what cannot be read: it is broken, and is asked nothing more, not even to
   * close its functions (one whose function threw is sound, and is asked to close them).
   */
  private broken(message: string): ProtocolError {
    this.log.error(message);
    const error = new ProtocolError(message);
    this.client.fail(error);
    return error;
  }

  /** Rejects whatever waits on the stage, and every later call, with `error`; the first one wins. */
  private fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.abort(error);
    const waiters = this.windowWaiters;
    this.windowWaiters = [];
    for (const w of waiters) w.reject(error);
  }
}
