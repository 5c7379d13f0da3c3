/** A function that throws fails the job with the operator, the function, the worker's stack and the record. */
import { describe, expect, it } from 'vitest';
import { InputTypeError, KeySelector, MapFunction, Partitioner, Types, UserFunctionError, type RuntimeContext } from '../../host/index.ts';
import { collect, environment, isAlive, MODES } from '../support/jobs.ts';
import { failureOf } from '../support/failure.ts';

class Exploding extends MapFunction<{ id: number }, number> {
  map(value: { id: number }): number {
    if (value.id === 3) throw new RangeError(`id ${value.id} is out of range`);
    return value.id;
  }
}

class FailsToOpen extends MapFunction<number, number> {
  override open(_ctx: RuntimeContext): void {
    throw new Error('no database');
  }
  map(value: number): number {
    return value;
  }
}

/** Sends each value to the partition of its own number: 0 and 1 fit two partitions, 2 does not. */
class ByValue extends Partitioner<number> {
  partition(key: number): number {
    return key;
  }
}

class NoKeyForTwo extends KeySelector<number, number> {
  getKey(value: number): number {
    if (value === 2) throw new Error('no key for 2');
    return 0;
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it('a throwing function class fails the job with operator, function, record and stack', async () => {
    const env = environment(mode, { 'udf.bundle.size': 2 });
    const out = collect(
      env
        .fromCollection([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }])
        .map(new Exploding())
        .name('Checker'),
    );
    const client = env.executeAsync('explodes');
    const error = await failureOf(client.getJobExecutionResult());
    expect(error).toBeInstanceOf(UserFunctionError);
    const e = error as UserFunctionError;
    expect(e.operator).toBe('Checker');
    expect(e.functionName).toBe('Exploding');
    expect(e.causeName).toBe('RangeError');
    expect(e.causeMessage).toBe('id 3 is out of range');
    expect(e.record).toBe('{ id: 3 }');
    expect(e.workerStack).toContain('RangeError: id 3 is out of range');
    expect(e.workerStack).toContain('map');
    expect(e.message).toContain("operator 'Checker': function Exploding threw");
    expect(e.message).toContain('record: { id: 3 }');
    // The first bundle (ids 1 and 2) completed before the failure.
    expect(out).toEqual([1, 2]);
    for (const w of client.workers()) if (w.handle.pid !== undefined) expect(isAlive(w.handle.pid)).toBe(false);
  });

  it('a throwing lambda is named by where it is written', async () => {
    const env = environment(mode);
    const error = await failureOf<UserFunctionError>(
      env
        .fromCollection(['ok', 'bad'])
        .map((s: string) => {
          if (s === 'bad') throw new Error('cannot handle bad');
          return s;
        })
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.functionName).toMatch(/^<lambda at user-function-error\.test\.ts:\d+:\d+>$/);
    expect(error!.operator).toBe('Map');
    expect(error!.record).toBe("'bad'");
    expect(error!.causeMessage).toBe('cannot handle bad');
  });

  it('a function that throws while the in-flight window is full fails the job instead of hanging', async () => {
    // Regression: the failed bundle's response was only looked at when the bundle finished,
    // while the host waited for window space the worker would never free.
    const env = environment(mode, { 'udf.arrow.batch.size': 100, 'udf.in-flight.max-batches': 1 });
    const error = await failureOf<UserFunctionError>(
      env
        .fromSequence(1, 50_000)
        .map((x: number) => {
          if (x === 5_000) throw new Error('stop here');
          return x;
        })
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.record).toBe('5000');
  });

  it('a failing open() fails the job before any record', async () => {
    const env = environment(mode);
    const error = await failureOf<UserFunctionError>(
      env
        .fromCollection([1])
        .map(new FailsToOpen())
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.functionName).toBe('FailsToOpen.open()');
    expect(error!.record).toBe('');
    expect(error!.causeMessage).toBe('no database');
  });

  it('a partitioner that returns no partition of the next operator fails the job as its failure', async () => {
    const env = environment(mode);
    const error = await failureOf<UserFunctionError>(
      env
        .fromCollection([1, 2, 3])
        .partitionCustom(new ByValue(), (x: number) => x)
        .map((x: number) => x)
        .setParallelism(2)
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('Partition Custom');
    expect(error!.functionName).toBe('ByValue');
    expect(error!.record).toBe('2');
    expect(error!.causeName).toBe('RangeError');
    expect(error!.causeMessage).toBe('a partitioner must return an integer from 0 to 1 (numPartitions 2), got 2');
  });

  it("a partitionCustom() key selector that throws is named as the failing function", async () => {
    const env = environment(mode);
    const error = await failureOf<UserFunctionError>(
      env
        .fromCollection([1, 2])
        .partitionCustom(new ByValue(), new NoKeyForTwo())
        .map((x: number) => x)
        .setParallelism(2)
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('Partition Custom');
    expect(error!.functionName).toBe('NoKeyForTwo');
    expect(error!.record).toBe('2');
    expect(error!.causeMessage).toBe('no key for 2');
  });
});

describe.each(MODES)('%s mode: an output that does not fit its declared type', (mode) => {
  it('fails the job as a failure of the function that returned it, saying what was expected and found', async () => {
    const error = await failureOf<UserFunctionError>(
      environment(mode)
        .fromCollection([1, 2, 3], Types.LONG())
        .map((x: number) => (x === 2 ? 'two' : x) as number, Types.LONG())
        .name('Doubtful')
        .keyBy((x) => x % 2)
        .executeAndCollect(),
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('Doubtful');
    expect(error!.functionName).toMatch(/^<lambda at user-function-error\.test\.ts:\d+:\d+>$/);
    expect(error!.causeName).toBe('OutputTypeError');
    expect(error!.causeMessage).toBe('value: expected LONG (a safe integer number, or a bigint in the int64 range), got string "two"');
    expect(error!.message).toMatch(
      /^operator 'Doubtful': function <lambda at [^>]+> returned a value its output type cannot carry( in worker \S+)?: OutputTypeError: value: expected LONG/,
    );
    expect(error!.message).not.toContain('worker stack');
  });
});

describe.each(MODES)('%s mode: a source record that does not fit the type given with it', (mode) => {
  // Checked when the source is defined, as PyFlink's from_collection does (more in
  // e2e/source-sink-typed-sources.test.ts, with addSource's values checked where they are emitted).
  it('is refused by fromCollection, naming the element and the type', () => {
    expect(() => environment(mode).fromCollection([0.5, 'a' as unknown as number], Types.FLOAT())).toThrow(
      new InputTypeError('fromCollection: element 1 does not fit the type given, FLOAT: value: expected FLOAT (a number), got string "a"'),
    );
  });
});
