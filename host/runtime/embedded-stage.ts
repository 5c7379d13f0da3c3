/**
 * Embedded mode: the stage's functions run on the host's thread, called directly with rows
 * (no serialization), so a breakpoint in a function stops in the debugger and a stack trace is
 * the plain local one. Everything around them (bundles, state, timers, checkpoints) is the same
 * as in the other modes, user metrics included: they are taken when a bundle finishes and once
 * the functions are closed, where a worker reports them, and whenever the host reads them (where
 * a worker's heartbeat brings them), so that an idle operator's are current too.
 */
import type { StateRequest, StateResponse, RegisterRequest, TransformMetrics, FunctionSpec } from '../../shared/protocol/messages.ts';
import { fromWireError, type WireError } from '../../shared/errors/wire.ts';
import type { RowBatch } from '../../shared/codec/batch-layout.ts';
import type { EmbeddedProcessor } from '../../worker/embedded.ts';
import type { ReportedUpdate } from '../metrics/attempt-metrics.ts';
import type { OutputHandler, SendTarget, StageRunner, StoppableStage } from './stage-runner.ts';

export class EmbeddedStage implements StageRunner, StoppableStage {
  private processor: EmbeddedProcessor | null = null;
  private totals = new Map<string, TransformMetrics>();
  private userMetricsListener: (updates: readonly ReportedUpdate[]) => void = () => undefined;
  private bundleId: string | null = null;
  /**
   * The call into the functions under way (registering them included), if any: a cancelled
   * task stops waiting for it, and close() waits until it has returned.
   */
  private running: Promise<unknown> | null = null;
  private cancelWith!: (reason: unknown) => void;
  /** Rejected by cancel(): whatever waits on the functions stops waiting. */
  private readonly cancelled = new Promise<never>((_, reject) => (this.cancelWith = reject));
  /** close() of the functions, once begun (by finish() or close()): it runs once. */
  private closing: Promise<void> | null = null;

  constructor(
    private readonly registration: RegisterRequest,
    private readonly loadFunction: (spec: FunctionSpec) => Promise<unknown>,
    private readonly serveState: (request: StateRequest) => StateResponse,
    private readonly consumed: ReadonlySet<string>,
    private readonly onOutput: OutputHandler,
  ) {
    this.cancelled.catch(() => undefined);
  }

  async register(): Promise<void> {
    // Loaded on demand: only embedded mode runs worker code on the host's thread.
    const { createEmbeddedProcessor } = await import('../../worker/embedded.ts');
    let next = 1;
    // The host's state backend is on this thread: a blocking read is a plain call.
    const serve = (request: StateRequest): StateResponse => ({ ...this.serveState(request), id: String(next++) });
    const created = createEmbeddedProcessor(this.registration, this.loadFunction, {
      request: (request) => Promise.resolve(serve(request)),
      requestNow: serve,
    }).then((processor) => {
      this.processor = processor;
    });
    await this.cancellable(created).catch((error: unknown) => {
      throw asUserFunctionError(error);
    });
  }

  startBundle(watermark: number, chainedWatermark = watermark): void {
    this.bundleId = this.live().startBundle(watermark, chainedWatermark);
  }

  async send(batch: RowBatch, target: SendTarget): Promise<void> {
    try {
      // A two-input stage's second input goes to its head's second method (map2, processElement2, …).
      const pushed = this.live().process(batch, target === 'timers', target === 'input2' ? 2 : 1);
      if (pushed !== undefined) await this.cancellable(pushed);
    } catch (error) {
      throw asUserFunctionError(error);
    }
    await this.handOn();
  }

  get inFlight(): number {
    return 0;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  async finishBundle(): Promise<string | null> {
    // Taken now: the next bundle may start while this one commits its state.
    const id = this.bundleId;
    this.bundleId = null;
    const metrics = await this.cancellable(this.live().finishBundle()).catch((error: unknown) => {
      throw asUserFunctionError(error);
    });
    await this.handOn();
    this.totals = new Map(Object.entries(metrics));
    this.userMetricsListener(this.live().userMetrics());
    return id;
  }

  async finish(): Promise<void> {
    const processor = this.live();
    this.closing = processor.close();
    await this.cancellable(this.closing).catch((error: unknown) => {
      throw asUserFunctionError(error);
    });
    this.userMetricsListener(processor.userMetrics());
  }

  /** The user metrics as they stand, to the listener: the functions are on this thread, so they are read when wanted. */
  sampleUserMetrics(): void {
    if (this.processor !== null) this.userMetricsListener(this.processor.userMetrics());
  }

  /** Gives `listener` the user metrics as a worker reports them: after each bundle, and after close(). */
  onUserMetrics(listener: (updates: readonly ReportedUpdate[]) => void): void {
    this.userMetricsListener = listener;
  }

  cancel(reason: unknown): void {
    this.cancelWith(reason);
  }

  /**
   * Nothing can interrupt a function on the host's thread: the functions are closed once the
   * call running in them (a registration still opening them too) has returned, however long the
   * attempt waits for that.
   */
  async close(): Promise<void> {
    if (this.closing !== null) {
      // finish() closed them: what that threw was the attempt's to report.
      await this.closing.catch(() => undefined);
      return;
    }
    const closing = Promise.resolve(this.running)
      .catch(() => undefined)
      .then(() => this.processor?.close());
    this.closing = closing;
    await closing.catch((error: unknown) => {
      throw asUserFunctionError(error);
    });
  }

  metrics(): Map<string, TransformMetrics> {
    return this.totals;
  }

  private async handOn(): Promise<void> {
    let outputs: [string, RowBatch][];
    try {
      outputs = this.live().takeOutputs();
    } catch (error) {
      throw asUserFunctionError(error);
    }
    for (const [id, batch] of outputs) {
      if (!this.consumed.has(id)) continue;
      const p = this.onOutput(id, batch);
      if (p !== undefined) await p;
    }
  }

  /** `call`, the call into the functions under way until it settles; rejected at once on cancel(). */
  private cancellable<T>(call: Promise<T>): Promise<T> {
    this.running = call;
    return Promise.race([call, this.cancelled]);
  }

  private live(): EmbeddedProcessor {
    if (this.processor === null) throw new Error('the embedded stage is not registered');
    return this.processor;
  }
}

/**
 * A failure the worker code attributed (operator, function, record) becomes the same
 * UserFunctionError as in the other modes; its stack is the plain local one.
 */
function asUserFunctionError(error: unknown): unknown {
  const attributed = error as { toWire?: () => WireError; thrown?: unknown } | null;
  if (attributed === null || typeof attributed !== 'object' || typeof attributed.toWire !== 'function') return error;
  const converted = fromWireError(attributed.toWire());
  (converted as Error & { cause?: unknown }).cause = attributed.thrown;
  return converted;
}
