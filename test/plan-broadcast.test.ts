/**
 * The planner and the broadcast state pattern: a broadcast process function heads a two-input
 * stage of its own; its second input (the BroadcastStream) is partitioned 'broadcast' to every
 * instance, never by key, even when the first input is a KeyedStream partitioned by hash; what
 * follows it may chain to it; getExecutionPlan() shows BROADCAST for that input.
 */
import { describe, expect, it } from 'vitest';
import {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  MapStateDescriptor,
  StreamExecutionEnvironment,
  Types,
  type DataStream,
} from '../host/index.ts';
import { planJob, type JobPlan } from '../host/graph/plan.ts';

function environment(parallelism: number): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' }).setParallelism(parallelism);
}

function planOf<T>(env: StreamExecutionEnvironment, stream: DataStream<T>): JobPlan {
  stream.print();
  return planJob(env['transformations'], env.getConfig());
}

/** Each UDF stage: its head's kind, its functions, parallelism, inputs, and its edges as "producing operator -> input n: partitioning". */
function udfStages(plan: JobPlan): unknown[] {
  return plan.stages.flatMap((s) =>
    s.kind !== 'udf'
      ? []
      : [
          {
            head: s.transforms[0]!.udf,
            functions: s.transforms.map((t) => t.name),
            parallelism: s.parallelism,
            twoInput: s.twoInput,
            keyed: s.keyedInput,
            inputTypes: [s.inputType?.kind ?? 'GENERIC', s.input2Type?.kind ?? null],
            edges: s.inputs.map((e) => `${e.producer.name} -> input ${e.input}: ${e.partitioning}`),
          },
        ],
  );
}

const RULES = new MapStateDescriptor<string, number>('rules', Types.STRING(), Types.LONG());

class Limits extends BroadcastProcessFunction<number, string, string> {
  processElement(): void {}
  processBroadcastElement(): void {}
}

class KeyedLimits extends KeyedBroadcastProcessFunction<string, number, string, string> {
  processElement(): void {}
  processBroadcastElement(): void {}
}

/** Numbers (LONG, a parallel source) through 'inc', rules (STRING, one instance) through 'parse' and broadcast. */
function inputs(env: StreamExecutionEnvironment): { numbers: DataStream<number>; rules: DataStream<string> } {
  return {
    numbers: env.fromSequence(1, 10).map((n: number) => n + 1, Types.LONG()).name('inc'),
    rules: env.fromCollection(['r'], Types.STRING()).map((s: string) => s, Types.STRING()).name('parse'),
  };
}

