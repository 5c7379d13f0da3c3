/**
 * A two-input bundle processor (DataStream.connect), built directly and fed by hand: rows of
 * the first input go to map1 / flatMap1 / processElement1, rows of the second (processInput
 * with input 2) to the second method, in the order they come; keyed, both share the key's
 * state and timers. A function's failure on a second-input record is attributed and skipped
 * as on a one-input operator.
 */
import { describe, expect, it } from 'vitest';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { CoFlatMapFunction, CoProcessFunction, KeyedCoProcessFunction } from '../shared/api/functions.ts';
import type { Collector, KeyedProcessContext, OnTimerContext, ProcessContext, RuntimeContext } from '../shared/api/contexts.ts';
import { OutputTag } from '../shared/api/output-tag.ts';
import type { ValueState } from '../shared/api/state.ts';
import { ValueStateDescriptor } from '../shared/api/state-descriptors.ts';
import { ProtocolError } from '../shared/errors/errors.ts';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import type { RegisterRequest, StateRequest, StateResponse } from '../shared/protocol/messages.ts';
import { BundleProcessor } from '../worker/processor/bundle-processor.ts';
import { FunctionFailure } from '../worker/processor/failure.ts';
import type { StateChannel } from '../worker/state/state-channel.ts';
import { WorkerKeyedState } from '../worker/state/worker-keyed-state.ts';
import { GENERIC_STATE_CODEC } from '../worker/state/worker-state-options.ts';
import { DEFAULT_OPTIONS } from './worker-state-fake-host.ts';
import { failureOf } from './support/failure.ts';

interface TransformDef {
  kind: string;
  fn: unknown;
  failurePolicy?: 'fail' | 'skip';
  /** Side output tags; each goes to output `${transform id}:${tag}`. */
  sideOutputs?: string[];
}

const ALL_KEY_GROUPS = { start: 0, end: 127 };

/** A processor of `transforms` (ids t0, t1, …; names op0, op1, …), with its keyed state in a host backend. */
async function build(transforms: TransformDef[], options: { keyed?: boolean; timestamped?: boolean; twoInput?: boolean } = {}) {
  const backend = new KeyedStateBackend({ maxParallelism: 128 });
  let blockingReads = 0;
  const serve = (request: StateRequest): StateResponse => ({
    results: backend.apply(request.operations ?? [], { owned: ALL_KEY_GROUPS, maxParallelism: 128, instructionId: request.instructionId ?? '' }),
  });
  const channel: StateChannel = {
    request: (request) => Promise.resolve(serve(request)),
    requestNow: (request) => {
      blockingReads++;
      return serve(request);
    },
  };
  const state = new WorkerKeyedState(channel, DEFAULT_OPTIONS, GENERIC_STATE_CODEC);
  const register: RegisterRequest = {
    processorId: 'p',
    transforms: transforms.map((t, i) => ({
      id: `t${i}`,
      name: `op${i}`,
      kind: t.kind,
      function: { urn: 'test', payload: Buffer.from(String(i)) },
      failurePolicy: t.failurePolicy ?? 'fail',
      sideOutputs: (t.sideOutputs ?? []).map((tag) => ({ id: `t${i}:${tag}`, tag })),
    })),
    keyedInput: options.keyed ?? false,
    timestampedInput: options.timestamped ?? false,
    twoInput: options.twoInput ?? true,
  };
  const loadFunction = (spec: { payload?: Uint8Array | null }): Promise<unknown> =>
    Promise.resolve(transforms[Number(Buffer.from(spec.payload ?? []).toString())]!.fn);
  const processor = await BundleProcessor.create(register, { state, loadFunction }, 1024);
  let bundle = 0;
  const main = `t${transforms.length - 1}`;
  return {
    processor,
    backend,
    blockingReads: (): number => blockingReads,
    start(watermark = -Infinity): void {
      state.beginBundle(`b${++bundle}`);
      processor.startBundle(watermark);
    },
    /** Takes what went to an output so far (the main output by default). */
    take(id = main): RowBatch {
      return processor.outputs.get(id)!.take();
    },
  };
}

function rows(values: unknown[], options: { keys?: unknown[]; timestamps?: number[] } = {}): RowBatch {
  return {
    length: values.length,
    values,
    keys: options.keys === undefined ? null : options.keys.map(encodeKey),
    timestamps: options.timestamps ?? null,
  };
}

/** What `run` threw, synchronously (the functions it runs do not wait); null if it returned. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (thrown) {
    return thrown;
  }
  return null;
}

/** Runs the batches in order, each on its input, awaiting those that wait. */
async function feed(processor: BundleProcessor, batches: [1 | 2, RowBatch][]): Promise<void> {
  for (const [input, batch] of batches) await processor.processInput(batch, false, input);
}

