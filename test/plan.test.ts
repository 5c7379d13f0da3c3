/**
 * The planner's chains and edges (host/graph/plan.ts): where user functions share a worker, and
 * how records travel between stages when the user chose a partitioning.
 */
import { describe, expect, it } from 'vitest';
import {
  JobDefinitionError,
  OutputTag,
  ProcessFunction,
  StreamExecutionEnvironment,
  Types,
  WatermarkStrategy,
  type DataStream,
  type ProcessContext,
} from '../host/index.ts';
import { planJob, type JobPlan } from '../host/graph/plan.ts';
import { connects } from '../host/runtime/channel-pattern.ts';

function environment(): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
}

/** The plan of the job that prints `stream`. */
function planOf<T>(env: StreamExecutionEnvironment, stream: DataStream<T>): JobPlan {
  stream.print();
  return planJob(env['transformations'], env.getConfig());
}

/** Each stage as its kind and names: a UDF stage lists the functions chained in it. */
function stages(plan: JobPlan): string[] {
  return plan.stages.map((s) => (s.kind === 'udf' ? `udf[${s.transforms.map((t) => t.name).join(', ')}]` : s.kind));
}

/** Each edge as "from -> to: partitioning", by the stages' names. */
function edges(plan: JobPlan): string[] {
  return plan.stages.flatMap((s) => s.inputs.map((e) => `${e.from.name} -> ${e.to.name}: ${e.partitioning}`));
}

const inc = (x: number): number => x + 1;

/** Sends every record to its side output. */
export class SplitSide extends ProcessFunction<number, number> {
  constructor(private readonly tag: OutputTag<number>) {
    super();
  }
  processElement(value: number, ctx: ProcessContext): number[] {
    ctx.output(this.tag, value);
    return [];
  }
}

describe('chains', () => {
  it('chain consecutive functions, and go on through forward()', () => {
    const env = environment();
    const plan = planOf(env, env.fromCollection([1]).map(inc).name('a').forward().map(inc).name('b').map(inc).name('c'));
    expect(stages(plan)).toEqual(['source', 'udf[a, b, c]', 'sink']);
  });

  it('end at a partitioning the user chose', () => {
    const env = environment();
    const plan = planOf(env, env.fromCollection([1]).map(inc).name('a').rebalance().map(inc).name('b'));
    expect(stages(plan)).toEqual(['source', 'udf[a]', 'udf[b]', 'sink']);
    expect(edges(plan)).toEqual(['Source: Collection Source -> a: forward', 'a -> b: rebalance', 'b -> Sink: Print to Std. Out: forward']);
  });

  it('startNewChain() starts a chain that later functions join', () => {
    const env = environment();
    const plan = planOf(env, env.fromCollection([1]).map(inc).name('a').map(inc).name('b').startNewChain().map(inc).name('c'));
    expect(stages(plan)).toEqual(['source', 'udf[a]', 'udf[b, c]', 'sink']);
  });

  it('disableChaining() keeps a function out of the chains on both its sides', () => {
    const env = environment();
    const stream = env.fromCollection([1]).map(inc).name('a').map(inc).name('b').disableChaining().map(inc).name('c').map(inc).name('d');
    expect(stages(planOf(env, stream))).toEqual(['source', 'udf[a]', 'udf[b]', 'udf[c, d]', 'sink']);
  });

  it('chaining strategies apply only to operators that run a user function', () => {
    const env = environment();
    expect(() => env.fromCollection([1]).startNewChain()).toThrow('startNewChain() applies to operators that run a user function');
    expect(() => env.fromCollection([1]).map(inc).rebalance().disableChaining()).toThrow(
      'disableChaining() applies to operators that run a user function',
    );
  });
});

