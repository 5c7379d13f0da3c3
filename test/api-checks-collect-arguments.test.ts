/**
 * executeAndCollect checks its arguments before it adds its Collect sink: a refused call leaves
 * nothing behind to run in the environment's next execute().
 */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, StreamExecutionEnvironment } from '../host/index.ts';

function environment(): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
}

describe('executeAndCollect refuses bad arguments before it adds anything', () => {
  it('a limit written where the job name goes (PyFlink-style positionally), saying where it belongs', async () => {
    const env = environment();
    const error = await (env.fromCollection(['left over']) as unknown as { executeAndCollect(n: number): Promise<unknown> })
      .executeAndCollect(1)
      .catch((e: unknown) => e);
    expect(error).toEqual(
      new JobDefinitionError(
        'executeAndCollect takes (jobName?, options?) or (options?): the job name must be a string, got number; a limit goes in the options: executeAndCollect({ limit: 1 })',
      ),
    );
    expect(env.pendingSinks()).toBe(0);
    env.fromCollection(['mine']).print();
    const plan = JSON.parse(env.getExecutionPlan()) as { nodes: { type: string }[] };
    expect(plan.nodes.filter((n) => n.type.startsWith('Sink')).map((n) => n.type)).toEqual(['Sink: Print to Std. Out']);
  });

  it('a job name of another kind, options that are no object, and a bad limit', async () => {
    const env = environment();
    const stream = env.fromCollection([1]) as unknown as { executeAndCollect(...args: unknown[]): Promise<unknown> };
    expect(await stream.executeAndCollect(null).catch((e: unknown) => (e as Error).message)).toBe(
      'executeAndCollect takes (jobName?, options?) or (options?): the job name must be a string, got null',
    );
    expect(await stream.executeAndCollect('job', 5).catch((e: unknown) => (e as Error).message)).toBe(
      'executeAndCollect: the options must be an object ({ limit }), got number',
    );
    expect(await stream.executeAndCollect({ limit: 0 }).catch((e: unknown) => (e as Error).message)).toBe('limit must be a positive integer, got 0');
    expect(env.pendingSinks()).toBe(0);
  });
});