describe('co_map', () => {
  it('calls map1 for the first input and map2 for the second, in the order the rows come', async () => {
    const p = await build([{ kind: 'co_map', fn: { map1: (x: number) => x * 10, map2: (s: string) => s.toUpperCase() } }]);
    p.start();
    await feed(p.processor, [
      [1, rows([1, 2])],
      [2, rows(['a'])],
      [1, rows([3])],
      [2, rows(['b', 'c'])],
    ]);
    expect(p.take().values).toEqual([10, 20, 'A', 30, 'B', 'C']);
    expect(p.processor.metrics()).toEqual({ t0: { elementsIn: 6, elementsOut: 6 } });
  });

  it('takes async methods on either input (the head hands their promises over), and feeds what is chained after it', async () => {
    const p = await build([
      {
        kind: 'co_map',
        fn: {
          async map1(x: number) {
            await Promise.resolve();
            return `one:${x}`;
          },
          map2: (x: number) => (x % 2 === 0 ? Promise.resolve(`two:${x}`) : `two-sync:${x}`),
        },
      },
      { kind: 'map', fn: (s: string) => `[${s}]` },
    ]);
    p.start();
    const first = p.processor.processInput(rows([1, 2]), false, 1);
    expect(first).toBeInstanceOf(Promise);
    await first;
    await feed(p.processor, [
      [2, rows([4, 5, 6])],
      [1, rows([3])],
    ]);
    expect(p.take().values).toEqual(['[one:1]', '[one:2]', '[two:4]', '[two-sync:5]', '[two:6]', '[one:3]']);
    expect(p.processor.metrics()).toEqual({ t0: { elementsIn: 6, elementsOut: 6 }, t1: { elementsIn: 6, elementsOut: 6 } });
  });

  it('refuses, when the processor is built, a function without map2', async () => {
    const error = await failureOf<Error>(build([{ kind: 'co_map', fn: { map1: (x: unknown) => x } }]));
    expect(error).toBeInstanceOf(TypeError);
    expect(error!.message).toBe('the CoMapFunction has no map2() method');
  });

  it('refuses a plain function, which cannot be both map1 and map2', async () => {
    const error = await failureOf<Error>(build([{ kind: 'co_map', fn: (x: unknown) => x }]));
    expect(error!.message).toBe('the CoMapFunction must be an object with a map1() method, got function');
  });
});

describe('co_flat_map', () => {
  class Splitter extends CoFlatMapFunction<string, number, string> {
    flatMap1(value: string, out: Collector<string>): void {
      for (const word of value.split(' ')) out.collect(word);
    }
    *flatMap2(value: number): Iterable<string> {
      for (let i = 0; i < value; i++) yield `#${i}`;
    }
  }

  it('collects through out, or takes what the method returns, on either input (a class instance)', async () => {
    const p = await build([{ kind: 'co_flat_map', fn: new Splitter() }]);
    p.start();
    await feed(p.processor, [
      [2, rows([2])],
      [1, rows(['a b', 'c'])],
      [2, rows([0, 1])],
      [1, rows([''])],
    ]);
    expect(p.take().values).toEqual(['#0', '#1', 'a', 'b', 'c', '#0', '']);
    expect(p.processor.metrics()).toEqual({ t0: { elementsIn: 6, elementsOut: 7 } });
  });

  it('takes an async iterable from the second method', async () => {
    const p = await build([
      {
        kind: 'co_flat_map',
        fn: {
          flatMap1: (x: number) => [x, x],
          async *flatMap2(x: number) {
            await Promise.resolve();
            yield -x;
          },
        },
      },
    ]);
    p.start();
    await feed(p.processor, [
      [1, rows([1])],
      [2, rows([2, 3])],
      [1, rows([4])],
    ]);
    expect(p.take().values).toEqual([1, 1, -2, -3, 4, 4]);
  });

  it('refuses, when the processor is built, a function without flatMap1', async () => {
    const error = await failureOf<Error>(build([{ kind: 'co_flat_map', fn: { flatMap2: () => [] } }]));
    expect(error!.message).toBe('the CoFlatMapFunction has no flatMap1() method');
  });
});

