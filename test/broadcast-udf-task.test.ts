/**
 * The task of a keyed broadcast process function: its first input is keyed, its second (the
 * broadcast stream) is not, whatever keys its records carry from upstream (a keyBy before
 * broadcast()). Each input's rows go out as its layout (processorLayouts) says, so that the
 * batches encode.
 */
import { describe, expect, it } from 'vitest';
import { Types } from '../shared/api/types.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { processorLayouts } from '../shared/protocol/layouts.ts';
import type { UdfStage } from '../host/graph/plan.ts';
import { InputGate } from '../host/runtime/input-gate.ts';
import type { SendTarget, StageRunner } from '../host/runtime/stage-runner.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { END, type StreamElement } from '../host/runtime/stream-element.ts';
import { UdfTask } from '../host/runtime/udf-task.ts';

/** Encodes what it is sent with the layouts a worker of `kind` would decode it with, and logs it. */
class EncodingRunner implements StageRunner {
  readonly log: string[] = [];
  private readonly encoders: Record<SendTarget, BatchEncoder>;
  constructor(kind: string) {
    const layouts = processorLayouts({
      transforms: [{ id: '5', kind }],
      keyedInput: true,
      twoInput: true,
      inputType: JSON.stringify(Types.LONG().descriptor),
      input2Type: JSON.stringify(Types.STRING().descriptor),
    });
    this.encoders = { input: new BatchEncoder(layouts.input), input2: new BatchEncoder(layouts.input2!), timers: new BatchEncoder(layouts.timers) };
  }
  async register(): Promise<void> {}
  startBundle(): void {}
  send(batch: RowBatch, target: SendTarget): void {
    this.encoders[target].encode(batch);
    this.log.push(`${target} ${batch.values.join(',')} ${batch.keys === null ? 'without keys' : `with ${batch.keys.length} keys`}`);
  }
  get inFlight(): number {
    return 0;
  }
  async drained(): Promise<void> {}
  finishBundle(): Promise<string | null> {
    return Promise.resolve('b');
  }
  async finish(): Promise<void> {}
  metrics(): Map<string, { elementsIn: number; elementsOut: number }> {
    return new Map();
  }
}

function keyedRecords(...values: unknown[]): StreamElement {
  return { kind: 'records', batch: { length: values.length, values, keys: values.map((v) => encodeKey(v)), timestamps: null } };
}
function records(...values: unknown[]): StreamElement {
  return { kind: 'records', batch: { length: values.length, values, keys: null, timestamps: null } };
}

async function run(kind: 'keyed_broadcast_process' | 'keyed_co_process', second: StreamElement[]): Promise<string[]> {
  const stage = {
    name: 'Rules',
    transforms: [{ name: 'rules', udf: kind }],
    keyedInput: true,
    timestampedInput: false,
    twoInput: true,
    inputType: Types.LONG().descriptor,
    input2Type: Types.STRING().descriptor,
  } as unknown as UdfStage;
  const first = new StreamChannel(100);
  const other = new StreamChannel(100);
  const runner = new EncodingRunner(kind);
  const task = new UdfTask({
    stage,
    subtask: 0,
    gate: new InputGate([first, other], [1, 2]),
    runner,
    writers: new Map(),
    mainOutputId: 'main',
    bundleSize: 100,
    bundleTimeMs: 3_600_000,
    batchSize: 10,
    timers: null,
    watermarks: null,
    onBarrier: () => undefined,
    onBundleFinished: () => undefined,
    onRegistered: () => undefined,
  });
  for (const e of [keyedRecords(1, 2), END]) void first.put(e);
  for (const e of [...second, END]) void other.put(e);
  await task.run();
  return runner.log;
}

describe('the task of a keyed broadcast process function', () => {
  it('sends the broadcast input without keys, when its records carry none', async () => {
    expect(await run('keyed_broadcast_process', [records('a', 'b')])).toEqual(['input 1,2 with 2 keys', 'input2 a,b without keys']);
  });

  it('drops the keys of broadcast records keyed upstream, whole batches and parts of them', async () => {
    expect(await run('keyed_broadcast_process', [keyedRecords('a'), keyedRecords('b', 'c'), records('d')])).toEqual([
      'input 1,2 with 2 keys',
      'input2 a,b,c,d without keys',
    ]);
  });

  it('still keys both inputs of a keyed co-process function', async () => {
    expect(await run('keyed_co_process', [keyedRecords('a')])).toEqual(['input 1,2 with 2 keys', 'input2 a with 1 keys']);
  });
});
