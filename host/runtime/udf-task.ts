/**
 * One parallel instance of a UDF stage, on the host: it reads its input gate, gathers rows into
 * Arrow batches of udf.arrow.batch.size, groups them into bundles, and hands the stage's
 * outputs to its record writers.
 *
 * Bundles: one opens at the first element and finishes after udf.bundle.size elements (fired
 * timers included), after udf.bundle.time ms, at a checkpoint barrier or at the end of input.
 * Batches go out as they fill; when the input goes idle and the worker has nothing left to do,
 * a partial batch goes out at once, so that a record arriving at a low rate does not wait
 * (adaptive batching) while under load batches stay full. A watermark that arrives while a
 * bundle is open is held until that bundle has finished (its state writes are then in the
 * host); then due event-time timers fire, in a bundle of their own, and the watermark moves on.
 * The timers a keyed process function registers reach the host with its bundle's state: while
 * the input is idle its bundle finishes, so that they fire when due. Due processing-time timers
 * fire likewise once every bundle before them has finished, in a bundle of their own (which the
 * elements after them may join), so that the host holds every registration and deletion made
 * before they fire.
 * A stage that assigns timestamps sends the watermark it generates periodically
 * (pipeline.auto-watermark-interval), also while its input is quiet: the records that advance it
 * may come back from the worker while the task waits for input, and it wakes up when it is due.
 * A two-input stage (connect()) gathers each input's rows into batches of their own, sent tagged
 * with their input; the rows of both count towards a bundle, and whatever ends a bundle sends
 * both. The worker gets them in the order the gate read them: rows of one input go out before
 * the other input's that came after them. A broadcast process function's second input (the
 * broadcast stream) carries no keys, even when its first input is keyed.
 */
import { describeType } from '../../shared/api/types.ts';
import type { RowBatch } from '../../shared/codec/batch-layout.ts';
import { ValueEncodeError } from '../../shared/codec/value-encode-error.ts';
import { InputTypeError } from '../../shared/errors/errors.ts';
import { isBroadcastKind } from '../../shared/protocol/co-functions.ts';
import type { UdfStage } from '../graph/plan.ts';
import type { KeyedStateBackend, KeyGroupRange } from '../state/keyed-state-backend.ts';
import { PendingBatch } from './pending-batch.ts';
import type { InputGate } from './input-gate.ts';
import type { RecordWriter } from './record-writer.ts';
import type { StageRunner } from './stage-runner.ts';
import { END, type InputNumber, type StreamElement } from './stream-element.ts';
import type { WatermarkGenerator } from './watermark-generator.ts';

export interface UdfTaskOptions {
  stage: UdfStage;
  subtask: number;
  gate: InputGate;
  runner: StageRunner;
  /** The writer of each consumed output, by output id. */
  writers: Map<string, RecordWriter>;
  /** The stage's main output (whose timestamps drive generated watermarks). */
  mainOutputId: string;
  bundleSize: number;
  bundleTimeMs: number;
  batchSize: number;
  /** Set for stages whose head owns timers (a keyed process or keyed co-process function, a window): they live here. */
  timers: { backend: KeyedStateBackend; range: KeyGroupRange; operator: string } | null;
  /** Set for stages that assign timestamps: they generate watermarks instead of forwarding them. */
  watermarks: WatermarkGenerator | null;
  /** BATCH mode (default false): at the end of input every processing-time timer fires too, after the event-time ones. */
  batch?: boolean;
  /** Called at a barrier after the bundle finished, before the barrier moves on. */
  onBarrier: (checkpointId: number) => void;
  /** Called after each bundle, with its id: the state backend frees what the bundle held. */
  onBundleFinished: (bundleId: string) => void;
  /** Called once the stage has registered: its functions loaded and opened. */
  onRegistered: () => void;
}

