/**
 * A stage that assigns timestamps sends its periodic watermark while its input is quiet: when
 * the records that advance it come back from the worker after the task began waiting for input
 * (process and thread mode, bundles larger than one), the task wakes up when the watermark is
 * due (pipeline.auto-watermark-interval) instead of holding it until the next record or the
 * end of the bundle.
 */
import { describe, expect, it } from 'vitest';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import type { UdfStage } from '../host/graph/plan.ts';
import { InputGate } from '../host/runtime/input-gate.ts';
import { RecordWriter } from '../host/runtime/record-writer.ts';
import type { StageRunner } from '../host/runtime/stage-runner.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import type { StreamElement } from '../host/runtime/stream-element.ts';
import { UdfTask } from '../host/runtime/udf-task.ts';
import { WatermarkGenerator } from '../host/runtime/watermark-generator.ts';

/** A worker that answers each batch on a later turn of the event loop, as a remote one does. */
class LaterRunner implements StageRunner {
  constructor(private readonly emit: (batch: RowBatch) => Promise<void>) {}
  async register(): Promise<void> {}
  startBundle(): void {}
  send(batch: RowBatch): void {
    const copy = { ...batch, timestamps: [...(batch.values as number[])] };
    setImmediate(() => void this.emit(copy));
  }
  get inFlight(): number {
    return 0;
  }
  async drained(): Promise<void> {}
  async finishBundle(): Promise<string | null> {
    return null;
  }
  async finish(): Promise<void> {}
  metrics(): Map<string, { elementsIn: number; elementsOut: number }> {
    return new Map();
  }
}

function records(...timestamps: number[]): StreamElement {
  return { kind: 'records', batch: { length: timestamps.length, values: timestamps, keys: null, timestamps: null } };
}

describe('generated watermarks on a quiet input', () => {
  it('goes out when due although the records that advanced it came back while the task waited', async () => {
    const input = new StreamChannel(1000);
    const output = new StreamChannel(1000);
    const writer = new RecordWriter([{ partitioning: 'forward', channels: [output] }], 0);
    let task!: UdfTask;
    const runner = new LaterRunner((batch) => task.output('main', batch));
    task = new UdfTask({
      stage: { keyedInput: false, timestampedInput: false } as UdfStage,
      subtask: 0,
      gate: new InputGate([input]),
      runner,
      writers: new Map([['main', writer]]),
      mainOutputId: 'main',
      // A bundle the input never fills nor times out.
      bundleSize: 1000,
      bundleTimeMs: 3_600_000,
      batchSize: 100,
      timers: null,
      watermarks: new WatermarkGenerator({ kind: 'bounded-out-of-orderness', maxOutOfOrdernessMs: 0 }, 50, null),
      onBarrier: () => undefined,
      onBundleFinished: () => undefined,
      onRegistered: () => undefined,
    });
    const watermarks: number[] = [];
    const waiting = new Map<number, () => void>();
    const reached = (timestamp: number): Promise<void> => new Promise<void>((resolve) => waiting.set(timestamp, resolve));
    output.onAvailable = () => {
      for (let e = output.poll(); e !== null; e = output.poll()) {
        if (e.kind !== 'watermark') continue;
        watermarks.push(e.timestamp);
        waiting.get(e.timestamp)?.();
      }
    };
    const running = task.run();
    const watermark99 = reached(99);
    await input.put(records(100));
    // The first watermark goes out at once.
    await watermark99;
    // The second is due an interval after it, with no record after it: the input stays open
    // until it has gone out.
    const watermark199 = reached(199);
    await input.put(records(200));
    await watermark199;
    await input.put({ kind: 'end' });
    await running;
    expect(watermarks).toEqual([99, 199, Infinity]);
  });
});
