/**
 * The task of a two-input stage (connect()) gathers each input's rows into batches of their
 * own and sends them tagged with their input; the rows of both count towards a bundle, and
 * whatever ends a bundle (its size, a barrier, an idle input, the end) sends both. The
 * watermark that fires event-time timers is the minimum over both inputs.
 */
import { describe, expect, it } from 'vitest';
import { Types } from '../shared/api/types.ts';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { ValueEncodeError } from '../shared/codec/value-encode-error.ts';
import { InputTypeError } from '../shared/errors/errors.ts';
import { fnProto } from '../shared/protocol/messages.ts';
import type { UdfStage } from '../host/graph/plan.ts';
import { InputGate } from '../host/runtime/input-gate.ts';
import type { SendTarget, StageRunner } from '../host/runtime/stage-runner.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { END, type StreamElement } from '../host/runtime/stream-element.ts';
import { UdfTask, type UdfTaskOptions } from '../host/runtime/udf-task.ts';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { encodeTimerTimestamp } from '../host/state/timers.ts';

const KEY = encodeKey('k');
const RANGE = { start: 0, end: 127 };
const LONG = Types.LONG().descriptor;
const STRING = Types.STRING().descriptor;

/** Logs what the task asks of it; `refuse` makes send() throw for one target, as an encoder would. */
class LoggingRunner implements StageRunner {
  readonly log: string[] = [];
  private readonly waiters: { entry: string; resolve: () => void }[] = [];
  constructor(private readonly refuse: { target: SendTarget; error: Error } | null = null) {}
  async register(): Promise<void> {}
  startBundle(watermark: number): void {
    this.add(`start bundle ${watermark}`);
  }
  send(batch: RowBatch, target: SendTarget): void {
    if (this.refuse?.target === target) throw this.refuse.error;
    this.add(`${target} ${(target === 'timers' ? batch.timestamps! : batch.values).join(',')}`);
  }
  get inFlight(): number {
    return 0;
  }
  async drained(): Promise<void> {}
  finishBundle(): Promise<string | null> {
    this.add('finish bundle');
    return Promise.resolve('b');
  }
  async finish(): Promise<void> {
    this.add('close');
  }
  metrics(): Map<string, { elementsIn: number; elementsOut: number }> {
    return new Map();
  }
  /** Resolves once `entry` has been logged. */
  logged(entry: string): Promise<void> {
    if (this.log.includes(entry)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ entry, resolve }));
  }
  private add(entry: string): void {
    this.log.push(entry);
    for (const w of this.waiters.filter((w) => w.entry === entry)) w.resolve();
  }
}

function records(...values: unknown[]): StreamElement {
  return { kind: 'records', batch: { length: values.length, values, keys: null, timestamps: null } };
}
const watermark = (timestamp: number): StreamElement => ({ kind: 'watermark', timestamp });

const STAGE = {
  name: 'Co-Map',
  transforms: [{ name: 'enrich' }],
  keyedInput: false,
  timestampedInput: false,
  twoInput: true,
  inputType: LONG,
  input2Type: STRING,
} as unknown as UdfStage;

interface Setup {
  runner: LoggingRunner;
  /** The channel of input 1 and that of input 2. */
  first: StreamChannel;
  second: StreamChannel;
  task: UdfTask;
  barriers: number[];
}

function setup(options: Partial<UdfTaskOptions> & { runner?: LoggingRunner } = {}): Setup {
  const first = new StreamChannel(1_000);
  const second = new StreamChannel(1_000);
  const runner = options.runner ?? new LoggingRunner();
  const barriers: number[] = [];
  const task = new UdfTask({
    stage: STAGE,
    subtask: 0,
    gate: new InputGate([first, second], [1, 2]),
    runner,
    writers: new Map(),
    mainOutputId: 'main',
    bundleSize: 100,
    bundleTimeMs: 3_600_000,
    batchSize: 2,
    timers: null,
    watermarks: null,
    onBarrier: (id) => {
      barriers.push(id);
      runner.log.push(`barrier ${id}`);
    },
    onBundleFinished: () => undefined,
    onRegistered: () => undefined,
    ...options,
  });
  return { runner, first, second, task, barriers };
}

function put(channel: StreamChannel, ...elements: StreamElement[]): void {
  for (const e of elements) void channel.put(e);
}