describe('parallelism', () => {
  /** Each stage as "names xN". */
  const parallelisms = (plan: JobPlan): string[] =>
    plan.stages.map((s) => `${s.kind === 'udf' ? s.transforms.map((t) => t.name).join(', ') : s.name} x${s.parallelism}`);

  it('refuses a parallelism that is not a positive integer number, showing what it was', () => {
    const stream = environment().fromSequence(1, 3);
    expect(() => stream.setParallelism('2' as unknown as number)).toThrow(new JobDefinitionError('parallelism must be a positive integer, got "2"'));
    expect(() => stream.setParallelism(2n as unknown as number)).toThrow(new JobDefinitionError('parallelism must be a positive integer, got 2n'));
    expect(() => stream.setParallelism(0)).toThrow(new JobDefinitionError('parallelism must be a positive integer, got 0'));
  });

  it("keyBy's key selector and assignTimestampsAndWatermarks take their input's parallelism, as in Flink", () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded', 'parallelism.default': 3 });
    const stream = env
      .fromCollection([1])
      .map(inc)
      .name('a')
      .setParallelism(2)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((x) => x))
      .keyBy((x) => x)
      .reduce((x, y) => x + y)
      .name('r');
    const plan = planOf(env, stream);
    expect(parallelisms(plan)).toEqual(['Source: Collection Source x1', 'a, Timestamps/Watermarks x2', 'Key By x2', 'r x3', 'Sink: Print to Std. Out x3']);
    expect(edges(plan)).toEqual([
      'Source: Collection Source -> a: rebalance',
      'a -> Key By: forward',
      'Key By -> r: hash',
      'r -> Sink: Print to Std. Out: forward',
    ]);
  });

  it('through a union (its first input), a partitioning and a side output, and partitionCustom() too', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded', 'parallelism.default': 3 });
    const a = env.fromCollection([1]).map(inc).name('a').setParallelism(2);
    const b = env.fromCollection([2]).name('b');
    const keyed = a.union(b).keyBy((x) => x).map(inc).name('k');
    expect(parallelisms(planOf(env, keyed))).toEqual(['Source: Collection Source x1', 'a x2', 'b x1', 'Key By x2', 'k x3', 'Sink: Print to Std. Out x3']);
    const sideTag = new OutputTag<number>('side', Types.LONG());
    const split = env.fromCollection([1]).process(new SplitSide(sideTag), Types.LONG()).name('split').setParallelism(2);
    expect(parallelisms(planOf(env, split.getSideOutput(sideTag).keyBy((x) => x).map(inc).name('s'))).slice(-4)).toEqual([
      'split x2',
      'Key By x2',
      's x3',
      'Sink: Print to Std. Out x3',
    ]);
    const env2 = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded', 'parallelism.default': 3 });
    const custom = env2.fromCollection([1]).rebalance().partitionCustom((k: number, n) => k % n, (x) => x).map(inc).name('c');
    expect(parallelisms(planOf(env2, custom))).toEqual(['Source: Collection Source x1', 'Partition Custom x1', 'c x3', 'Sink: Print to Std. Out x3']);
  });
});