describe('co_process', () => {
  const late = new OutputTag<string>('late');

  class Tagging extends CoProcessFunction<string, string, string> {
    processElement1(value: string, ctx: ProcessContext, out: Collector<string>): void {
      out.collect(`1:${value}@${ctx.timestamp()}`);
    }
    processElement2(value: string, ctx: ProcessContext, out: Collector<string>): Iterable<string> {
      if (value.startsWith('late')) ctx.output(late, `2:${value}`);
      else out.collect(`2:${value}@${ctx.timestamp()}`);
      return [`2:${value}:returned`];
    }
  }

  it('gives both methods the record timestamp and side outputs', async () => {
    const p = await build([{ kind: 'co_process', fn: new Tagging(), sideOutputs: ['late'] }], { timestamped: true });
    p.start();
    await feed(p.processor, [
      [1, rows(['a'], { timestamps: [5] })],
      [2, rows(['b', 'late-c'], { timestamps: [7, 8] })],
      [1, rows(['d'], { timestamps: [9] })],
    ]);
    const main = p.take();
    expect(main.values).toEqual(['1:a@5', '2:b@7', '2:b:returned', '2:late-c:returned', '1:d@9']);
    expect(main.timestamps).toEqual([5, 7, 7, 8, 9]);
    const side = p.take('t0:late');
    expect(side.values).toEqual(['2:late-c']);
    expect(side.timestamps).toEqual([8]);
    expect(p.processor.metrics()).toEqual({ t0: { elementsIn: 4, elementsOut: 6 } });
  });

  it('refuses timers off a keyed stream, as a ProcessFunction does', async () => {
    const p = await build([
      {
        kind: 'co_process',
        fn: {
          processElement1: () => undefined,
          processElement2: (_v: unknown, ctx: ProcessContext) => ctx.timerService().registerEventTimeTimer(10),
        },
      },
    ]);
    p.start();
    expect(p.processor.processInput(rows([1]), false, 1)).toBeUndefined();
    const error = thrownBy(() => p.processor.processInput(rows([2]), false, 2)) as FunctionFailure | null;
    expect(error).toBeInstanceOf(FunctionFailure);
    expect(error!.message).toBe('Setting timers is only supported on a keyed stream: use keyBy(...).process(...), or on connected streams connect two KeyedStreams (or keyBy(key1, key2))');
    expect(error!.record).toBe('2');
  });
});

describe('keyed_co_process', () => {
  /** Joins an order (input 1) with its payment (input 2), whichever comes first; an order unpaid 100 ms after it times out. */
  class Join extends KeyedCoProcessFunction<string, string, number, string> {
    private pending!: ValueState<string>;
    override open(context: RuntimeContext): void {
      this.pending = context.getState(new ValueStateDescriptor<string>('pending'));
    }
    processElement1(order: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
      const paid = this.pending.value();
      if (paid !== null && paid.startsWith('paid:')) {
        out.collect(`${ctx.getCurrentKey()}: ${order} ${paid}`);
        this.pending.clear();
        return;
      }
      this.pending.update(`order:${order}`);
      ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 100);
    }
    processElement2(amount: number, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
      const order = this.pending.value();
      if (order !== null && order.startsWith('order:')) {
        out.collect(`${ctx.getCurrentKey()}: ${order.slice('order:'.length)} paid:${amount}`);
        this.pending.clear();
        return;
      }
      this.pending.update(`paid:${amount}`);
    }
    override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
      const order = this.pending.value();
      if (order !== null) out.collect(`${ctx.getCurrentKey()}: ${order} timed out at ${timestamp}`);
      this.pending.clear();
    }
  }

  it('shares the key state between the two inputs, and fires its event-time timers on onTimer', async () => {
    const p = await build([{ kind: 'keyed_co_process', fn: new Join() }], { keyed: true, timestamped: true });
    p.start(0);
    await feed(p.processor, [
      [1, rows(['book', 'pen'], { keys: ['a', 'b'], timestamps: [10, 20] })],
      [2, rows([30, 7], { keys: ['a', 'c'], timestamps: [15, 25] })],
      [1, rows(['lamp'], { keys: ['c'], timestamps: [30] })],
    ]);
    expect(p.take().values).toEqual(['a: book paid:30', 'c: lamp paid:7']);
    await p.processor.finishBundle();
    // The host fires what is due at watermark 150: the timers of a (110, its state cleared) and b (120).
    const due = p.backend.popEventTimers(ALL_KEY_GROUPS, 150, 't0');
    expect(due.map((t) => t.timestamp)).toEqual([110, 120]);
    p.start(150);
    await p.processor.processTimers({ length: due.length, values: due.map(() => 0), keys: due.map((t) => t.key), timestamps: due.map((t) => t.timestamp) });
    const fired = p.take();
    expect(fired.values).toEqual(['b: order:pen timed out at 120']);
    expect(fired.timestamps).toEqual([120]);
    expect(p.processor.metrics()).toEqual({ t0: { elementsIn: 5, elementsOut: 3 } });
  });

  it("reads a second-input batch's state ahead of its rows, as a first-input batch's: no read blocks", async () => {
    const p = await build([{ kind: 'keyed_co_process', fn: new Join() }], { keyed: true, timestamped: true });
    p.start(0);
    await feed(p.processor, [[2, rows([1, 2, 3], { keys: ['x', 'y', 'z'], timestamps: [1, 2, 3] })]]);
    await feed(p.processor, [[1, rows(['u', 'v'], { keys: ['y', 'w'], timestamps: [4, 5] })]]);
    expect(p.take().values).toEqual(['y: u paid:2']);
    expect(p.blockingReads()).toBe(0);
  });

  it('refuses, when the processor is built, a function without processElement2', async () => {
    const error = await failureOf<Error>(
      build([{ kind: 'keyed_co_process', fn: { processElement1: () => undefined } }], { keyed: true }),
    );
    expect(error!.message).toBe('the KeyedCoProcessFunction has no processElement2() method');
  });
});

