/**
 * The planner and connected streams: a two-input operator heads a stage of its own that reads
 * both inputs (each edge saying which), what follows it may chain to it, and records are
 * partitioned by key wherever a keyed stream is connected.
 */
import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment, Types, type DataStream } from '../host/index.ts';
import { planJob, type JobPlan } from '../host/graph/plan.ts';

function environment(): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
}

function planOf<T>(env: StreamExecutionEnvironment, stream: DataStream<T>): JobPlan {
  stream.print();
  return planJob(env['transformations'], env.getConfig());
}

/** Each UDF stage: its functions, whether it has two inputs and is keyed, and its edges as "from -> input n: partitioning". */
function udfStages(plan: JobPlan): unknown[] {
  return plan.stages.flatMap((s) =>
    s.kind !== 'udf'
      ? []
      : [
          {
            functions: s.transforms.map((t) => t.name),
            twoInput: s.twoInput,
            keyed: s.keyedInput,
            inputTypes: [s.inputType?.kind ?? 'GENERIC', s.input2Type?.kind ?? null],
            edges: s.inputs.map((e) => `${e.from.name} -> input ${e.input}: ${e.partitioning}`),
          },
        ],
  );
}

const map2 = { map1: (n: number) => String(n), map2: (s: string) => s };

describe('planning connected streams', () => {
  it('a co-map heads its own stage, reading both inputs with their types; a map after it chains', () => {
    const env = environment();
    const numbers = env.fromCollection([1], Types.LONG()).map((n: number) => n + 1, Types.LONG()).name('inc');
    const words = env.fromCollection(['a'], Types.STRING());
    const stream = numbers.connect(words).map(map2, Types.STRING()).name('both').map((s: string) => s.length).name('len');
    expect(udfStages(planOf(env, stream))).toEqual([
      { functions: ['inc'], twoInput: false, keyed: false, inputTypes: ['LONG', null], edges: ['Source: Collection Source -> input 1: forward'] },
      {
        functions: ['both', 'len'],
        twoInput: true,
        keyed: false,
        inputTypes: ['LONG', 'STRING'],
        edges: ['inc -> input 1: forward', 'Source: Collection Source -> input 2: forward'],
      },
    ]);
  });

  it('keyed connected streams are keyed and hash-partitioned on both inputs; keyBy(k1, k2) is the same', () => {
    for (const viaKeyBy of [false, true]) {
      const env = environment();
      const a = env.fromCollection([1]);
      const b = env.fromCollection(['x']);
      const connected = viaKeyBy
        ? a.connect(b).keyBy(
            (n) => String(n),
            (s) => s,
          )
        : a.keyBy((n) => String(n)).connect(b.keyBy((s) => s));
      const stages = udfStages(planOf(env, connected.process({ processElement1: () => undefined, processElement2: () => undefined })));
      expect(stages.at(-1)).toEqual({
        functions: ['Keyed Co-Process'],
        twoInput: true,
        keyed: true,
        inputTypes: ['GENERIC', null],
        edges: ['Key By -> input 1: hash', 'Key By -> input 2: hash'],
      });
    }
  });

  it('a keyed stream connected with one that is not keeps its partitioning by key; the operator is not keyed', () => {
    const env = environment().setParallelism(2);
    const keyed = env.fromCollection([1]).keyBy((n) => n);
    const plain = env.fromCollection(['x']);
    const stages = udfStages(planOf(env, keyed.connect(plain).map(map2)));
    expect(stages.at(-1)).toEqual({
      functions: ['Co-Map'],
      twoInput: true,
      keyed: false,
      inputTypes: ['GENERIC', null],
      edges: ['Key By -> input 1: hash', 'Source: Collection Source -> input 2: rebalance'],
    });
  });

  it('a broadcast stream connected to a keyed one reaches every instance', () => {
    const env = environment().setParallelism(2);
    const keyed = env.fromCollection([1]).keyBy((n) => n);
    const rules = env.fromCollection(['rule']);
    const stages = udfStages(planOf(env, keyed.connect(rules.broadcast()).map(map2)));
    expect(stages.at(-1)).toEqual({
      functions: ['Co-Map'],
      twoInput: true,
      keyed: false,
      inputTypes: ['GENERIC', null],
      edges: ['Key By -> input 1: hash', 'Source: Collection Source -> input 2: broadcast'],
    });
  });

  it('a stream connected with itself feeds both inputs, and is not chained into either', () => {
    const env = environment();
    const numbers = env.fromCollection([1]).map((n: number) => n).name('same');
    const stages = udfStages(planOf(env, numbers.connect(numbers).map({ map1: (n: number) => n, map2: (n: number) => -n })));
    expect(stages).toEqual([
      { functions: ['same'], twoInput: false, keyed: false, inputTypes: ['GENERIC', null], edges: ['Source: Collection Source -> input 1: forward'] },
      { functions: ['Co-Map'], twoInput: true, keyed: false, inputTypes: ['GENERIC', null], edges: ['same -> input 1: forward', 'same -> input 2: forward'] },
    ]);
  });

  it('getExecutionPlan() names the co operators and lists both predecessors', () => {
    const env = environment();
    const a = env.fromCollection([1]);
    const b = env.fromCollection(['x']);
    a.connect(b).flatMap({ flatMap1: () => undefined, flatMap2: () => undefined }).print();
    const nodes = (JSON.parse(env.getExecutionPlan()) as { nodes: { id: number; type: string; predecessors?: unknown[] }[] }).nodes;
    expect(nodes.find((n) => n.type === 'Co-Flat Map')).toEqual({
      id: 3,
      type: 'Co-Flat Map',
      pact: 'Operator',
      contents: 'Co-Flat Map',
      parallelism: 1,
      runs_in: 'udf-3',
      predecessors: [
        { id: 1, ship_strategy: 'FORWARD' },
        { id: 2, ship_strategy: 'FORWARD' },
      ],
    });
  });
});