describe('partitioning', () => {
  it('takes the partitioning nearest the consumer, on every input of a union', () => {
    const env = environment();
    const a = env.fromCollection([1]).name('a').broadcast();
    const b = env.fromCollection([2]).name('b');
    const plan = planOf(env, a.union(b).rebalance().shuffle().map(inc).name('c').setParallelism(2));
    expect(edges(plan)).toEqual(['a -> c: shuffle', 'b -> c: shuffle', 'c -> Sink: Print to Std. Out: rebalance']);
  });

  it('keeps the default where the user chose none: forward at equal parallelism, rebalance otherwise', () => {
    const env = environment();
    const a = env.fromCollection([1]).name('a').broadcast();
    const plan = planOf(env, a.union(env.fromCollection([2]).name('b')).map(inc).name('c').setParallelism(2));
    expect(edges(plan)).toEqual(['a -> c: broadcast', 'b -> c: rebalance', 'c -> Sink: Print to Std. Out: rebalance']);
  });

  it('refuses forward() between different parallelisms, naming both operators', () => {
    const env = environment();
    const stream = env.fromCollection([1]).forward().map(inc).name('Twice').setParallelism(2);
    expect(() => planOf(env, stream)).toThrow(
      "forward() cannot change the parallelism: 'Source: Collection Source' has parallelism 1 and 'Twice' 2; use rebalance(), rescale(), shuffle() or broadcast() instead",
    );
  });

  it('refuses to override the partitioning of a keyed stream', () => {
    const keyed = environment().fromCollection([1]).keyBy((x) => x);
    expect(() => keyed.rebalance()).toThrow('rebalance() cannot override the partitioning of a KeyedStream: it is partitioned by key');
    expect(() => keyed.forward()).toThrow('forward() cannot override the partitioning of a KeyedStream: it is partitioned by key');
    expect(() => keyed.partitionCustom((k: number, n) => k % n, (x) => x)).toThrow(
      'partitionCustom() cannot override the partitioning of a KeyedStream: it is partitioned by key',
    );
  });

  it('partitionCustom() ends its chain, and its consumers read it by the partition chosen', () => {
    const env = environment();
    const stream = env
      .fromCollection([1])
      .map(inc)
      .name('a')
      .partitionCustom((k: number, n) => k % n, (x) => x)
      .map(inc)
      .name('b')
      .setParallelism(3);
    const plan = planOf(env, stream);
    expect(stages(plan)).toEqual(['source', 'udf[a, Partition Custom]', 'udf[b]', 'sink']);
    expect(edges(plan)).toEqual(['Source: Collection Source -> a: forward', 'a -> b: custom', 'b -> Sink: Print to Std. Out: rebalance']);
  });

  it('a partitioning after partitionCustom() replaces it', () => {
    const env = environment();
    const stream = env.fromCollection([1]).partitionCustom((k: number, n) => k % n, (x) => x).shuffle().map(inc).name('b').setParallelism(2);
    expect(edges(planOf(env, stream))).toContain('Partition Custom -> b: shuffle');
  });

  it('refuses consumers of one partitionCustom() with different parallelisms, and functions of the wrong shape', () => {
    const env = environment();
    const partitioned = env.fromCollection([1]).partitionCustom((k: number, n) => k % n, (x) => x);
    partitioned.map(inc).name('two').setParallelism(2).print();
    partitioned.map(inc).name('three').setParallelism(3).print();
    expect(() => planJob(env['transformations'], env.getConfig())).toThrow(
      "the operators after partitionCustom() ('Partition Custom') must have one parallelism, the number of partitions; got 2 and 3",
    );
    expect(() => env.fromCollection([1]).partitionCustom({} as never, (x) => x)).toThrow(
      'partitionCustom(): the partitioner must be a function or an object with a partition() method',
    );
  });

  it('refuses a name, parallelism and uid on the stream a partitioning returns', () => {
    const shuffled = environment().fromCollection([1]).shuffle();
    expect(() => shuffled.setParallelism(2)).toThrow(
      'setParallelism() applies to sources, operators and sinks, not to the stream shuffle() returns: call it on the operator that follows',
    );
    expect(() => shuffled.uid('x')).toThrow('uid() applies to sources, operators and sinks, not to the stream shuffle() returns');
    expect(() => shuffled.name('x')).toThrow('name() applies to sources, operators and sinks, not to the stream shuffle() returns');
  });
});

describe('channels of a rescale', () => {
  /** For each producer, the consumers it has a channel to. */
  function pattern(producers: number, consumers: number): number[][] {
    return Array.from({ length: producers }, (_, u) =>
      Array.from({ length: consumers }, (_, s) => s).filter((s) => connects('rescale', u, producers, s, consumers)),
    );
  }

  it('fan out to contiguous runs of consumers', () => {
    expect(pattern(2, 4)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(pattern(2, 5)).toEqual([
      [0, 1],
      [2, 3, 4],
    ]);
  });

  it('fan in from contiguous runs of producers', () => {
    expect(pattern(4, 2)).toEqual([[0], [0], [1], [1]]);
    expect(pattern(3, 2)).toEqual([[0], [1], [1]]);
  });

  it('connect subtask to subtask at equal parallelism', () => {
    expect(pattern(3, 3)).toEqual([[0], [1], [2]]);
  });
});