export class UdfTask {
  /** Rows gathered for the next batch to each input, by input number − 1: one per input of the stage. */
  private readonly pending: PendingBatch[];
  private bundleOpen = false;
  private bundleElements = 0;
  private bundleDeadline = Infinity;
  private heldWatermark: number | null = null;
  /** The last watermark this task sent downstream: what the functions after the head see. */
  private forwardedWatermark = -Infinity;
  /** Wakes waitForInput early: a generated watermark became due before the deadline it waits for. */
  private wake: { at: number; resolve: () => void } | null = null;
  /** Bundles closed so far, and the count when due processing-time timers were last looked for (onDeadlines). */
  private bundlesClosed = 0;
  private timersCheckedAt = 0;
  /** The previous bundle while it finishes beside the open one (see closeBundle). */
  private finishing: Promise<void> | null = null;
  private watermark = -Infinity;

  constructor(private readonly o: UdfTaskOptions) {
    // keyedInput and timestampedInput describe both inputs of a two-input stage, except that a
    // broadcast process function's second input is never keyed (as its layout says,
    // processorLayouts): the keys its records may carry from a keyBy upstream are dropped.
    const { keyedInput, timestampedInput } = o.stage;
    this.pending = [new PendingBatch(keyedInput, timestampedInput)];
    if (o.stage.twoInput) this.pending.push(new PendingBatch(keyedInput && !isBroadcastKind(o.stage.transforms[0]!.udf), timestampedInput));
  }

  async run(): Promise<void> {
    await this.o.runner.register();
    this.o.onRegistered();
    for (;;) {
      const element = this.o.gate.poll();
      if (element === null) {
        await this.waitForInput();
        continue;
      }
      switch (element.kind) {
        case 'records':
          await this.addRecords(element.batch, element.input);
          if (this.bundleOpen || this.bundlesClosed !== this.timersCheckedAt) await this.onDeadlines();
          break;
        case 'watermark':
          await this.onWatermark(element.timestamp);
          break;
        case 'status':
          // A stage generating its own watermarks decides its own status.
          if (this.o.watermarks === null) await this.broadcast(element);
          break;
        case 'barrier':
          await this.finishBundle();
          this.o.onBarrier(element.checkpointId);
          await this.broadcast(element);
          break;
        case 'end':
          await this.finishBundle();
          if (this.o.batch !== true) await this.fireDueProcessingTimers();
          // The end of a bounded input fires every event-time timer (Flink's MAX_WATERMARK).
          await this.advanceWatermark(Infinity, this.o.batch === true);
          if (this.o.batch === true) await this.fireAllProcessingTimers();
          await this.o.runner.finish();
          await this.broadcast(END);
          return;
      }
    }
  }

  /**
   * Under input that never pauses (this stage is the slowest), waitForInput does not run: the
   * bundle's time limit and due processing-time timers are looked at after each batch of input
   * too. Timers only when a bundle has closed since they were last looked for: the timers its
   * functions registered reach the host with it, and taking due ones finishes the bundles before
   * (fireProcessingTimers), which under load is done at bundle boundaries, not between them. So a
   * timer is at most about udf.bundle.time late under load, as a record's output is.
   */
  private async onDeadlines(): Promise<void> {
    const now = Date.now();
    if (this.bundleOpen && now >= this.bundleDeadline) await this.closeBundle();
    if (this.bundlesClosed === this.timersCheckedAt) return;
    this.timersCheckedAt = this.bundlesClosed;
    if (this.nextProcessingTimer() <= now) await this.fireProcessingTimers(now);
  }

  /**
   * Hands on what the stage emitted. A stage that assigns timestamps learns them here, once
   * the records are on their way, so that no watermark it generates can overtake them.
   */
  async output(outputId: string, batch: RowBatch): Promise<void> {
    const writer = this.o.writers.get(outputId);
    if (writer === undefined) return;
    const generator = this.o.watermarks;
    if (generator === null || outputId !== this.o.mainOutputId) {
      await writer.emit(batch);
      return;
    }
    if (generator.idle) {
      generator.idle = false;
      await this.broadcast({ kind: 'status', active: true });
    }
    await writer.emit(batch);
    if (batch.timestamps !== null) generator.observe(batch.timestamps);
    await this.emitGenerated();
    // Not due yet (pipeline.auto-watermark-interval): a task waiting for input wakes up for it.
    const wake = this.wake;
    if (wake !== null && generator.nextEmitAt() < wake.at) wake.resolve();
  }

