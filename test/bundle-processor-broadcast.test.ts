/**
 * A bundle processor headed by a broadcast process function (BroadcastConnectedStream.process),
 * built directly and fed by hand: rows of the first input go to processElement with a read-only
 * context, rows of the broadcast input (processInput with input 2, never keyed) to
 * processBroadcastElement, which may change the broadcast states; keyed, processElement and
 * onTimer have the key's state and timers and processBroadcastElement has no key. The broadcast
 * states' writes reach the host (as BROADCAST operations) when the bundle finishes.
 */
import { describe, expect, it } from 'vitest';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from '../shared/api/functions.ts';
import type {
  BroadcastProcessContext,
  BroadcastProcessReadOnlyContext,
  Collector,
  KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessReadOnlyContext,
  RuntimeContext,
  TimerService,
} from '../shared/api/contexts.ts';
import { OutputTag } from '../shared/api/output-tag.ts';
import type { ValueState } from '../shared/api/state.ts';
import { MapStateDescriptor, ValueStateDescriptor } from '../shared/api/state-descriptors.ts';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { sluice } from '../shared/generated/protocol.js';
import type { RegisterRequest, StateRequest, StateResponse } from '../shared/protocol/messages.ts';
import { createEmbeddedProcessor } from '../worker/embedded.ts';
import { BundleProcessor } from '../worker/processor/bundle-processor.ts';
import { FunctionFailure } from '../worker/processor/failure.ts';
import type { StateChannel } from '../worker/state/state-channel.ts';
import { WorkerKeyedState } from '../worker/state/worker-keyed-state.ts';
import { GENERIC_STATE_CODEC } from '../worker/state/worker-state-options.ts';
import { failureOf } from './support/failure.ts';
import { DEFAULT_OPTIONS } from './worker-state-fake-host.ts';

const { StateKind, StateOp } = sluice.fn.v1;
type Operation = sluice.fn.v1.IStateOperation;

const ALL_KEY_GROUPS = { start: 0, end: 127 };
const NO_KEY_MESSAGE = 'processBroadcastElement has no current key: keyed state and timers are only available in processElement and onTimer';

const RULES = new MapStateDescriptor<string, number>('rules');
const NOTES = new MapStateDescriptor<string, string>('notes');
const enc = (v: unknown): Uint8Array => GENERIC_STATE_CODEC.encode(v);

interface TransformDef {
  kind: string;
  fn: unknown;
  failurePolicy?: 'fail' | 'skip';
  sideOutputs?: string[];
  /** broadcast kinds: the broadcast states by name, with their entries as the host gives them. */
  broadcastStates?: Record<string, Array<[unknown, unknown]>>;
}

/**
 * The channel the processors' state goes through: BROADCAST operations are recorded (the host's
 * broadcast store is not this test's), the rest applied to a keyed state backend; answers wait
 * while `holding`.
 */
class Channel implements StateChannel {
  readonly backend = new KeyedStateBackend({ maxParallelism: 128 });
  readonly broadcast: Operation[] = [];
  /** The operations of each request, as they came. */
  readonly requests: Operation[][] = [];
  blockingReads = 0;
  holding = false;
  private held: Array<() => void> = [];

  request(request: StateRequest): Promise<StateResponse> {
    const response = this.serve(request);
    if (!this.holding) return Promise.resolve(response);
    return new Promise((resolve) => this.held.push(() => resolve(response)));
  }
  requestNow(request: StateRequest): StateResponse {
    this.blockingReads++;
    this.release();
    return this.serve(request);
  }
  release(): void {
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }
  get heldCount(): number {
    return this.held.length;
  }
  private serve(request: StateRequest): StateResponse {
    const operations = request.operations ?? [];
    this.requests.push(operations);
    const isBroadcast = (o: Operation): boolean => o.key?.kind === StateKind.BROADCAST;
    const keyed = this.backend.apply(
      operations.filter((o) => !isBroadcast(o)),
      { owned: ALL_KEY_GROUPS, maxParallelism: 128, instructionId: request.instructionId ?? '' },
    );
    let k = 0;
    return {
      results: operations.map((o) => {
        if (!isBroadcast(o)) return keyed[k++]!;
        this.broadcast.push(o);
        return {};
      }),
    };
  }
}

