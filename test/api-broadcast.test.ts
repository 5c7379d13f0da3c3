/**
 * The broadcast state pattern's API: broadcast(descriptors) makes a BroadcastStream (broadcast()
 * alone stays a partitioning), connect() of it a BroadcastConnectedStream whose process() adds a
 * broadcast_process or keyed_broadcast_process transformation; what does not fit is refused
 * where it is given, with a message saying what was expected. The types are checked too (this
 * file is typechecked): a plain object's methods get their parameters' types.
 */
import { describe, expect, it } from 'vitest';
import {
  BroadcastConnectedStream,
  BroadcastProcessFunction,
  BroadcastStream,
  CoProcessFunction,
  ConnectedStreams,
  DataStream,
  JobDefinitionError,
  KeyedBroadcastProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  StateTtlConfig,
  StreamExecutionEnvironment,
  Time,
  Types,
  ValueStateDescriptor,
  type BroadcastProcessContext,
  type BroadcastProcessReadOnlyContext,
  type Collector,
  type KeyedBroadcastProcessReadOnlyContext,
  type KeyedStream,
} from '../host/index.ts';
import type { Transformation, UdfTransformation } from '../host/graph/transformation.ts';

function environment(): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
}

function transformationsOf(env: StreamExecutionEnvironment): Transformation[] {
  return env['transformations'];
}

const RULES = new MapStateDescriptor<string, number>('rules', Types.STRING(), Types.LONG());
const NAMES = new MapStateDescriptor<string, string>('names', Types.STRING(), Types.STRING());

class Rules extends BroadcastProcessFunction<number, string, string> {
  processElement(n: number, ctx: BroadcastProcessReadOnlyContext, out: Collector<string>): void {
    out.collect(`${n}: ${ctx.getBroadcastState(RULES).get('limit') ?? 'none'}`);
  }
  processBroadcastElement(rule: string, ctx: BroadcastProcessContext): void {
    ctx.getBroadcastState(RULES).put(rule, rule.length);
  }
}

class KeyedRules extends KeyedBroadcastProcessFunction<string, number, string, string> {
  processElement(n: number, ctx: KeyedBroadcastProcessReadOnlyContext<string>, out: Collector<string>): void {
    out.collect(`${ctx.getCurrentKey()}: ${n}`);
  }
  processBroadcastElement(rule: string, ctx: BroadcastProcessContext): void {
    ctx.getBroadcastState(RULES).put(rule, 1);
  }
}

class Join extends CoProcessFunction<number, string, string> {
  processElement1(): void {}
  processElement2(): void {}
}

interface Streams {
  env: StreamExecutionEnvironment;
  numbers: DataStream<number>;
  keyed: KeyedStream<number, string>;
  words: DataStream<string>;
}

function streams(): Streams {
  const env = environment();
  const numbers = env.fromCollection([1, 2], Types.LONG());
  return { env, numbers, keyed: numbers.keyBy((n) => String(n)), words: env.fromCollection(['a'], Types.STRING()) };
}