describe('planning a broadcast process function', () => {
  it.each([1, 3])('not keyed, parallelism %i: its own stage, input 1 as for any operator, input 2 broadcast; a map after it chains', (p) => {
    const env = environment(p);
    const { numbers, rules } = inputs(env);
    const out = numbers.connect(rules.broadcast(RULES)).process(new Limits(), Types.STRING()).name('limits').map((s: string) => s.length).name('len');
    expect(udfStages(planOf(env, out))).toEqual([
      { head: 'map', functions: ['inc'], parallelism: p, twoInput: false, keyed: false, inputTypes: ['LONG', null], edges: ['Source: Sequence Source -> input 1: forward'] },
      {
        head: 'map',
        functions: ['parse'],
        parallelism: p,
        twoInput: false,
        keyed: false,
        inputTypes: ['STRING', null],
        edges: [`Source: Collection Source -> input 1: ${p === 1 ? 'forward' : 'rebalance'}`],
      },
      {
        head: 'broadcast_process',
        functions: ['limits', 'len'],
        parallelism: p,
        twoInput: true,
        keyed: false,
        inputTypes: ['LONG', 'STRING'],
        edges: ['inc -> input 1: forward', 'parse -> input 2: broadcast'],
      },
    ]);
  });

  it.each([1, 3])('keyed, parallelism %i: input 1 by hash, input 2 broadcast, never by key', (p) => {
    const env = environment(p);
    const { numbers, rules } = inputs(env);
    const out = numbers
      .keyBy((n) => String(n))
      .connect(rules.broadcast(RULES))
      .process(new KeyedLimits(), Types.STRING())
      .name('limits')
      .map((s: string) => s.length)
      .name('len');
    expect(udfStages(planOf(env, out))).toEqual([
      {
        head: 'map',
        functions: ['inc', 'Key By'],
        parallelism: p,
        twoInput: false,
        keyed: false,
        inputTypes: ['LONG', null],
        edges: ['Source: Sequence Source -> input 1: forward'],
      },
      {
        head: 'map',
        functions: ['parse'],
        parallelism: p,
        twoInput: false,
        keyed: false,
        inputTypes: ['STRING', null],
        edges: [`Source: Collection Source -> input 1: ${p === 1 ? 'forward' : 'rebalance'}`],
      },
      {
        head: 'keyed_broadcast_process',
        functions: ['limits', 'len'],
        parallelism: p,
        twoInput: true,
        keyed: true,
        inputTypes: ['LONG', 'STRING'],
        edges: ['Key By -> input 1: hash', 'parse -> input 2: broadcast'],
      },
    ]);
  });

  it('a broadcast stream made of a keyed one is still broadcast, not partitioned by its key', () => {
    const env = environment(2);
    const { numbers, rules } = inputs(env);
    const keyedRules = rules.keyBy((s) => s).union(env.fromCollection(['s'], Types.STRING()));
    const out = numbers.keyBy((n) => String(n)).connect(keyedRules.broadcast(RULES)).process(new KeyedLimits());
    expect(udfStages(planOf(env, out)).at(-1)).toEqual({
      head: 'keyed_broadcast_process',
      functions: ['Co-Process-Broadcast-Keyed'],
      parallelism: 2,
      twoInput: true,
      keyed: true,
      inputTypes: ['LONG', 'STRING'],
      edges: ['Key By -> input 1: hash', 'Key By -> input 2: broadcast', 'Source: Collection Source -> input 2: broadcast'],
    });
  });

  it('is never chained into its first input, even of its parallelism and with no other consumer', () => {
    const env = environment(1);
    const numbers = env.fromCollection([1], Types.LONG()).map((n: number) => n, Types.LONG()).name('only');
    const rules = env.fromCollection(['r'], Types.STRING()).broadcast(RULES);
    const out = numbers.connect(rules).process(new Limits()).name('limits');
    expect(udfStages(planOf(env, out))).toEqual([
      { head: 'map', functions: ['only'], parallelism: 1, twoInput: false, keyed: false, inputTypes: ['LONG', null], edges: ['Source: Collection Source -> input 1: forward'] },
      {
        head: 'broadcast_process',
        functions: ['limits'],
        parallelism: 1,
        twoInput: true,
        keyed: false,
        inputTypes: ['LONG', 'STRING'],
        edges: ['only -> input 1: forward', 'Source: Collection Source -> input 2: broadcast'],
      },
    ]);
  });

  it('one broadcast stream connected to two operators reaches every instance of both', () => {
    const env = environment(2);
    const { numbers, rules } = inputs(env);
    const broadcast = rules.broadcast(RULES);
    const first = numbers.connect(broadcast).process(new Limits()).name('first');
    numbers.keyBy((n) => String(n)).connect(broadcast).process(new KeyedLimits()).name('second').print();
    const stages = udfStages(planOf(env, first)) as { functions: string[]; edges: string[] }[];
    expect(stages.filter((s) => s.functions[0] === 'first' || s.functions[0] === 'second').map((s) => s.edges)).toEqual([
      ['inc -> input 1: forward', 'parse -> input 2: broadcast'],
      ['Key By -> input 1: hash', 'parse -> input 2: broadcast'],
    ]);
  });
});

describe('getExecutionPlan() of a broadcast process function', () => {
  interface Node {
    id: number;
    type: string;
    contents: string;
    parallelism: number;
    runs_in: string;
    predecessors?: unknown[];
  }
  const nodesOf = (env: StreamExecutionEnvironment): Node[] => (JSON.parse(env.getExecutionPlan()) as { nodes: Node[] }).nodes;

  it('keyed, parallelism 3: HASH from the key selector, BROADCAST from the broadcast stream', () => {
    const env = environment(3);
    const numbers = env.fromSequence(1, 10); // 1
    const rules = env.fromCollection(['r'], Types.STRING()); // 2
    numbers
      .keyBy((n) => String(n)) // 3
      .connect(rules.broadcast(RULES)) // 4: the partitioning
      .process(new KeyedLimits()) // 5
      .print(); // 6
    expect(nodesOf(env).find((n) => n.id === 5)).toEqual({
      id: 5,
      type: 'Co-Process-Broadcast-Keyed',
      pact: 'Operator',
      contents: 'Co-Process-Broadcast-Keyed',
      parallelism: 3,
      runs_in: 'udf-5',
      predecessors: [
        { id: 3, ship_strategy: 'HASH' },
        { id: 2, ship_strategy: 'BROADCAST' },
      ],
    });
  });

  it('not keyed, parallelism 1: FORWARD and BROADCAST, and the map after it in its stage', () => {
    const env = environment(1);
    const numbers = env.fromCollection([1], Types.LONG()); // 1
    const rules = env.fromCollection(['r'], Types.STRING()); // 2
    numbers
      .connect(rules.broadcast(RULES)) // 3: the partitioning
      .process(new Limits(), Types.STRING()) // 4
      .map((s: string) => s) // 5
      .print(); // 6
    expect(nodesOf(env).filter((n) => n.id === 4 || n.id === 5)).toEqual([
      {
        id: 4,
        type: 'Co-Process-Broadcast',
        pact: 'Operator',
        contents: 'Co-Process-Broadcast',
        parallelism: 1,
        runs_in: 'udf-4',
        predecessors: [
          { id: 1, ship_strategy: 'FORWARD' },
          { id: 2, ship_strategy: 'BROADCAST' },
        ],
      },
      { id: 5, type: 'Map', pact: 'Operator', contents: 'Map', parallelism: 1, runs_in: 'udf-4', predecessors: [{ id: 4, ship_strategy: 'FORWARD' }] },
    ]);
  });
});