function register(transforms: TransformDef[], options: { keyed?: boolean; timestamped?: boolean }): RegisterRequest {
  return {
    processorId: 'p',
    transforms: transforms.map((t, i) => ({
      id: `t${i}`,
      name: `op${i}`,
      kind: t.kind,
      function: { urn: 'test', payload: Buffer.from(String(i)) },
      failurePolicy: t.failurePolicy ?? 'fail',
      sideOutputs: (t.sideOutputs ?? []).map((tag) => ({ id: `t${i}:${tag}`, tag })),
      broadcastStates: Object.entries(t.broadcastStates ?? {}).map(([name, entries]) => ({
        name,
        keys: entries.map(([k]) => enc(k)),
        values: entries.map(([, v]) => enc(v)),
      })),
    })),
    keyedInput: options.keyed ?? false,
    timestampedInput: options.timestamped ?? false,
    twoInput: true,
  };
}

/** A processor of `transforms` (ids t0, t1, …; names op0, op1, …). */
async function build(transforms: TransformDef[], options: { keyed?: boolean; timestamped?: boolean } = {}) {
  const channel = new Channel();
  const state = new WorkerKeyedState(channel, DEFAULT_OPTIONS, GENERIC_STATE_CODEC);
  const loadFunction = (spec: { payload?: Uint8Array | null }): Promise<unknown> =>
    Promise.resolve(transforms[Number(Buffer.from(spec.payload ?? []).toString())]!.fn);
  const processor = await BundleProcessor.create(register(transforms, options), { state, loadFunction }, 1024);
  let bundle = 0;
  const main = `t${transforms.length - 1}`;
  return {
    processor,
    channel,
    start(watermark = -Infinity): void {
      state.beginBundle(`b${++bundle}`);
      processor.startBundle(watermark);
    },
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

async function feed(processor: BundleProcessor, batches: [1 | 2, RowBatch][]): Promise<void> {
  for (const [input, batch] of batches) await processor.processInput(batch, false, input);
}

/** What `run` threw, synchronously; null if it returned. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (thrown) {
    return thrown;
  }
  return null;
}

/** Whether `p` has settled once every pending microtask has run. */
async function hasSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

const put = (name: string, key: unknown, value: unknown): Operation => ({
  key: { stateName: `t0/${name}`, kind: StateKind.BROADCAST, key: new Uint8Array(0) },
  op: StateOp.PUT,
  mapKey: enc(key),
  values: [enc(value)],
});

describe('broadcast_process', () => {
  const over = new OutputTag<string>('over');

  /** Rules are limits by kind; an element over its kind's limit goes to a side output. */
  class Limits extends BroadcastProcessFunction<[string, number], [string, number], string> {
    processElement([kind, n]: [string, number], ctx: BroadcastProcessReadOnlyContext, out: Collector<string>): void {
      const limit = ctx.getBroadcastState(RULES).get(kind);
      const context = `ts=${ctx.timestamp()} wm=${ctx.currentWatermark()} timers=${'timerService' in ctx}`;
      if (limit !== null && n > limit) ctx.output(over, `${kind}:${n}>${limit}`);
      else out.collect(`${kind}:${n} ok (${context})`);
    }
    processBroadcastElement([kind, limit]: [string, number], ctx: BroadcastProcessContext, out: Collector<string>): void {
      const rules = ctx.getBroadcastState(RULES);
      rules.put(kind, limit);
      out.collect(`rules@${ctx.timestamp()}: ${[...rules.entries()].map(([k, v]) => `${k}=${v}`).join(',')}`);
    }
  }

  it('calls processElement for the first input and processBroadcastElement for the second, with their contexts', async () => {
    const p = await build([{ kind: 'broadcast_process', fn: new Limits(), sideOutputs: ['over'], broadcastStates: { rules: [['b', 1]] } }], { timestamped: true });
    p.start(4);
    await feed(p.processor, [
      [1, rows([['a', 5]], { timestamps: [1] })],
      [2, rows([['a', 3], ['c', 9]], { timestamps: [2, 3] })],
      [1, rows([['a', 5], ['a', 2], ['b', 2]], { timestamps: [5, 6, 7] })],
    ]);
    const main = p.take();
    expect(main.values).toEqual([
      'a:5 ok (ts=1 wm=4 timers=false)',
      'rules@2: b=1,a=3',
      'rules@3: b=1,a=3,c=9',
      'a:2 ok (ts=6 wm=4 timers=false)',
    ]);
    expect(main.timestamps).toEqual([1, 2, 3, 6]);
    expect(p.take('t0:over').values).toEqual(['a:5>3', 'b:2>1']);
    expect(p.processor.metrics()).toEqual({ t0: { elementsIn: 6, elementsOut: 6 } });
  });

  it('sends the broadcast state writes when the bundle finishes, which waits for the host to have them', async () => {
    const p = await build([{ kind: 'broadcast_process', fn: new Limits(), sideOutputs: ['over'], broadcastStates: { rules: [] } }]);
    p.start();
    await feed(p.processor, [[2, rows([['a', 3], ['b', 4], ['a', 5]])]]);
    expect(p.channel.requests).toEqual([]);
    p.channel.holding = true;
    const finished = p.processor.finishBundle();
    expect(await hasSettled(finished)).toBe(false);
    expect(p.channel.heldCount).toBe(1);
    p.channel.release();
    await finished;
    expect(p.channel.broadcast).toEqual([put('rules', 'a', 3), put('rules', 'b', 4), put('rules', 'a', 5)]);
    expect(p.channel.requests).toHaveLength(1);
  });

  it('refuses a write from processElement, and a descriptor the stream was not broadcast with', async () => {
    const p = await build([
      {
        kind: 'broadcast_process',
        fn: {
          processElement(n: number, ctx: BroadcastProcessReadOnlyContext) {
            (ctx.getBroadcastState(RULES) as unknown as { put(k: string, v: number): void }).put('n', n);
          },
          processBroadcastElement(n: number, ctx: BroadcastProcessContext) {
            ctx.getBroadcastState(NOTES).put('n', String(n));
          },
        },
        broadcastStates: { rules: [] },
      },
    ]);
    p.start();
    const readOnly = thrownBy(() => p.processor.processInput(rows([7]), false, 1)) as FunctionFailure;
    expect(readOnly).toBeInstanceOf(FunctionFailure);
    expect(readOnly.message).toBe("put() on broadcast state 'rules' refused: it is read-only in processElement and onTimer; only processBroadcastElement may change it");
    expect(readOnly.record).toBe('7');
    const undeclared = thrownBy(() => p.processor.processInput(rows([8]), false, 2)) as FunctionFailure;
    expect(undeclared).toBeInstanceOf(FunctionFailure);
    expect(undeclared.message).toBe("no broadcast state 'notes': the stream was broadcast with 'rules' (give broadcast(...) every MapStateDescriptor the function uses)");
    expect(undeclared.record).toBe('8');
  });

  it('takes an async processBroadcastElement, and under skip sends a broadcast element it threw on to the dead letters', async () => {
    const p = await build([
      {
        kind: 'broadcast_process',
        fn: {
          processElement: (k: string, ctx: BroadcastProcessReadOnlyContext) => [`${k}=${ctx.getBroadcastState(RULES).get(k)}`],
          async processBroadcastElement([k, v]: [string, number], ctx: BroadcastProcessContext) {
            await Promise.resolve();
            if (v < 0) throw new RangeError(`negative ${k}`);
            ctx.getBroadcastState(RULES).put(k, v);
          },
        },
        failurePolicy: 'skip',
        broadcastStates: { rules: [] },
      },
    ]);
    p.start();
    await feed(p.processor, [
      [2, rows([['x', 1], ['y', -1], ['z', 3]])],
      [1, rows(['x', 'y', 'z'])],
    ]);
    expect(p.take().values).toEqual(['x=1', 'y=null', 'z=3']);
    const dead = p.take('t0/dead-letters').values as { record: unknown; error: { name: string; message: string } }[];
    expect(dead.map((d) => [d.record, d.error.name, d.error.message])).toEqual([[['y', -1], 'RangeError', 'negative y']]);
  });

  it('refuses, when the processor is built, a function without processBroadcastElement', async () => {
    const error = await failureOf<Error>(build([{ kind: 'broadcast_process', fn: { processElement: () => undefined } }]));
    expect(error).toBeInstanceOf(TypeError);
    expect(error!.message).toBe('the BroadcastProcessFunction has no processBroadcastElement() method');
  });
});

describe('keyed_broadcast_process', () => {
  /**
   * Counts elements per key and reports, at an event-time timer 10 ms after each, the count
   * against the limit the rules held then.
   */
  class Counts extends KeyedBroadcastProcessFunction<string, number, [string, number], string> {
    private count!: ValueState<number>;
    override open(ctx: RuntimeContext): void {
      this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
    }
    processElement(_n: number, ctx: KeyedBroadcastProcessReadOnlyContext<string>, out: Collector<string>): void {
      const count = (this.count.value() ?? 0) + 1;
      this.count.update(count);
      ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10);
      out.collect(`${ctx.getCurrentKey()}/${ctx.currentKey}: ${count} (limit ${ctx.getBroadcastState(RULES).get(ctx.getCurrentKey())})`);
    }
    processBroadcastElement([key, limit]: [string, number], ctx: BroadcastProcessContext): void {
      ctx.getBroadcastState(RULES).put(key, limit);
    }
    override onTimer(timestamp: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
      const limit = ctx.getBroadcastState(RULES).get(ctx.getCurrentKey());
      const refused = thrownBy(() => (ctx.getBroadcastState(RULES) as unknown as { clear(): void }).clear()) !== null;
      out.collect(`${ctx.currentKey}@${timestamp} ${ctx.timeDomain()} ts=${ctx.timestamp()}: ${this.count.value()} of ${limit} (write refused: ${refused})`);
    }
  }

  it('shares the rules between keys, keeps keyed state and timers in processElement, and fires onTimer with a read-only context', async () => {
    const p = await build([{ kind: 'keyed_broadcast_process', fn: new Counts(), broadcastStates: { rules: [] } }], { keyed: true, timestamped: true });
    p.start(0);
    await feed(p.processor, [
      [2, rows([['a', 2]], { timestamps: [0] })],
      [1, rows([1, 2], { keys: ['a', 'b'], timestamps: [10, 20] })],
      [2, rows([['b', 5]], { timestamps: [21] })],
      [1, rows([3], { keys: ['a'], timestamps: [30] })],
    ]);
    expect(p.take().values).toEqual(['a/a: 1 (limit 2)', 'b/b: 1 (limit null)', 'a/a: 2 (limit 2)']);
    await p.processor.finishBundle();
    expect(p.channel.broadcast).toEqual([put('rules', 'a', 2), put('rules', 'b', 5)]);
    const due = p.channel.backend.popEventTimers(ALL_KEY_GROUPS, 35, 't0');
    expect(due.map((t) => t.timestamp)).toEqual([20, 30]);
    p.start(35);
    await p.processor.processTimers({ length: due.length, values: due.map(() => 0), keys: due.map((t) => t.key), timestamps: due.map((t) => t.timestamp) });
    const fired = p.take();
    expect(fired.values).toEqual([
      'a@20 EVENT_TIME ts=20: 2 of 2 (write refused: true)',
      'b@30 EVENT_TIME ts=30: 1 of 5 (write refused: true)',
    ]);
    expect(fired.timestamps).toEqual([20, 30]);
    expect(p.channel.blockingReads).toBe(0);
  });

  it('has no key in processBroadcastElement: keyed state used there is refused, not applied to the key before it', async () => {
    let count!: ValueState<number>;
    const p = await build(
      [
        {
          kind: 'keyed_broadcast_process',
          fn: {
            open(ctx: RuntimeContext) {
              count = ctx.getState(new ValueStateDescriptor<number>('count'));
            },
            processElement: (n: number) => count.update(n),
            processBroadcastElement: (n: number) => count.update(n),
          },
          broadcastStates: { rules: [] },
        },
      ],
      { keyed: true },
    );
    p.start();
    // (The key's state is read ahead of the batch: processInput returns a promise.)
    await p.processor.processInput(rows([1], { keys: ['a'] }), false, 1);
    const error = thrownBy(() => p.processor.processInput(rows([2]), false, 2)) as FunctionFailure;
    expect(error).toBeInstanceOf(FunctionFailure);
    expect(error.message).toBe(NO_KEY_MESSAGE);
    expect(error.record).toBe('2');
    // The next element of the first input has its key again.
    await p.processor.processInput(rows([3], { keys: ['b'] }), false, 1);
    await p.processor.finishBundle();
    const values = p.channel.backend.apply(
      ['a', 'b'].map((k) => ({ key: { stateName: 't0/count', kind: StateKind.VALUE, key: encodeKey(k) }, op: StateOp.GET })),
      { owned: ALL_KEY_GROUPS, maxParallelism: 128, instructionId: 'check' },
    );
    expect(values.map((r) => GENERIC_STATE_CODEC.decode(r.values![0]!))).toEqual([1, 3]);
  });

  it("has no key in processBroadcastElement: a timer service kept from processElement refuses it there", async () => {
    let timers!: TimerService;
    const p = await build(
      [
        {
          kind: 'keyed_broadcast_process',
          fn: {
            processElement: (_n: number, ctx: KeyedBroadcastProcessReadOnlyContext<string>) => {
              timers = ctx.timerService();
            },
            processBroadcastElement: (n: number, ctx: BroadcastProcessContext) => {
              if ('timerService' in ctx) throw new Error('a broadcast context has no timer service');
              timers.registerEventTimeTimer(n);
            },
          },
        },
      ],
      { keyed: true },
    );
    p.start();
    expect(p.processor.processInput(rows([1], { keys: ['a'] }), false, 1)).toBeUndefined();
    const error = thrownBy(() => p.processor.processInput(rows([50]), false, 2)) as FunctionFailure;
    expect(error).toBeInstanceOf(FunctionFailure);
    expect(error.message).toBe(NO_KEY_MESSAGE);
    await p.processor.finishBundle();
    expect(p.channel.backend.popEventTimers(ALL_KEY_GROUPS, 100, 't0')).toEqual([]);
  });

  it('refuses, when the processor is built, a keyed_broadcast_process on input that is not keyed', async () => {
    const error = await failureOf<Error>(
      build([{ kind: 'keyed_broadcast_process', fn: { processElement: () => undefined, processBroadcastElement: () => undefined } }]),
    );
    expect(error!.message).toBe('a keyed_broadcast_process operator must be the first of a keyed processor');
  });
});

describe('embedded mode', () => {
  it('runs a broadcast head through the same processor, and its finishBundle sends the writes', async () => {
    const channel = new Channel();
    const fn = {
      processElement: (k: string, ctx: BroadcastProcessReadOnlyContext) => [`${k}=${ctx.getBroadcastState(RULES).get(k)}`],
      processBroadcastElement: ([k, v]: [string, number], ctx: BroadcastProcessContext) => ctx.getBroadcastState(RULES).put(k, v),
    };
    const request = register([{ kind: 'broadcast_process', fn, broadcastStates: { rules: [['old', 1]] } }], {});
    request.input2Type = '';
    const embedded = await createEmbeddedProcessor(request, () => Promise.resolve(fn), channel);
    embedded.startBundle(-Infinity, -Infinity);
    await embedded.process(rows([['new', 2]]), false, 2);
    await embedded.process(rows(['old', 'new']), false, 1);
    expect(embedded.takeOutputs()).toEqual([['t0', { length: 2, values: ['old=1', 'new=2'], keys: null, timestamps: null }]]);
    await embedded.finishBundle();
    expect(channel.broadcast).toEqual([put('rules', 'new', 2)]);
  });
});
