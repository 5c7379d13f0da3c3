/**
 * A worker for host-side timer tests: a keyed process function, scripted, on the worker's own
 * TimerFiring (what it fires, what it hands the host), whose answers (batch results, the
 * bundle's state writes) come back only once the test delivers them, as a remote worker's may
 * come late. The task runs against a real state backend and input gate.
 */
import { vi } from 'vitest';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { fnProto } from '../shared/protocol/messages.ts';
import type { UdfStage } from '../host/graph/plan.ts';
import { InputGate } from '../host/runtime/input-gate.ts';
import type { SendTarget, StageRunner } from '../host/runtime/stage-runner.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { UdfTask } from '../host/runtime/udf-task.ts';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { encodeTimerTimestamp } from '../host/state/timers.ts';
import { TimerFiring } from '../worker/processor/timer-firing.ts';

export const KEY = encodeKey('k');
const RANGE = { start: 0, end: 127 };
type Operation = Parameters<KeyedStateBackend['apply']>[0][number];

function timerOp(op: 'PUT' | 'REMOVE', timestamp: number): Operation {
  return {
    key: { stateName: 'op/processing-time', kind: fnProto.StateKind.TIMER, key: KEY },
    op: op === 'PUT' ? fnProto.StateOp.PUT : fnProto.StateOp.REMOVE,
    mapKey: encodeTimerTimestamp(timestamp),
  };
}

/** What the keyed process function does with its timers, through the worker's timer service. */
export interface Script {
  processElement(timers: TimerCalls): void;
  onTimer(timestamp: number, timers: TimerCalls): void;
}

export interface TimerCalls {
  register(timestamp: number): void;
  delete(timestamp: number): void;
}

export class SlowWorker implements StageRunner {
  readonly fired: number[] = [];
  private readonly firing = new TimerFiring(() => Date.now());
  private writes: Operation[] = [];
  private sent = 0;
  private delivered = false;
  private readonly waiting: (() => void)[] = [];
  private bundles = 0;
  private readonly calls: TimerCalls = {
    // As the worker's KeyedTimerService: TimerFiring sees each call first.
    register: (timestamp) => {
      if (!this.firing.register('processing', KEY, timestamp)) this.writes.push(timerOp('PUT', timestamp));
    },
    delete: (timestamp) => {
      this.firing.delete('processing', KEY, timestamp);
      this.writes.push(timerOp('REMOVE', timestamp));
    },
  };

  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly script: Script,
  ) {}

  /** From now on the worker's answers arrive (those held so far first). */
  deliver(): void {
    this.delivered = true;
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  async register(): Promise<void> {}

  startBundle(watermark: number): void {
    this.firing.startBundle(watermark);
  }

  send(batch: RowBatch, target: SendTarget): void {
    const timers = target === 'timers';
    this.sent++;
    if (!timers) {
      for (let i = 0; i < batch.length; i++) this.script.processElement(this.calls);
      return;
    }
    const timestamps = batch.timestamps as number[];
    this.firing.beginBatch('processing', timestamps.at(-1)!);
    for (const timestamp of timestamps) {
      for (let t = this.firing.next(timestamp); t !== undefined; t = this.firing.next(timestamp)) this.fire(t.timestamp);
      if (!this.firing.drops('processing', KEY, timestamp)) this.fire(timestamp);
    }
    for (let t = this.firing.next(); t !== undefined; t = this.firing.next()) this.fire(t.timestamp);
    this.firing.endBatch();
  }

  get inFlight(): number {
    return this.delivered ? 0 : this.sent;
  }

  drained(): Promise<void> {
    return this.answers();
  }

  async finishBundle(): Promise<string | null> {
    // The bundle's writes are sent at its end (queued timers that did not fire last), and are
    // in the host once delivered.
    const writes = this.writes;
    this.writes = [];
    for (const t of this.firing.takeLeftover()) writes.push(timerOp('PUT', t.timestamp));
    await this.answers();
    this.backend.apply(writes, { owned: RANGE, maxParallelism: 128, instructionId: 'b' });
    return `bundle ${++this.bundles}`;
  }

  async finish(): Promise<void> {}

  metrics(): Map<string, { elementsIn: number; elementsOut: number }> {
    return new Map();
  }

  private fire(timestamp: number): void {
    this.fired.push(timestamp);
    this.script.onTimer(timestamp, this.calls);
  }

  private answers(): Promise<void> {
    if (this.delivered) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

export interface Harness {
  worker: SlowWorker;
  input: StreamChannel;
  task: UdfTask;
  /** Resolves once the task has waited for input `n` times in all. */
  waitedForInput(n: number): Promise<void>;
}

export function harness(bundleSize: number, registered: number[], script: Script): Harness {
  const backend = new KeyedStateBackend({ maxParallelism: 128 });
  backend.apply(
    registered.map((t) => timerOp('PUT', t)),
    { owned: RANGE, maxParallelism: 128, instructionId: '' },
  );
  const input = new StreamChannel(1000);
  const gate = new InputGate([input]);
  const available = gate.available.bind(gate);
  let waits = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  gate.available = () => {
    waits++;
    for (const w of waiters.filter((w) => w.n <= waits)) w.resolve();
    return available();
  };
  const worker = new SlowWorker(backend, script);
  const task = new UdfTask({
    stage: { keyedInput: true, timestampedInput: false } as UdfStage,
    subtask: 0,
    gate,
    runner: worker,
    writers: new Map(),
    mainOutputId: 'main',
    bundleSize,
    bundleTimeMs: 3_600_000,
    batchSize: 100,
    timers: { backend, range: RANGE, operator: 'op' },
    watermarks: null,
    onBarrier: () => undefined,
    onBundleFinished: () => undefined,
    onRegistered: () => undefined,
  });
  const waitedForInput = (n: number): Promise<void> =>
    waits >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }));
  return { worker, input, task, waitedForInput };
}

/** Runs the task's next wake-up for a due timer, and everything that follows from it on this turn. */
export async function wakeForTimer(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await new Promise((resolve) => setImmediate(resolve));
}
