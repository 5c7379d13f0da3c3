/**
 * The worker's Data handling: decodes the host's Arrow batches, runs them through the bundle
 * processor one after another, and sends the outputs back, each message telling the host how
 * many input batches are done (its flow control).
 *
 *   host ── batch 1, batch 2, …, is_last ──▶ worker   (pipelined: the host does not wait)
 *   host ◀── outputs + consumed=1, outputs + consumed=2, …, is_last ── worker
 *
 * Bundles overlap: the next bundle's data may come while the previous one finishes (its state
 * writes going to the host). Its records are processed only once the previous bundle's records
 * all have been, so records keep their order and one key's state sees them in order; only the
 * previous bundle's state flush runs beside them.
 *
 * Elements for a bundle may arrive before its ProcessBundle instruction (Data and Control are
 * separate streams); they wait here until the instruction starts the bundle.
 *
 * Rows come tagged `input`, `timers`, or on a two-input processor `input2` (proto/data.md); rows
 * tagged anything else fail their bundle with a ProtocolError: what they are cannot be known.
 */
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { FnChannel } from '../shared/protocol/channel.ts';
import { ProtocolError } from '../shared/errors/errors.ts';
import type { DataBatch, Elements, ProcessBundleResponse } from '../shared/protocol/messages.ts';
import { INPUT2_TRANSFORM_ID, INPUT_TRANSFORM_ID, TIMERS_TRANSFORM_ID } from '../shared/protocol/messages.ts';
import { transferable } from '../shared/protocol/port-channel.ts';
import { activity } from './activity.ts';
import { yieldToEventLoop } from '../shared/event-loop.ts';
import type { BundleProcessor } from './processor/bundle-processor.ts';
import type { Pushed } from './processor/downstream.ts';
import type { OutputBuffer } from './processor/output-buffer.ts';

/**
 * Outputs of at least this many bytes go with their credit (the consumed count) sent ahead in a
 * message of its own. The host sends the next input batch on that credit. A message larger than
 * the socket's buffers (212,992 bytes by default on Linux) leaves in parts, one per turn of the
 * worker's event loop while it works on the next batch, and a credit at its end reached the host
 * so late that the next input came after the worker had run out of work (benchmarks/RESULTS.md,
 * twelfth round). A smaller message leaves at once, and a message more would only add its cost.
 */
const CREDIT_AHEAD_BYTES = 256 * 1024;

/** Per-processor codecs, built once. */
class ProcessorCodecs {
  readonly input: BatchDecoder;
  /** Null for a processor with one input. */
  readonly input2: BatchDecoder | null;
  readonly timers: BatchDecoder;
  readonly outputs = new Map<string, BatchEncoder>();
  constructor(processor: BundleProcessor) {
    this.input = new BatchDecoder(processor.layouts.input);
    this.input2 = processor.layouts.input2 === null ? null : new BatchDecoder(processor.layouts.input2);
    this.timers = new BatchDecoder(processor.layouts.timers);
    for (const [id, layout] of processor.layouts.outputs) this.outputs.set(id, new BatchEncoder(layout));
  }
}

/** What a bundle's run needs to do when its records start and when it finishes. */
export interface BundleHooks {
  /** Its first record is about to be processed (the previous bundle's records are all done). */
  begin(): void;
  /** Its records are all processed: commit what it wrote, and report its figures. */
  finish(): Promise<ProcessBundleResponse>;
}

export class DataPlane {
  private readonly runs = new Map<string, BundleRun>();
  private readonly early = new Map<string, DataBatch[]>();
  private readonly codecs = new WeakMap<BundleProcessor, ProcessorCodecs>();
  /** Resolves when the last bundle started has had all its records processed. */
  private processed: Promise<void> = Promise.resolve();

  constructor(private readonly channel: FnChannel<Elements, Elements>) {
    channel.onMessage((elements) => this.receive(elements));
  }

  private receive(elements: Elements): void {
    for (const batch of elements.data ?? []) {
      const id = batch.instructionId ?? '';
      const run = this.runs.get(id);
      if (run !== undefined) {
        run.accept(batch);
        continue;
      }
      let waiting = this.early.get(id);
      if (waiting === undefined) this.early.set(id, (waiting = []));
      waiting.push(batch);
    }
  }

  /** Runs one bundle; resolves when its outputs are sent and its state writes committed. */
  runBundle(instructionId: string, processor: BundleProcessor, hooks: BundleHooks): Promise<ProcessBundleResponse> {
    let codecs = this.codecs.get(processor);
    if (codecs === undefined) this.codecs.set(processor, (codecs = new ProcessorCodecs(processor)));
    const run = new BundleRun(instructionId, processor, codecs, this.channel, hooks, this.processed);
    this.processed = run.processed;
    this.runs.set(instructionId, run);
    const early = this.early.get(instructionId) ?? [];
    this.early.delete(instructionId);
    for (const batch of early) run.accept(batch);
    return run.done.finally(() => this.runs.delete(instructionId));
  }

  /** Forgets data of a bundle that will never run (its instruction failed before starting it). */
  discard(instructionId: string): void {
    this.early.delete(instructionId);
  }