describe('two-input task', () => {
  it("sends each input's rows in batches of their own, tagged with their input, in the order the gate read them", async () => {
    const { runner, first, second, task } = setup();
    put(first, records(1, 2, 3), records(4), END);
    put(second, records('a', 'b', 'c'), END);
    await task.run();
    // The gate reads 1,2,3 then a,b,c then 4: the 3 gathered goes out before a,b, the c before 4.
    expect(runner.log).toEqual(['start bundle -Infinity', 'input 1,2', 'input 3', 'input2 a,b', 'input2 c', 'input 4', 'finish bundle', 'close']);
  });

  it('counts the rows of both inputs towards a bundle, and sends both as it closes', async () => {
    const { runner, first, second, task } = setup({ batchSize: 10, bundleSize: 3 });
    put(first, records(1, 2), END);
    put(second, records('a', 'b'), END);
    await task.run();
    expect(runner.log).toEqual([
      'start bundle -Infinity',
      'input 1,2',
      'input2 a',
      'finish bundle',
      'start bundle -Infinity',
      'input2 b',
      'finish bundle',
      'close',
    ]);
  });

  it('sends the rows of both inputs before a barrier aligned across both', async () => {
    const { runner, first, second, task, barriers } = setup({ batchSize: 10 });
    put(first, records(1), { kind: 'barrier', checkpointId: 7 }, records(2), END);
    put(second, records('a'), { kind: 'barrier', checkpointId: 7 }, END);
    await task.run();
    expect(barriers).toEqual([7]);
    expect(runner.log).toEqual([
      'start bundle -Infinity',
      'input 1',
      'input2 a',
      'finish bundle',
      'barrier 7',
      'start bundle -Infinity',
      'input 2',
      'finish bundle',
      'close',
    ]);
  });

  it('sends what both inputs gathered as soon as the input is idle', async () => {
    const { runner, first, second, task } = setup({ batchSize: 10 });
    put(first, records(1));
    put(second, records('a'));
    const running = task.run();
    await runner.logged('input2 a');
    expect(runner.log).toEqual(['start bundle -Infinity', 'input 1', 'input2 a']);
    put(first, END);
    put(second, END);
    await running;
    expect(runner.log).toEqual(['start bundle -Infinity', 'input 1', 'input2 a', 'finish bundle', 'close']);
  });

  it('sends the rows gathered of the second input alone as soon as the input is idle', async () => {
    const { runner, first, second, task } = setup({ batchSize: 10 });
    put(second, records('a', 'b'));
    const running = task.run();
    await runner.logged('input2 a,b');
    expect(runner.log).toEqual(['start bundle -Infinity', 'input2 a,b']);
    put(first, END);
    put(second, END);
    await running;
    expect(runner.log).toEqual(['start bundle -Infinity', 'input2 a,b', 'finish bundle', 'close']);
  });

  it("a record the second input's type cannot carry is reported with that type", async () => {
    const refused = new ValueEncodeError(0, 'value', 'a string', 'number 5');
    const { first, second, task } = setup({ runner: new LoggingRunner({ target: 'input2', error: refused }) });
    put(first, records(1), END);
    put(second, records(5), END);
    const error = await task.run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputTypeError);
    expect((error as Error).message).toBe(
      "operator 'enrich' was given a record that the type of its second input, STRING, cannot carry: " +
        'row 0: value: expected a string, got number 5. The type is the one given where the stream was made (fromCollection, addSource, …).',
    );
  });

  it("a record the first input's type cannot carry is reported with that one", async () => {
    const refused = new ValueEncodeError(0, 'value', 'a number', "string 'x'");
    const { first, second, task } = setup({ runner: new LoggingRunner({ target: 'input', error: refused }) });
    put(first, records('x'), END);
    put(second, END);
    await expect(task.run()).rejects.toThrow(
      "operator 'enrich' was given a record that its input type, LONG, cannot carry: row 0: value: expected a number, got string 'x'.",
    );
  });

  it('fires event-time timers once the watermark of both inputs has passed them', async () => {
    const backend = new KeyedStateBackend({ maxParallelism: 128 });
    backend.apply(
      [10, 14].map((ts) => ({
        key: { stateName: 'op/event-time', kind: fnProto.StateKind.TIMER, key: KEY },
        op: fnProto.StateOp.PUT,
        mapKey: encodeTimerTimestamp(ts),
      })),
      { owned: RANGE, maxParallelism: 128, instructionId: '' },
    );
    const { runner, first, second, task } = setup({ timers: { backend, range: RANGE, operator: 'op' } });
    // Input 1 is at 15; input 2 moves from 5 to 12 (timer 10 is due), then to 20 (input 1's 15: timer 14).
    put(first, watermark(15));
    put(second, watermark(5), watermark(12), watermark(20));
    const running = task.run();
    await runner.logged('timers 14');
    put(first, END);
    put(second, END);
    await running;
    expect(runner.log).toEqual([
      'start bundle 12',
      'timers 10',
      'finish bundle',
      'start bundle 15',
      'timers 14',
      'finish bundle',
      'close',
    ]);
  });
});