describe('broadcast()', () => {
  it('without descriptors is the partitioning it was: a DataStream', () => {
    const { words } = streams();
    const partitioned: DataStream<string> = words.broadcast();
    expect(partitioned).toBeInstanceOf(DataStream);
    expect(partitioned.transformation).toMatchObject({ kind: 'partition', partitioning: 'broadcast', input: words.transformation });
  });

  it('with descriptors makes a BroadcastStream over the broadcast partitioning, its descriptors in order', () => {
    const { env, words } = streams();
    const before = transformationsOf(env).length;
    const rules: BroadcastStream<string> = words.broadcast(RULES, NAMES);
    expect(rules).toBeInstanceOf(BroadcastStream);
    expect(rules).not.toBeInstanceOf(DataStream);
    expect('map' in rules).toBe(false);
    expect(rules.getBroadcastStateDescriptors()).toEqual([RULES, NAMES]);
    expect(rules.getType()).toBe(words.getType());
    expect(rules.getExecutionEnvironment()).toBe(env);
    expect(rules.transformation).toMatchObject({ kind: 'partition', name: 'Broadcast', partitioning: 'broadcast', input: words.transformation });
    expect(transformationsOf(env).slice(before)).toEqual([rules.transformation]);
  });

  it.each([
    ['a ValueStateDescriptor', [new ValueStateDescriptor('v')], 'argument 1 is a ValueStateDescriptor'],
    ['a ListStateDescriptor after a MapStateDescriptor', [RULES, new ListStateDescriptor('l')], 'argument 2 is a ListStateDescriptor'],
    ['a name', ['rules'], 'argument 1 is a string'],
    ['undefined', [undefined], 'argument 1 is undefined'],
    ['null', [NAMES, null], 'argument 2 is null'],
    ['a plain object', [{ name: 'rules', kind: 'map' }], 'argument 1 is an object'],
  ])('refuses %s, adding nothing to the job', (_what, args, said) => {
    const { env, words } = streams();
    const before = transformationsOf(env).length;
    expect(() => (words.broadcast as (...a: unknown[]) => unknown)(...args)).toThrow(
      new JobDefinitionError(`broadcast() takes MapStateDescriptors, one per broadcast state; ${said}`),
    );
    expect(transformationsOf(env)).toHaveLength(before);
  });

  it('refuses two broadcast states of one name', () => {
    const { words } = streams();
    const again = new MapStateDescriptor<string, string>('rules', Types.STRING(), Types.STRING());
    expect(() => words.broadcast(RULES, NAMES, again)).toThrow(
      new JobDefinitionError("broadcast(): two broadcast states are named 'rules'; give each MapStateDescriptor a name of its own"),
    );
  });

  it('refuses a descriptor with a time-to-live: broadcast state has none', () => {
    const { env, words } = streams();
    const before = transformationsOf(env).length;
    const expiring = new MapStateDescriptor<string, number>('expiring', Types.STRING(), Types.LONG()).enableTimeToLive(
      StateTtlConfig.newBuilder(Time.minutes(5)).build(),
    );
    expect(() => words.broadcast(RULES, expiring)).toThrow(
      new JobDefinitionError(
        "broadcast(): broadcast state 'expiring' has a time-to-live; broadcast state has none (state TTL is for keyed state, as in Flink): remove enableTimeToLive() from its descriptor",
      ),
    );
    expect(transformationsOf(env)).toHaveLength(before);
  });

  it('a broadcast process function given to streams connected without a BroadcastStream is told how to make one', () => {
    const { words, numbers } = streams();
    expect(() => numbers.connect(words.broadcast()).process(new Rules() as never)).toThrow(
      new JobDefinitionError(
        'process() on connected streams takes a CoProcessFunction: an object with processElement1() and processElement2() methods; got a Rules without processElement1() or processElement2(); ' +
          'a broadcast process function needs a BroadcastStream: connect stream.broadcast(descriptor, ...), given the MapStateDescriptors of its broadcast state',
      ),
    );
  });

  it('is refused on a KeyedStream, as every partitioning is, with or without descriptors', () => {
    const { keyed } = streams();
    const refusal = new JobDefinitionError('broadcast() cannot override the partitioning of a KeyedStream: it is partitioned by key');
    expect(() => keyed.broadcast(RULES)).toThrow(refusal);
    expect(() => keyed.broadcast()).toThrow(refusal);
  });
});

