/**
 * A function that cannot be shipped fails the job before any data flows, naming it and saying what to do;
 * embedded mode refuses it too, so that a job debugged there runs unchanged in workers.
 */
import { describe, expect, it } from 'vitest';
import { CountTumblingWindowAssigner, UnshippableFunctionError } from '../../host/index.ts';
import { collect, environment } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';

describe.each(['process', 'thread', 'embedded'] as const)('%s mode', (mode) => {
  it('a lambda closing over a local variable is refused before any worker starts', async () => {
    const env = environment(mode);
    const factor = 3;
    const out = collect(env.fromCollection([1, 2]).map((x: number) => x * factor));
    const client = env.executeAsync('closure');
    const error = await failureOf<UnshippableFunctionError>(client.getJobExecutionResult());
    expect(error).toBeInstanceOf(UnshippableFunctionError);
    expect(error!.functionName).toMatch(/^<lambda at unshippable\.test\.ts:\d+:\d+>$/);
    expect(error!.message).toContain('`factor`');
    expect(error!.message).toMatch(/move .*into the function|field of a function class|export/);
    expect(out).toEqual([]);
    expect(client.workers()).toEqual([]);
  });

  it("a window's function closing over a local variable is refused, named as the function the user gave", async () => {
    const env = environment(mode);
    const factor = 3;
    env
      .fromCollection([1, 2])
      .keyBy(() => 0)
      .window(CountTumblingWindowAssigner.of(2))
      .reduce((x: number, y: number) => (x + y) * factor)
      .print();
    const error = await failureOf<UnshippableFunctionError>(env.execute('window closure'));
    expect(error).toBeInstanceOf(UnshippableFunctionError);
    expect(error!.functionName).toMatch(/^<lambda at unshippable\.test\.ts:\d+:\d+>$/);
    expect(error!.message).toMatch(/^Cannot ship window function <lambda at unshippable\.test\.ts:\d+:\d+> of operator 'Window\(reduce\)' to a worker: .*`factor`/);
  });
});
