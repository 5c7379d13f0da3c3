/** executeAndCollect: every result of a bounded job, or the first `limit` of any job, in every mode. */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, SourceFunction, Types } from '../../host/index.ts';
import { environment, MODES } from '../support/jobs.ts';

/** Counts up for ever: only a limit (or a cancel) ends a job reading it. */
class Endless extends SourceFunction<number> {
  async *run(): AsyncGenerator<number> {
    for (let i = 0; ; i++) yield i;
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it('collects every result of a bounded job, in order', async () => {
    const out = await environment(mode).fromSequence(1, 500).map((x: number) => x * 2, Types.LONG()).executeAndCollect();
    expect(out).toEqual(Array.from({ length: 500 }, (_, i) => 2 * (i + 1)));
  });

  it('with a limit, the first results, with or without a job name first', async () => {
    const first = await environment(mode).fromSequence(1, 500).map((x: number) => x * 2, Types.LONG()).executeAndCollect({ limit: 3 });
    expect(first).toEqual([2, 4, 6]);
    const named = await environment(mode)
      .fromSequence(1, 500)
      .map((x: number) => x * 2, Types.LONG())
      .executeAndCollect('doubles', { limit: 4 });
    expect(named).toEqual([2, 4, 6, 8]);
  });

  it('a stream defined before an execute() feeds a later job, which runs its upstream again', async () => {
    const env = environment(mode);
    const doubled = env.fromSequence(1, 5).map((x: number) => x * 2, Types.LONG());
    expect(await doubled.executeAndCollect()).toEqual([2, 4, 6, 8, 10]);
    expect(await doubled.executeAndCollect()).toEqual([2, 4, 6, 8, 10]);
    const result = await doubled.map((x: number) => x + 1, Types.LONG()).executeAndCollect();
    expect(result).toEqual([3, 5, 7, 9, 11]);
    doubled.filter((x: number) => x > 4).print();
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { type: string }[] };
    expect(plan.nodes.map((n) => n.type)).toEqual(['Source: Sequence Source', 'Map', 'Filter', 'Sink: Print to Std. Out']);
  });

  it('a limit ends a job whose source never does', async () => {
    const env = environment(mode);
    const out = await env.addSource(new Endless(), 'Endless', Types.LONG()).map((x: number) => x + 1, Types.LONG()).executeAndCollect({ limit: 5 });
    expect(out).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('bad arguments are refused before the job starts, naming what is wrong', () => {
  it('a limit that is not a positive integer', async () => {
    for (const limit of [0, -1, 2.5]) {
      const error = await environment('embedded').fromSequence(1, 3).executeAndCollect({ limit }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JobDefinitionError);
      expect((error as Error).message).toBe(`limit must be a positive integer, got ${limit}`);
    }
  });

  it('a job name that is not a string, and two option objects', async () => {
    const env = environment('embedded');
    env.fromSequence(1, 3).print();
    expect(() => env.executeAsync({ limit: 1 } as never)).toThrow(new JobDefinitionError('the job name must be a string, got object'));
    const error = await environment('embedded')
      .fromSequence(1, 3)
      .executeAndCollect({ limit: 1 } as never, { limit: 2 })
      .catch((e: unknown) => e);
    expect(error).toEqual(new JobDefinitionError('executeAndCollect takes (jobName?, options?) or (options?), not two option objects'));
  });
});
