/**
 * The user functions the host runs (a SourceFunction, a SinkFunction) fail as a worker's do: a
 * UserFunctionError naming the operator, the function and the record, and the failure policy
 * decides (`restart` through the restart strategy; `fail` by default). Regression: they failed
 * the job with the bare error, never restarted, and a failed attempt never closed its sink.
 */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, SinkFunction, SourceFunction, UserFunctionError, type SourceContext } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { environment, MODES } from '../support/jobs.ts';
import { Paced } from './paced-source.ts';

const N = 50;
/** The paced job's records: checkpoints complete while it runs. */
const LONG = 400;
const RESTARTS = { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.attempts': 2, 'restart-strategy.fixed-delay.delay': 0 };

/** What the copies of a source share with the test: a copy shares the class instances its original holds. */
class Runs {
  count = 0;
}

/** 0..N-1; its first run throws after 10 records. */
class FlakySource extends SourceFunction<number> {
  constructor(private readonly runs: Runs) {
    super();
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    const run = this.runs.count++;
    for (let i = 0; i < N; i++) {
      if (run === 0 && i === 10) throw new Error('the feed dropped');
      await ctx.collect(i);
    }
  }
}

/** Collects what it is given; throws on `failOn` the first `failures` times it sees it; records its open() and close() calls. */
class FlakySink extends SinkFunction<number> {
  readonly got: number[] = [];
  readonly calls: string[] = [];
  constructor(
    private readonly failOn: number,
    private failures: number,
  ) {
    super();
  }
  override open(): void {
    this.calls.push('open');
  }
  invoke(value: number): void {
    if (value === this.failOn && this.failures > 0) {
      this.failures--;
      throw new RangeError(`cannot store ${value}`);
    }
    this.got.push(value);
  }
  override close(): void {
    this.calls.push('close');
  }
}

const ALL = Array.from({ length: N }, (_, i) => i);

describe.each(MODES)('%s mode', (mode) => {
  it('a source function that throws fails the job naming the operator and the function', async () => {
    const env = environment(mode);
    const sink = new FlakySink(-1, 0);
    env.addSource(new FlakySource(new Runs()), 'Feed').map((x: number) => x).addSink(sink);
    const error = await failureOf<UserFunctionError>(env.execute('flaky source'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('Source: Feed');
    expect(error!.functionName).toBe('FlakySource.run()');
    expect([error!.causeName, error!.causeMessage, error!.record]).toEqual(['Error', 'the feed dropped', '']);
    expect(error!.message).toMatch(/^operator 'Source: Feed': function FlakySource\.run\(\) threw: Error: the feed dropped\n {2}stack:\n/);
  });

  it.each([
    ['globally', { 'udf.failure-policy': 'restart' }, false],
    ['on the source', {}, true],
  ])('a source function under the restart policy (set %s) restarts, and the output is whole', async (_how, policy, onSource) => {
    const env = environment(mode, { ...RESTARTS, ...policy });
    const runs = new Runs();
    const sink = new FlakySink(-1, 0);
    const source = env.addSource(new FlakySource(runs), 'Feed');
    if (onSource) source.setFailurePolicy('restart');
    source.map((x: number) => x).addSink(sink);
    const result = await env.execute('flaky source');
    expect(result.restarts).toBe(1);
    expect(runs.count).toBe(2);
    expect(sink.got).toEqual(ALL);
  });

  it('a sink function that throws fails the job with the record; the attempt closes the function', async () => {
    const env = environment(mode);
    const sink = new FlakySink(7, 1);
    env.fromCollection(ALL).map((x: number) => x).addSink(sink).name('Store');
    const error = await failureOf<UserFunctionError>(env.execute('flaky sink'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect([error!.operator, error!.functionName, error!.record]).toEqual(['Store', 'FlakySink.invoke()', '7']);
    expect([error!.causeName, error!.causeMessage]).toEqual(['RangeError', 'cannot store 7']);
    expect(sink.got).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(sink.calls).toEqual(['open', 'close']);
  });

  it('a sink function under the restart policy restarts; each attempt opens and closes it; each record reaches it once', async () => {
    const env = environment(mode, RESTARTS);
    env.enableCheckpointing(50);
    const sink = new FlakySink(30, 1);
    env.fromCollection(ALL).map((x: number) => x).addSink(sink).setFailurePolicy('restart');
    const result = await env.execute('flaky sink');
    expect(result.restarts).toBe(1);
    expect(sink.got).toEqual(ALL);
    expect(sink.calls).toEqual(['open', 'close', 'open', 'close']);
  });

  it('a sink function that fails while a checkpoint publishes: the restart publishes the rest, each record once', async () => {
    const env = environment(mode, { ...RESTARTS, 'udf.failure-policy': 'restart' });
    env.enableCheckpointing(20);
    const sink = new FlakySink(LONG - 20, 1);
    env.addSource(new Paced(LONG, 20, 5), 'Paced').map((x: number) => x).addSink(sink);
    const result = await env.execute('flaky sink, paced');
    expect(result.restarts).toBe(1);
    expect(sink.got).toEqual(Array.from({ length: LONG }, (_, i) => i));
  });
});

describe('the failure policy of a function the host runs', () => {
  it("is 'fail' or 'restart': with no stream for dead letters, 'skip' is refused", () => {
    const env = environment('embedded');
    const sink = env.fromCollection([1]).addSink(new FlakySink(-1, 0)).name('Store');
    expect(() => sink.setFailurePolicy('skip' as 'fail')).toThrow(
      new JobDefinitionError("'Store' runs its function in the host, with no stream to send dead letters on: its failure policy is 'fail' or 'restart'"),
    );
    expect(() => env.addSource(new FlakySource(new Runs()), 'Feed').setFailurePolicy('skip')).toThrow(JobDefinitionError);
    expect(() => env.fromCollection([1]).print().setFailurePolicy('restart')).toThrow(
      new JobDefinitionError('setFailurePolicy applies to operators that run a user function'),
    );
  });
});
