/**
 * Per-function failure policies: `skip` sends the failed record and its error to the
 * dead-letter output and goes on; `restart` restarts the job through the restart strategy;
 * the default `fail` fails it. Set per operator (setFailurePolicy) or for every operator
 * (udf.failure-policy).
 */
import { describe, expect, it } from 'vitest';
import { DEAD_LETTERS, MapFunction, UserFunctionError, type DeadLetter, type RuntimeContext } from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';

class FailsOnFirstAttempt extends MapFunction<number, number> {
  private attempt = -1;
  override open(ctx: RuntimeContext): void {
    this.attempt = ctx.getAttemptNumber();
  }
  map(x: number): number {
    if (this.attempt === 0 && x === 3) throw new Error('transient trouble');
    return x * 10;
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it("skip: failed records go to the dead letters with their error; the rest continue", async () => {
    const env = environment(mode, { 'udf.bundle.size': 2 });
    const main = env
      .fromCollection([1, 2, 0, 4, 0])
      .map((x: number) => {
        if (x === 0) throw new RangeError('zero is not allowed');
        return 100 / x;
      })
      .name('Divide')
      .setFailurePolicy('skip');
    const ok = collect(main);
    const dead = collect(main.getSideOutput(DEAD_LETTERS));
    await env.execute('skip');
    expect(ok).toEqual([100, 50, 25]);
    expect(dead.map((d: DeadLetter) => [d.record, d.operator, d.error.name, d.error.message])).toEqual([
      [0, 'Divide', 'RangeError', 'zero is not allowed'],
      [0, 'Divide', 'RangeError', 'zero is not allowed'],
    ]);
    expect(dead[0]!.function).toMatch(/^<lambda at failure-policies\.test\.ts:\d+:\d+>$/);
    expect(dead[0]!.error.stack).toContain('zero is not allowed');
  });

  it('skip with async functions: each rejected record reaches the dead letters as itself, in order', async () => {
    const env = environment(mode, { 'udf.bundle.size': 3 });
    const mapped = env
      .fromCollection([1, -2, 3, -4, 5, 6, -7])
      .map(async (x: number) => {
        await Promise.resolve();
        if (x < 0) throw new RangeError(`negative: ${x}`);
        return x * 10;
      })
      .name('AsyncMap')
      .setFailurePolicy('skip');
    const kept = mapped
      .filter(async (x: number) => {
        await Promise.resolve();
        if (x === 50) throw new Error('fifty is refused');
        return x !== 30;
      })
      .name('AsyncFilter')
      .setFailurePolicy('skip');
    const ok = collect(kept);
    const mapDead = collect(mapped.getSideOutput(DEAD_LETTERS));
    const filterDead = collect(kept.getSideOutput(DEAD_LETTERS));
    await env.execute('async skip');
    expect(ok).toEqual([10, 60]);
    expect(mapDead.map((d: DeadLetter) => [d.record, d.operator, d.error.message])).toEqual([
      [-2, 'AsyncMap', 'negative: -2'],
      [-4, 'AsyncMap', 'negative: -4'],
      [-7, 'AsyncMap', 'negative: -7'],
    ]);
    expect(filterDead.map((d: DeadLetter) => [d.record, d.operator, d.error.message])).toEqual([[50, 'AsyncFilter', 'fifty is refused']]);
  });

  it('skip with an async filter at the head of its chain: verdicts in order, rejections as dead letters', async () => {
    const env = environment(mode, { 'udf.bundle.size': 4 });
    const kept = env
      .fromCollection([1, 2, 3, 4, 5, 6, 7, 8, 9])
      .filter(async (x: number) => {
        await Promise.resolve();
        if (x % 4 === 0) throw new Error(`refused ${x}`);
        return x % 3 !== 0;
      })
      .name('HeadFilter')
      .setFailurePolicy('skip');
    const ok = collect(kept);
    const dead = collect(kept.getSideOutput(DEAD_LETTERS));
    await env.execute('async filter skip');
    expect(ok).toEqual([1, 2, 5, 7]);
    expect(dead.map((d: DeadLetter) => [d.record, d.operator, d.error.message])).toEqual([
      [4, 'HeadFilter', 'refused 4'],
      [8, 'HeadFilter', 'refused 8'],
    ]);
  });

  it('fail with an async function: the job fails naming the record whose promise rejected', async () => {
    const env = environment(mode);
    const error = await failureOf<UserFunctionError>(
      env
        .fromCollection(['a', 'b', 'c'])
        .map(async (s: string) => {
          await Promise.resolve();
          if (s === 'b') throw new Error('b is rejected');
          return s;
        })
        .name('AsyncCheck')
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('AsyncCheck');
    expect(error!.record).toBe("'b'");
    expect(error!.causeMessage).toBe('b is rejected');
  });

  it('skip as the global policy (udf.failure-policy)', async () => {
    const env = environment(mode, { 'udf.failure-policy': 'skip' });
    const out = await env
      .fromCollection(['1', 'x', '3'])
      .map((s: string) => {
        const n = Number(s);
        if (Number.isNaN(n)) throw new Error(`not a number: ${s}`);
        return n;
      })
      .executeAndCollect();
    expect(out).toEqual([1, 3]);
  });

  it('restart: the job restarts and ends with exactly the output of a run without the failure', async () => {
    const env = environment(mode, {
      'execution.checkpointing.interval': 100,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 3,
      'restart-strategy.fixed-delay.delay': 0,
    });
    const stream = env.fromCollection([1, 2, 3, 4]).map(new FailsOnFirstAttempt()).setFailurePolicy('restart');
    const out = collect(stream);
    const result = await env.execute('restart policy');
    expect(out).toEqual([10, 20, 30, 40]);
    expect(result.restarts).toBe(1);
    expect(result.restartCauses[0]).toContain('transient trouble');
  });

  it("each operator's own policy decides, whatever its name: two maps both named 'Map', one restarting, one failing", async () => {
    const settings = {
      'execution.checkpointing.interval': 100,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 3,
      'restart-strategy.fixed-delay.delay': 0,
    };
    const env = environment(mode, settings);
    // The first 'Map' (policy fail) never throws; the second (policy restart) throws once.
    const restarted = collect(env.fromCollection([1, 2, 3, 4]).map((x: number) => x + 0).map(new FailsOnFirstAttempt()).setFailurePolicy('restart'));
    const result = await env.execute('same names');
    expect(restarted).toEqual([10, 20, 30, 40]);
    expect(result.restarts).toBe(1);
    // The other way round: the throwing 'Map' fails the job though a same-named one would restart.
    const env2 = environment(mode, settings);
    const failing = env2.fromCollection([1, 2, 3, 4]).map((x: number) => x + 0).setFailurePolicy('restart').map(new FailsOnFirstAttempt());
    const error = await failureOf(failing.executeAndCollect());
    expect(error).toBeInstanceOf(UserFunctionError);
    expect((error as UserFunctionError).message).toContain('transient trouble');
  });

  it('fail (the default): the job fails even when a restart strategy is set', async () => {
    const env = environment(mode, { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 3 });
    const error = await failureOf(
      env
        .fromCollection([1, 2, 3])
        .map(new FailsOnFirstAttempt())
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
  });
});