describe('failures on the second input', () => {
  const coMap = {
    map1: (x: number) => x,
    map2(x: number): number {
      if (x < 0) throw new RangeError(`negative: ${x}`);
      return x * 2;
    },
  };

  it('a throwing map2 fails with the operator, the function and the record', async () => {
    const p = await build([{ kind: 'co_map', fn: coMap }]);
    p.start();
    expect(p.processor.processInput(rows([1]), false, 1)).toBeUndefined();
    const error = thrownBy(() => p.processor.processInput(rows([3, -4]), false, 2));
    expect(error).toBeInstanceOf(FunctionFailure);
    const wire = (error as FunctionFailure).toWire();
    expect(wire).toMatchObject({ name: 'RangeError', message: 'negative: -4', operator: 'op0', transform: 't0', function: 'Object', record: '-4' });
  });

  it('an async map2 that rejects fails the same way (its promise handed over by the head)', async () => {
    const p = await build([{ kind: 'co_map', fn: { map1: (x: number) => x, map2: (x: number) => Promise.reject(new Error(`no ${x}`)) } }]);
    p.start();
    const error = await failureOf<FunctionFailure>(Promise.resolve(p.processor.processInput(rows([8]), false, 2)));
    expect(error).toBeInstanceOf(FunctionFailure);
    expect(error!.toWire()).toMatchObject({ message: 'no 8', operator: 'op0', record: '8' });
  });

  it('under the skip policy the record goes to the dead letters and the rest go on', async () => {
    const p = await build([{ kind: 'co_map', fn: coMap, failurePolicy: 'skip' }]);
    p.start();
    await feed(p.processor, [
      [2, rows([1, -2, 3])],
      [1, rows([-5])],
    ]);
    expect(p.take().values).toEqual([2, 6, -5]);
    const dead = p.take('t0/dead-letters').values as { record: unknown; operator: string; function: string; error: { name: string; message: string } }[];
    expect(dead.map(({ record, operator, function: fn, error }) => ({ record, operator, fn, name: error.name, message: error.message }))).toEqual([
      { record: -2, operator: 'op0', fn: 'Object', name: 'RangeError', message: 'negative: -2' },
    ]);
    expect(p.processor.metrics()).toEqual({ t0: { elementsIn: 4, elementsOut: 4 } });
  });

  it('under the skip policy a co_process drops what it emitted for the record it threw on', async () => {
    const p = await build(
      [
        {
          kind: 'co_process',
          fn: {
            processElement1: (x: number, _ctx: ProcessContext, out: Collector<number>) => out.collect(x),
            processElement2(x: number, _ctx: ProcessContext, out: Collector<number>) {
              out.collect(x);
              if (x === 0) throw new Error('zero');
            },
          },
          failurePolicy: 'skip',
        },
      ],
    );
    p.start();
    await feed(p.processor, [
      [2, rows([1, 0, 2])],
      [1, rows([0])],
    ]);
    expect(p.take().values).toEqual([1, 2, 0]);
    expect((p.take('t0/dead-letters').values as { record: unknown }[]).map((d) => d.record)).toEqual([0]);
  });
});

describe('a processor with one input', () => {
  it('refuses rows of a second input with a ProtocolError', async () => {
    const p = await build([{ kind: 'map', fn: (x: number) => x }], { twoInput: false });
    p.start();
    expect(() => p.processor.processInput(rows([1]), false, 2)).toThrow(
      new ProtocolError("processor 'p' has one input: it was sent rows of a second input"),
    );
    expect(p.processor.metrics()).toEqual({ t0: { elementsIn: 0, elementsOut: 0 } });
  });

  it('refuses a co transform, and a two-input processor one that does not begin with one', async () => {
    const coFirst = await failureOf<Error>(build([{ kind: 'co_map', fn: { map1: () => 1, map2: () => 2 } }], { twoInput: false }));
    expect(coFirst!.message).toBe('a co_map transform must be the first of a two-input processor');
    const mapFirst = await failureOf<Error>(build([{ kind: 'map', fn: (x: number) => x }], { twoInput: true }));
    expect(mapFirst!.message).toBe("a two-input processor must begin with a co_map, co_flat_map, co_process, keyed_co_process, broadcast_process or keyed_broadcast_process transform, not 'map'");
  });
});