  /** Emits a watermark the stage generated (timestamps stages), if it advanced and is due. */
  private emitGenerated(): void | Promise<void> {
    const wm = this.o.watermarks?.poll() ?? null;
    if (wm === null) return undefined;
    return this.broadcast({ kind: 'watermark', timestamp: wm });
  }

  private async addRecords(batch: RowBatch, input: InputNumber): Promise<void> {
    const { batchSize, bundleSize } = this.o;
    const pending = this.pending[input - 1];
    if (pending === undefined) throw new Error(`operator '${this.o.stage.name}' has one input, and was given rows for input ${input}`);
    // The other input's rows gathered before these go first: the function sees the two inputs'
    // records in the order the gate read them, so a record of a quiet input (a rule, a control
    // message) is not overtaken by a busy one's that came after it.
    const other = this.pending.length > 1 ? (3 - input) as InputNumber : null;
    if (other !== null && this.pending[other - 1]!.length > 0) await this.flushBatch(other);
    let from = 0;
    while (from < batch.length) {
      if (!this.bundleOpen) this.openBundle();
      const room = Math.min(batchSize - pending.length, bundleSize - this.bundleElements);
      const take = Math.min(room, batch.length - from);
      pending.append(batch, from, take);
      from += take;
      this.bundleElements += take;
      if (pending.length >= batchSize) await this.flushBatch(input);
      if (this.bundleElements >= bundleSize) await this.closeBundle();
    }
  }

  /** Rows gathered and not sent yet, of every input. */
  private get pendingRows(): number {
    let rows = 0;
    for (const p of this.pending) rows += p.length;
    return rows;
  }

  /**
   * The head's functions see the task's input watermark; the functions chained after it see the
   * watermark the task has sent on, as they would in a stage of their own. The two differ while
   * event-time timers fire: a watermark moves on only after the output of the timers it fired
   * (as Flink's operators forward it), so that output is not late for the next function.
   */
  private openBundle(): void {
    this.o.runner.startBundle(this.watermark, this.forwardedWatermark);
    this.bundleOpen = true;
    this.bundleElements = 0;
    this.bundleDeadline = Date.now() + this.o.bundleTimeMs;
  }

  private flushBatch(input: InputNumber): void | Promise<void> {
    const pending = this.pending[input - 1]!;
    if (pending.length === 0) return undefined;
    try {
      return this.o.runner.send(pending.take(), input === 1 ? 'input' : 'input2')?.catch((error: unknown) => {
        throw this.inputError(error, input);
      });
    } catch (error) {
      throw this.inputError(error, input);
    }
  }

  /** Sends what is gathered for every input. */
  private async flushBatches(): Promise<void> {
    await this.flushBatch(1);
    if (this.pending.length > 1) await this.flushBatch(2);
  }

  /**
   * A record that its stage's input type cannot carry can only come from a source given a type
   * (each stage's outputs are checked where they leave it): said so, naming the operator and,
   * of a two-input one, the input.
   */
  private inputError(error: unknown, input: InputNumber): unknown {
    if (!(error instanceof ValueEncodeError)) return error;
    const stage = this.o.stage;
    const declared = input === 1 ? stage.inputType : stage.input2Type;
    const type = declared === null ? 'the generic encoding' : describeType(declared);
    const whose = input === 1 ? 'its input type' : 'the type of its second input';
    return new InputTypeError(
      `operator '${stage.transforms[0]?.name ?? stage.name}' was given a record that ${whose}, ${type}, cannot carry: ` +
        `${error.message}. The type is the one given where the stream was made (fromCollection, addSource, …).`,
    );
  }

  /**
   * Ends the open bundle without waiting for it to finish, so that the next one can start at
   * once (the worker processes its records while the previous one commits its state). At most
   * one bundle finishes at a time. A held watermark needs the bundle finished: then it waits.
   */
  private async closeBundle(): Promise<void> {
    if (this.heldWatermark !== null) return this.finishBundle();
    if (!this.bundleOpen) return;
    await this.flushBatches();
    this.bundleOpen = false;
    this.bundlesClosed++;
    this.bundleDeadline = Infinity;
    const previous = this.finishing;
    // Forgotten once it succeeds; a failure stays to be observed by whoever waits next (it
    // also fails the runner at once).
    const done: Promise<void> = this.endBundle().then(() => {
      if (this.finishing === done) this.finishing = null;
    });
    done.catch(() => undefined);
    this.finishing = done;
    if (previous !== null) await previous;
  }

