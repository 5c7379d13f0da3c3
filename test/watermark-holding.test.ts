/**
 * A watermark that arrives while a bundle is open is held until that bundle has finished (so
 * the bundle's timer registrations and state writes are in the host); only then do due
 * event-time timers fire, in a bundle of their own, and the watermark moves on downstream.
 * While they fire, the functions chained after the head still see the previous watermark.
 */
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { fnProto } from '../shared/protocol/messages.ts';
import type { UdfStage } from '../host/graph/plan.ts';
import { InputGate } from '../host/runtime/input-gate.ts';
import { RecordWriter } from '../host/runtime/record-writer.ts';
import type { SendTarget, StageRunner } from '../host/runtime/stage-runner.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import type { StreamElement } from '../host/runtime/stream-element.ts';
import { UdfTask } from '../host/runtime/udf-task.ts';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { encodeTimerTimestamp } from '../host/state/timers.ts';

const KEY = encodeKey('k');

/**
 * Stands in for a worker running a keyed process function that registers an event-time timer
 * at each element's timestamp. Like the real worker, its state writes (the registrations)
 * reach the host only when the bundle finishes. Each fired timer emits its timestamp.
 */
class ScriptedRunner implements StageRunner {
  readonly log: string[] = [];
  private registrations: number[] = [];
  private fired: number[] = [];
  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly emit: (batch: RowBatch) => Promise<void>,
  ) {}
  async register(): Promise<void> {}
  startBundle(watermark: number, chainedWatermark = watermark): void {
    const chained = chainedWatermark === watermark ? '' : `, chained ${chainedWatermark}`;
    this.log.push(`start bundle (watermark ${watermark}${chained})`);
  }
  send(batch: RowBatch, target: SendTarget): void {
    const timers = target === 'timers';
    this.log.push(`${timers ? 'timers' : 'elements'} ${batch.timestamps!.join(',')}`);
    if (timers) this.fired.push(...(batch.timestamps as number[]));
    else this.registrations.push(...(batch.timestamps as number[]));
  }
  get inFlight(): number {
    return 0;
  }
  async drained(): Promise<void> {}
  async finishBundle(): Promise<string | null> {
    this.backend.apply(
      this.registrations.map((ts) => ({
        key: { stateName: 'op/event-time', kind: fnProto.StateKind.TIMER, key: KEY },
        op: fnProto.StateOp.PUT,
        mapKey: encodeTimerTimestamp(ts),
      })),
      { owned: { start: 0, end: 127 }, maxParallelism: 128, instructionId: 'b' },
    );
    this.registrations = [];
    if (this.fired.length > 0) await this.emit({ length: this.fired.length, values: this.fired, keys: null, timestamps: this.fired });
    this.fired = [];
    this.log.push('finish bundle');
    return 'b';
  }
  async finish(): Promise<void> {
    this.log.push('close');
  }
  metrics(): Map<string, { elementsIn: number; elementsOut: number }> {
    return new Map();
  }
}

function records(...timestamps: number[]): StreamElement {
  return {
    kind: 'records',
    batch: { length: timestamps.length, values: timestamps, keys: timestamps.map(() => KEY), timestamps },
  };
}

describe('watermark holding', () => {
  it('holds a watermark that arrives mid-bundle until the bundle finishes, then fires due timers', async () => {
    const input = new StreamChannel(1000);
    const output = new StreamChannel(1000);
    const backend = new KeyedStateBackend({ maxParallelism: 128 });
    const writer = new RecordWriter([{ partitioning: 'forward', channels: [output] }], 0);
    let task!: UdfTask;
    const runner = new ScriptedRunner(backend, (batch) => task.output('main', batch));
    task = new UdfTask({
      stage: { keyedInput: true, timestampedInput: true } as UdfStage,
      subtask: 0,
      gate: new InputGate([input]),
      runner,
      writers: new Map([['main', writer]]),
      mainOutputId: 'main',
      bundleSize: 2,
      bundleTimeMs: 60_000,
      batchSize: 100,
      timers: { backend, range: { start: 0, end: 127 }, operator: 'op' },
      watermarks: null,
      onBarrier: () => undefined,
      onBundleFinished: () => undefined,
      onRegistered: () => undefined,
    });
    // Element 10, then a watermark that passes 10, then element 20: one bundle of two elements.
    const script: StreamElement[] = [records(10), { kind: 'watermark', timestamp: 15 }, records(20), records(30), { kind: 'end' }];
    for (const e of script) {
      await input.put(e);
    }
    await task.run();

    expect(runner.log).toEqual([
      'start bundle (watermark -Infinity)',
      // Element 20 arrived after the watermark but in the open bundle: it is processed first.
      'elements 10,20',
      'finish bundle',
      // Then the held watermark: timer 10 is due, in a bundle of its own. The functions chained
      // after the head see the watermark sent on so far: the new one follows the timer's output.
      'start bundle (watermark 15, chained -Infinity)',
      'timers 10',
      'finish bundle',
      'start bundle (watermark 15)',
      'elements 30',
      'finish bundle',
      // End of input: every remaining event-time timer fires.
      'start bundle (watermark Infinity, chained 15)',
      'timers 20,30',
      'finish bundle',
      'close',
    ]);
    const downstream: unknown[] = [];
    for (let e = output.poll(); e !== null; e = output.poll()) {
      downstream.push(e.kind === 'records' ? e.batch.values : e.kind === 'watermark' ? `watermark ${e.timestamp}` : e.kind);
    }
    // The timer's output precedes the watermark that fired it.
    expect(downstream).toEqual([[10], 'watermark 15', [20, 30], 'watermark Infinity', 'end']);
  });
});