describe('connect(broadcastStream).process()', () => {
  it('on a DataStream adds a broadcast_process reading this stream and the broadcast partitioning, with its states', () => {
    const { numbers, words } = streams();
    const rules = words.broadcast(RULES, NAMES);
    const connected: BroadcastConnectedStream<number, string> = numbers.connect(rules);
    expect(connected).toBeInstanceOf(BroadcastConnectedStream);
    expect(connected.keyed).toBe(false);
    const fn = new Rules();
    const out = connected.process(fn, Types.STRING());
    expect(out.transformation).toMatchObject({
      kind: 'udf',
      udf: 'broadcast_process',
      name: 'Co-Process-Broadcast',
      fn,
      input: numbers.transformation,
      input2: rules.transformation,
      keyedInput: false,
      broadcastStates: [RULES, NAMES],
    });
    expect(out.getType()).toEqual(Types.STRING());
  });

  it('on a KeyedStream adds a keyed_broadcast_process, keyed by the first stream alone', () => {
    const { keyed, words } = streams();
    const rules = words.broadcast(RULES);
    const connected: BroadcastConnectedStream<number, string, string> = keyed.connect(rules);
    expect(connected.keyed).toBe(true);
    const out = connected.process(new KeyedRules());
    expect(out.transformation).toMatchObject({
      udf: 'keyed_broadcast_process',
      name: 'Co-Process-Broadcast-Keyed',
      input: keyed.transformation,
      input2: rules.transformation,
      keyedInput: true,
      broadcastStates: [RULES],
    });
  });

  it("holds a KeyedBroadcastProcessFunction to the stream's key type", () => {
    const { numbers, words } = streams();
    const byNumber = numbers.keyBy((n) => n).connect(words.broadcast(RULES));
    // @ts-expect-error KeyedRules is keyed by string, the stream by number
    expect((byNumber.process(new KeyedRules()).transformation as UdfTransformation).udf).toBe('keyed_broadcast_process');
  });

  it('on a KeyedStream takes a BroadcastProcessFunction too, and a plain object', () => {
    const { keyed, words } = streams();
    const rules = words.broadcast(RULES);
    expect((keyed.connect(rules).process(new Rules()).transformation as UdfTransformation).udf).toBe('keyed_broadcast_process');
    const plain = keyed.connect(rules).process(
      {
        processElement(n, ctx, out) {
          const key: string = ctx.getCurrentKey();
          ctx.timerService().registerEventTimeTimer(n);
          out.collect(`${key}${ctx.getBroadcastState(RULES).get(key) ?? 0}`);
        },
        processBroadcastElement(rule, ctx) {
          const text: string = rule;
          ctx.getBroadcastState(RULES).put(text, 1);
        },
        onTimer(timestamp, ctx, out) {
          out.collect(`${ctx.getCurrentKey()}@${timestamp}`);
        },
      },
      Types.STRING(),
    );
    expect((plain.transformation as UdfTransformation).udf).toBe('keyed_broadcast_process');
  });

  it('types a plain object by the stream: the element side reads, the broadcast side writes', () => {
    const { numbers, words } = streams();
    const out: DataStream<string> = numbers.connect(words.broadcast(RULES)).process({
      processElement(n, ctx, collector) {
        const value: number = n;
        // @ts-expect-error the element side's broadcast state is read only
        ctx.getBroadcastState(RULES).put('x', value);
        // @ts-expect-error no timers without a key
        ctx.timerService();
        collector.collect(String(ctx.getBroadcastState(RULES).get('x')));
      },
      processBroadcastElement(rule, ctx) {
        ctx.getBroadcastState(RULES).put(rule, rule.length);
      },
    });
    expect((out.transformation as UdfTransformation).udf).toBe('broadcast_process');
  });

  it('keeps the types of connect() of DataStreams', () => {
    const { numbers, keyed, words } = streams();
    const plain: ConnectedStreams<number, string> = numbers.connect(words);
    const keyedPair: ConnectedStreams<number, string, string> = keyed.connect(words.keyBy((w) => w));
    const keyedWithPlain: ConnectedStreams<number, string> = keyed.connect(words);
    for (const c of [plain, keyedPair, keyedWithPlain]) expect(c).toBeInstanceOf(ConnectedStreams);
    // @ts-expect-error a BroadcastStream is no DataStream
    const notAStream: DataStream<string> = words.broadcast(RULES);
    expect(notAStream).toBeInstanceOf(BroadcastStream);
  });

  it('refuses a KeyedBroadcastProcessFunction when the first stream is not keyed', () => {
    const { numbers, words } = streams();
    expect(() => numbers.connect(words.broadcast(RULES)).process(new KeyedRules() as never)).toThrow(
      new JobDefinitionError(
        'process(): a KeyedBroadcastProcessFunction needs a keyed stream: key the first stream with keyBy() before connect(broadcastStream), or give a BroadcastProcessFunction',
      ),
    );
  });

  it.each([
    ['a plain function', (n: number) => n, 'got a plain function'],
    ['undefined', undefined, 'got undefined'],
    ['null', null, 'got null'],
    ['an object without processBroadcastElement()', { processElement: () => undefined }, 'got an object without processBroadcastElement()'],
    ['a CoProcessFunction', new Join(), 'got a Join without processElement() or processBroadcastElement()'],
  ])('refuses %s, naming what it takes', (_what, fn, got) => {
    const { numbers, keyed, words } = streams();
    const rules = words.broadcast(RULES);
    expect(() => numbers.connect(rules).process(fn as never)).toThrow(
      new JobDefinitionError(
        `process() on a broadcast connected stream takes a BroadcastProcessFunction: an object with processElement() and processBroadcastElement() methods; ${got}`,
      ),
    );
    expect(() => keyed.connect(rules).process(fn as never)).toThrow(
      new JobDefinitionError(
        `process() on a broadcast connected stream takes a KeyedBroadcastProcessFunction (or a BroadcastProcessFunction): an object with processElement() and processBroadcastElement() methods; ${got}`,
      ),
    );
  });

  it('refuses the class instead of an instance, and an output type that is not a Types.X() value', () => {
    const { numbers, words } = streams();
    const connected = numbers.connect(words.broadcast(RULES));
    expect(() => connected.process(Rules as never)).toThrow(new JobDefinitionError('process(): pass an instance of the class, not the class itself (new Rules())'));
    expect(() => connected.process(new Rules(), 'STRING' as never)).toThrow(new JobDefinitionError('Co-Process-Broadcast: the output type must be a Types.X() value'));
  });

  it('refuses a BroadcastStream of another environment, from a DataStream and from a KeyedStream', () => {
    const { numbers, keyed } = streams();
    const elsewhere = environment().fromCollection(['a']).broadcast(RULES);
    const refusal = new JobDefinitionError('connect() takes a stream of the same environment');
    expect(() => numbers.connect(elsewhere)).toThrow(refusal);
    expect(() => keyed.connect(elsewhere)).toThrow(refusal);
  });
});