  /** Ends the open bundle and waits until every bundle has finished; then moves a held watermark on. */
  private async finishBundle(): Promise<void> {
    if (this.bundleOpen) {
      await this.flushBatches();
      this.bundleOpen = false;
      this.bundlesClosed++;
      this.bundleDeadline = Infinity;
      const previous = this.finishing;
      this.finishing = null;
      if (previous !== null) await previous;
      await this.endBundle();
    }
    await this.settle();
    if (this.heldWatermark !== null) {
      const wm = this.heldWatermark;
      this.heldWatermark = null;
      await this.advanceWatermark(wm);
    }
  }

  /** Waits for a bundle still finishing. */
  private async settle(): Promise<void> {
    const finishing = this.finishing;
    this.finishing = null;
    if (finishing !== null) await finishing;
  }

  private async endBundle(): Promise<void> {
    const id = await this.o.runner.finishBundle();
    if (id !== null) this.o.onBundleFinished(id);
  }

  private async waitForInput(): Promise<void> {
    const runner = this.o.runner;
    // Nothing to read now: if the worker is idle too, send what is gathered at once.
    if (this.pendingRows > 0 && runner.inFlight === 0) await this.flushBatches();
    // A held watermark does not wait for the bundle timer while the input is idle.
    if (this.heldWatermark !== null) return this.finishBundle();
    // Nor do the timers a keyed process function registered: they reach the host with its
    // bundle's state, so a bundle the worker is done with finishes while the input is idle, and
    // they fire when due rather than up to udf.bundle.time later (or never, at a long one).
    const timersWaiting = this.o.timers !== null && this.bundleOpen;
    if (timersWaiting && this.pendingRows === 0 && runner.inFlight === 0) await this.closeBundle();
    const generated = this.emitGenerated();
    if (generated !== undefined) await generated;
    const waits: Promise<unknown>[] = [this.o.gate.available()];
    if (this.pendingRows > 0 || (timersWaiting && this.bundleOpen)) waits.push(runner.drained());
    // A finishing bundle may register processing-time timers that are due before any input.
    if (this.finishing !== null) waits.push(this.finishing);
    const idleAt = this.o.watermarks?.idleAt() ?? Infinity;
    const nextWatermark = this.o.watermarks?.nextEmitAt() ?? Infinity;
    const deadline = Math.min(this.bundleDeadline, this.nextProcessingTimer(), idleAt, nextWatermark);
    let timer: NodeJS.Timeout | undefined;
    if (deadline < Infinity) {
      waits.push(new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now())))));
    }
    // A stage generating watermarks learns timestamps from outputs that arrive while it waits.
    if (this.o.watermarks !== null) waits.push(new Promise<void>((resolve) => (this.wake = { at: deadline, resolve })));
    try {
      await Promise.race(waits);
    } finally {
      clearTimeout(timer);
      this.wake = null;
    }
    const emitted = this.emitGenerated();
    if (emitted !== undefined) await emitted;
    const now = Date.now();
    if (this.bundleOpen && now >= this.bundleDeadline) await this.closeBundle();
    if (this.nextProcessingTimer() <= now) await this.fireProcessingTimers(now);
    if (idleAt <= now && this.o.watermarks !== null && this.pendingRows === 0 && this.o.runner.inFlight === 0) {
      this.o.watermarks.idle = true;
      await this.broadcast({ kind: 'status', active: false });
    }
  }

  private async onWatermark(timestamp: number): Promise<void> {
    // assignTimestampsAndWatermarks replaces the upstream watermarks with its own (as in Flink).
    if (this.o.watermarks !== null) return;
    if (this.bundleOpen) this.heldWatermark = Math.max(this.heldWatermark ?? -Infinity, timestamp);
    else await this.advanceWatermark(timestamp);
  }

  /**
   * `once` (BATCH, at the end of input): the timers there fire, and those their onTimer
   * registers do not, as Flink's batch execution ignores them then (one that registers the
   * next would otherwise run for ever).
   */
  private async advanceWatermark(watermark: number, once = false): Promise<void> {
    if (watermark <= this.watermark) return;
    // Timers registered by a bundle still finishing are not all in the host yet.
    await this.settle();
    // The timers' bundles start with the new watermark for the head, the old one for the rest.
    this.watermark = watermark;
    const timers = this.o.timers;
    if (timers !== null) {
      // Timers that fire may register new ones that are already due: fire until none is.
      for (;;) {
        const fired = timers.backend.popEventTimers(timers.range, watermark, timers.operator);
        if (fired.length === 0) break;
        await this.runTimers(fired, 0);
        if (once) break;
      }
    }
    await this.broadcast({ kind: 'watermark', timestamp: watermark });
  }

  /** BATCH: none before the end of input (fireAllProcessingTimers), as in Flink's batch execution. */
  private nextProcessingTimer(): number {
    const timers = this.o.timers;
    if (timers === null || this.o.batch === true) return Infinity;
    return timers.backend.nextProcessingTimer(timers.range, timers.operator) ?? Infinity;
  }

  /**
   * At the end of the input, the processing-time timers already due fire, in a bundle of their
   * own (they would have fired by now had their bundle reached the host sooner: a bundle still
   * open at the end registers its timers only here); later ones are dropped, as in Flink. Due
   * ones that their onTimer registered and the worker did not fire among them come back with
   * the bundle: they fire too, as they would in Flink's loop over the timers due at one time.
   */
  private async fireDueProcessingTimers(): Promise<void> {
    const now = Date.now();
    while (this.nextProcessingTimer() <= now) {
      await this.fireProcessingTimers(now);
      await this.finishBundle();
    }
  }

  /**
   * BATCH: at the end of input, after the event-time timers, every processing-time timer fires,
   * due or not, as in Flink's batch execution; those their onTimer registers do not (Flink
   * ignores them then, so that a timer that registers the next one cannot run for ever).
   */
  private async fireAllProcessingTimers(): Promise<void> {
    if (this.o.timers === null) return;
    await this.fireProcessingTimers(Infinity);
    await this.finishBundle();
  }

  /**
   * Takes the processing-time timers due at `now` from the host and fires them, in a bundle of
   * their own. The bundles before must have finished first: a timer is a set element, and a
   * registration the functions made before it fired (registering it again is then a no-op) that
   * reached the host only after the host took it would register it anew, and it would fire
   * twice; a deletion would come too late to keep it from firing. With every earlier write in
   * the host, only the timers' own onTimer calls can change them before they fire, and the
   * worker sees those (TimerFiring). Event-time timers are taken the same way (advanceWatermark).
   */
  private async fireProcessingTimers(now: number): Promise<void> {
    await this.finishBundle();
    const timers = this.o.timers!;
    const fired = timers.backend.popProcessingTimers(timers.range, now, timers.operator);
    if (fired.length > 0) await this.runTimers(fired, 1);
  }

  /**
   * Sends fired timers to the worker, first in a bundle of their own (none is open: see
   * fireProcessingTimers); they count as its elements. Event-time timers finish their bundle,
   * since the watermark that fired them moves on only after their output; processing-time
   * timers leave it open to the elements that follow, to finish as any other.
   */
  private async runTimers(fired: { key: Uint8Array; timestamp: number }[], domain: 0 | 1): Promise<void> {
    this.openBundle();
    for (let from = 0; from < fired.length; from += this.o.batchSize) {
      const part = fired.slice(from, from + this.o.batchSize);
      const batch: RowBatch = {
        length: part.length,
        values: part.map(() => domain),
        keys: part.map((t) => t.key),
        timestamps: part.map((t) => t.timestamp),
      };
      this.bundleElements += part.length;
      await this.o.runner.send(batch, 'timers');
    }
    if (domain === 0) {
      // No watermark is held here: no bundle was open.
      await this.endBundle();
      this.bundleOpen = false;
      this.bundleDeadline = Infinity;
    } else if (this.bundleElements >= this.o.bundleSize) {
      await this.closeBundle();
    }
  }

  private async broadcast(element: StreamElement): Promise<void> {
    if (element.kind === 'watermark') this.forwardedWatermark = element.timestamp;
    for (const writer of this.o.writers.values()) await writer.broadcast(element);
  }
}
