/**
 * The streams union() and getSideOutput() return are no operators (in Flink they are
 * DataStreams, not SingleOutputStreamOperators): name(), uid(), setParallelism(),
 * setDescription() and forceNonParallel() on them are refused as on the stream rebalance()
 * returns, instead of being accepted and dropped.
 */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, OutputTag, ProcessFunction, StreamExecutionEnvironment, Types, type Collector, type DataStream, type ProcessContext } from '../host/index.ts';

const ODD = new OutputTag<number>('odd', Types.INT());

class Split extends ProcessFunction<number, number> {
  processElement(v: number, ctx: ProcessContext, out: Collector<number>): void {
    if (v % 2 === 1) ctx.output(ODD, v);
    else out.collect(v);
  }
}

function environment(): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
}

const CALLS: [string, (s: DataStream<number>) => unknown][] = [
  ['name', (s) => s.name('n')],
  ['uid', (s) => s.uid('u')],
  ['setParallelism', (s) => s.setParallelism(3)],
  ['setDescription', (s) => s.setDescription('d')],
  ['forceNonParallel', (s) => s.forceNonParallel()],
];

describe.each([
  ['union()', (env: StreamExecutionEnvironment) => env.fromCollection([1], Types.INT()).union(env.fromCollection([2], Types.INT()))],
  ['getSideOutput()', (env: StreamExecutionEnvironment) => env.fromCollection([1], Types.INT()).process(new Split(), Types.INT()).getSideOutput(ODD)],
  ['rebalance()', (env: StreamExecutionEnvironment) => env.fromCollection([1], Types.INT()).rebalance()],
])('the stream %s returns', (madeBy, make) => {
  it.each(CALLS)('refuses %s(), saying where to call it', (call, apply) => {
    const env = environment();
    const stream = make(env);
    expect(() => apply(stream)).toThrow(
      new JobDefinitionError(`${call}() applies to sources, operators and sinks, not to the stream ${madeBy} returns: call it on the operator that follows`),
    );
  });

  it('changes no operator of the plan', () => {
    const env = environment();
    const stream = make(env);
    for (const [, apply] of CALLS) expect(() => apply(stream)).toThrow(JobDefinitionError);
    stream.map((x) => x, Types.INT()).name('after').print();
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { contents: string; parallelism: number; description?: string }[] };
    expect(plan.nodes.every((n) => n.parallelism === 1 && n.description === undefined)).toBe(true);
    expect(plan.nodes.map((n) => n.contents).filter((c) => c === 'n' || c === 'u')).toEqual([]);
  });
});

describe('what the calls still apply to', () => {
  it('the operator after a union or a side output', () => {
    const env = environment();
    const side = env.fromCollection([1], Types.INT()).process(new Split(), Types.INT()).name('split').getSideOutput(ODD);
    side.union(env.fromCollection([3], Types.INT()).name('three')).map((x) => x, Types.INT()).name('odds').uid('odds').setParallelism(2).print();
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { contents: string; parallelism: number }[] };
    expect(plan.nodes.map((n) => `${n.contents} x${n.parallelism}`)).toEqual([
      'Source: Collection Source x1',
      'split x1',
      'three x1',
      'odds x2',
      'Sink: Print to Std. Out x1',
    ]);
  });
});
