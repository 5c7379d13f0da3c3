/**
 * env.getExecutionPlan() (host/graph/execution-plan.ts): the planned job as Flink-shaped JSON,
 * with the worker stage each user function is chained into.
 */
import { describe, expect, it } from 'vitest';
import { DEAD_LETTERS, JobDefinitionError, OutputTag, ProcessFunction, StreamExecutionEnvironment, Types, type ProcessContext } from '../host/index.ts';

const LATE = new OutputTag<number>('late', Types.LONG());

// Not exported: shipped as source when the job runs.
class SplitLate extends ProcessFunction<[string, number], number> {
  processElement(value: [string, number], ctx: ProcessContext): number[] {
    if (value[1] > 10) {
      ctx.output(LATE, value[1]);
      return [];
    }
    return [value[1]];
  }
}

function environment(): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
}

describe('env.getExecutionPlan()', () => {
  it('lists every operator with its parallelism, predecessors, ship strategy and where it runs', () => {
    const env = environment();
    const summed = env
      .fromCollection(['a 1', 'b 2', 'a 30'])
      .map((line: string): [string, number] => [line.split(' ')[0]!, Number(line.split(' ')[1])])
      .name('parse')
      .filter((r) => r[1] > 0)
      .name('valid')
      .keyBy((r) => r[0])
      .sum(1)
      .name('sum')
      .setParallelism(2);
    const split = summed.rebalance().process(new SplitLate(), Types.LONG()).name('split');
    split.print();
    split.getSideOutput(LATE).print('late');

    expect(JSON.parse(env.getExecutionPlan())).toEqual({
      nodes: [
        { id: 1, type: 'Source: Collection Source', pact: 'Data Source', contents: 'Source: Collection Source', parallelism: 1, runs_in: 'host' },
        { id: 2, type: 'Map', pact: 'Operator', contents: 'parse', parallelism: 1, runs_in: 'udf-2', predecessors: [{ id: 1, ship_strategy: 'FORWARD' }] },
        { id: 3, type: 'Filter', pact: 'Operator', contents: 'valid', parallelism: 1, runs_in: 'udf-2', predecessors: [{ id: 2, ship_strategy: 'FORWARD' }] },
        { id: 4, type: 'Key By', pact: 'Operator', contents: 'Key By', parallelism: 1, runs_in: 'udf-2', predecessors: [{ id: 3, ship_strategy: 'FORWARD' }] },
        { id: 5, type: 'Keyed Aggregation (sum)', pact: 'Operator', contents: 'sum', parallelism: 2, runs_in: 'udf-5', predecessors: [{ id: 4, ship_strategy: 'HASH' }] },
        { id: 7, type: 'Process', pact: 'Operator', contents: 'split', parallelism: 1, runs_in: 'udf-7', predecessors: [{ id: 5, ship_strategy: 'REBALANCE' }] },
        { id: 8, type: 'Sink: Print to Std. Out', pact: 'Data Sink', contents: 'Sink: Print to Std. Out', parallelism: 1, runs_in: 'host', predecessors: [{ id: 7, ship_strategy: 'FORWARD' }] },
        {
          id: 10,
          type: 'Sink: Print to Std. Out',
          pact: 'Data Sink',
          contents: 'Sink: Print to Std. Out',
          parallelism: 1,
          runs_in: 'host',
          predecessors: [{ id: 7, ship_strategy: 'FORWARD', side_output: 'late' }],
        },
      ],
    });
  });

  it('names the dead-letter output a sink reads', () => {
    const env = environment();
    const parsed = env.fromCollection(['1', 'x']).map((s: string) => JSON.parse(s) as number).name('parse').setFailurePolicy('skip');
    parsed.print();
    parsed.getSideOutput(DEAD_LETTERS).print('dead');
    const nodes = (JSON.parse(env.getExecutionPlan()) as { nodes: { id: number; predecessors?: unknown[] }[] }).nodes;
    expect(nodes.filter((n) => n.id > 2).map((n) => n.predecessors)).toEqual([
      [{ id: 2, ship_strategy: 'FORWARD' }],
      [{ id: 2, ship_strategy: 'FORWARD', side_output: 'dead-letters' }],
    ]);
  });

  it('shows chaining turned off, and leaves the graph for execute() to run', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded', 'udf.operator-chaining.enabled': false });
    const stream = env.fromCollection([1, 2, 3]).map((x: number) => x * 2).name('double').map((x: number) => x + 1).name('inc');
    stream.print();
    const nodes = (JSON.parse(env.getExecutionPlan()) as { nodes: { contents: string; runs_in: string }[] }).nodes;
    expect(nodes.map((n) => `${n.contents} in ${n.runs_in}`)).toEqual([
      'Source: Collection Source in host',
      'double in udf-2',
      'inc in udf-3',
      'Sink: Print to Std. Out in host',
    ]);
    expect(await stream.executeAndCollect()).toEqual([3, 5, 7]);
  });

  it('shows descriptions, and forceNonParallel() keeps an operator at one instance', () => {
    const env = environment().setParallelism(2);
    const stream = env
      .fromSequence(1, 100)
      .map((x: number) => x * 2)
      .name('double')
      .setDescription('doubles every number')
      .map((x: number) => x + 1)
      .name('inc')
      .forceNonParallel();
    stream.print().setDescription('to stdout');
    expect(stream.getExecutionEnvironment()).toBe(env);
    expect(() => stream.setParallelism(2)).toThrow(
      new JobDefinitionError("'inc' was made non-parallel with forceNonParallel(): its parallelism must be 1"),
    );
    expect(() => stream.setDescription('')).toThrow(new JobDefinitionError('setDescription() takes a non-empty string'));
    const nodes = (JSON.parse(env.getExecutionPlan()) as { nodes: { id: number; contents: string; description?: string; parallelism: number; runs_in: string }[] }).nodes;
    expect(nodes.map(({ contents, description, parallelism, runs_in }) => ({ contents, description, parallelism, runs_in }))).toEqual([
      { contents: 'Source: Sequence Source', description: undefined, parallelism: 2, runs_in: 'host' },
      { contents: 'double', description: 'doubles every number', parallelism: 2, runs_in: 'udf-2' },
      { contents: 'inc', description: undefined, parallelism: 1, runs_in: 'udf-3' },
      { contents: 'Sink: Print to Std. Out', description: 'to stdout', parallelism: 2, runs_in: 'host' },
    ]);
  });

  it('refuses a graph that execute() would refuse, and an empty one', () => {
    const env = environment();
    env.fromSequence(1, 10).setParallelism(2).forward().map((x: number) => x).name('one').setParallelism(1).print();
    expect(() => env.getExecutionPlan()).toThrow(
      new JobDefinitionError(
        "forward() cannot change the parallelism: 'Source: Sequence Source' has parallelism 2 and 'one' 1; use rebalance(), rescale(), shuffle() or broadcast() instead",
      ),
    );
    expect(() => environment().getExecutionPlan()).toThrow(new JobDefinitionError('no operators are defined: the plan is empty'));
  });
});