  /**
   * Stops `processor`'s bundles (its attempt stopped): they fail, their batches not yet begun are
   * dropped; resolves once the batch each was processing has ended, so that no call into the
   * functions is under way when they are closed.
   */
  async stop(processor: BundleProcessor): Promise<void> {
    const runs = [...this.runs.values()].filter((run) => run.processor === processor);
    await Promise.all(runs.map((run) => run.stop()));
  }
}

class BundleRun {
  readonly done: Promise<ProcessBundleResponse>;
  /** Resolves once every record of the bundle has been processed (failed or not). */
  readonly processed: Promise<void>;
  private resolve!: (response: ProcessBundleResponse) => void;
  private reject!: (error: unknown) => void;
  private markProcessed!: () => void;
  private chain: Promise<void>;
  private consumed = 0;
  /** The consumed count the host has been sent. */
  private credited = 0;
  private failed = false;

  constructor(
    private readonly instructionId: string,
    readonly processor: BundleProcessor,
    private readonly codecs: ProcessorCodecs,
    private readonly channel: FnChannel<Elements, Elements>,
    private readonly hooks: BundleHooks,
    previousProcessed: Promise<void>,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.processed = new Promise((resolve) => (this.markProcessed = resolve));
    this.chain = previousProcessed.then(() => this.begin());
  }

  private begin(): void {
    this.hooks.begin();
    for (const buffer of this.processor.outputs.values()) buffer.onFull = (b) => this.sendBuffers([b], false);
  }

  accept(batch: DataBatch): void {
    if (this.failed) return;
    this.chain = this.chain.then(() => this.handle(batch)).catch((error: unknown) => this.fail(error));
  }

  private async handle(batch: DataBatch): Promise<void> {
    if (this.failed) return;
    activity.bundle = this.instructionId;
    const arrow = batch.arrow;
    if (arrow !== null && arrow !== undefined && arrow.byteLength > 0) {
      const pushed = this.process(batch.transformId ?? '', arrow);
      if (pushed !== undefined) await pushed;
      this.consumed++;
      this.sendBuffers([...this.processor.outputs.values()], false);
    }
    if (batch.isLast === true) {
      // Every record is processed and its outputs are on their way: the next bundle may start
      // while this one commits its state.
      this.markProcessed();
      const response = await this.hooks.finish();
      this.sendBuffers([], true);
      this.resolve(response);
    } else if (arrow !== null && arrow !== undefined && arrow.byteLength > 0) {
      // Let the event loop run between batches, so that the outputs just sent (and the
      // flow-control credit they carry) leave at once instead of after the next batch.
      await yieldToEventLoop();
    }
  }

  /** Decodes the rows and runs them through the processor, as what their transform id says they are. */
  private process(transformId: string, arrow: Uint8Array): Pushed {
    const { processor, codecs } = this;
    if (transformId === INPUT_TRANSFORM_ID) return processor.processInput(codecs.input.decode(arrow), true);
    if (transformId === TIMERS_TRANSFORM_ID) return processor.processTimers(codecs.timers.decode(arrow));
    if (transformId === INPUT2_TRANSFORM_ID && codecs.input2 !== null) return processor.processInput(codecs.input2.decode(arrow), true, 2);
    const takes = [INPUT_TRANSFORM_ID, ...(codecs.input2 === null ? [] : [INPUT2_TRANSFORM_ID]), TIMERS_TRANSFORM_ID];
    throw new ProtocolError(
      `processor '${processor.processorId}' was sent rows tagged '${transformId}'; it takes rows tagged ${takes.map((id) => `'${id}'`).join(', ')}`,
    );
  }

  /**
   * Sends the non-empty buffers. Every message carries the consumed count, so a message is
   * sent even when there is nothing else to say: it is the host's flow-control credit.
   */
  private sendBuffers(buffers: OutputBuffer[], isLast: boolean): void {
    const data: DataBatch[] = [];
    const transfer: ArrayBuffer[] = [];
    let bytes = 0;
    for (const buffer of buffers) {
      if (buffer.size === 0) continue;
      let arrow: Uint8Array;
      try {
        arrow = this.codecs.outputs.get(buffer.id)!.encode(buffer.take());
      } catch (error) {
        throw this.processor.outputFailure(buffer.id, error);
      }
      const movable = transferable(arrow);
      if (movable !== null) transfer.push(movable);
      bytes += arrow.byteLength;
      data.push({ instructionId: this.instructionId, transformId: buffer.id, arrow, consumed: this.consumed });
    }
    const credit = { instructionId: this.instructionId, transformId: this.processor.layouts.mainOutputId, consumed: this.consumed };
    if (data.length === 0 || isLast) data.push({ ...credit, isLast });
    else if (this.consumed > this.credited && bytes >= CREDIT_AHEAD_BYTES) this.channel.send({ data: [{ ...credit, outputsFollow: true }] });
    this.credited = this.consumed;
    this.channel.send({ data }, transfer);
  }

  /** See DataPlane.stop. */
  stop(): Promise<void> {
    this.fail(new Error('the bundle was stopped: its attempt stopped'));
    return this.chain.then(
      () => undefined,
      () => undefined,
    );
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.markProcessed();
    for (const buffer of this.processor.outputs.values()) buffer.take();
    this.reject(error);
  }
}
