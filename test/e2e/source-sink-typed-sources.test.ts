/**
 * What a source with a declared type emits is checked and shaped by that type wherever it goes,
 * exactly as if it had crossed a stage boundary: straight into a sink (also through union() or
 * rebalance()), into a worker stage, or both. Regression: a typed source feeding a sink directly
 * was never checked or shaped (`fromCollection([1, 'two'], Types.INT())` was collected as it
 * was; a FLOAT printed `0.1` directly and `0.10000000149011612` after a `map(x => x)`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSink, InputTypeError, SourceFunction, Types, UserFunctionError, type DataStream, type SourceContext } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { collect, environment, MODES, type Mode } from '../support/jobs.ts';
import { finishedLines } from '../support/part-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-typed-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 0.1 as a FLOAT carries it: rounded to 32 bits. */
const FLOAT_01 = Math.fround(0.1);
const ROW = Types.ROW_NAMED(['k', 'v'], [Types.STRING(), Types.INT()]);

/** Emits the values it was given, pushing them through ctx.collect. */
class Emits<T> extends SourceFunction<T> {
  constructor(private readonly values: T[]) {
    super();
  }
  async run(ctx: SourceContext<T>): Promise<void> {
    for (const v of this.values) await ctx.collect(v);
  }
}

/** Emits 1, then a string its INT type cannot carry. */
class BadSource extends SourceFunction<number> {
  *run(): Generator<number> {
    yield 1;
    yield 'two' as unknown as number;
  }
}

describe.each(MODES)('%s mode: a typed source', (mode) => {
  it('hands on its values shaped by its type, to a sink directly as through a worker stage', async () => {
    const env = environment(mode);
    const floats = (): DataStream<number> => env.fromCollection([0.1, 2.5], Types.FLOAT());
    const direct = collect(floats());
    const viaUnion = collect(floats().union(env.fromCollection([0.1], Types.FLOAT())));
    const viaRebalance = collect(floats().rebalance());
    const viaMap = collect(floats().map((x) => x, Types.FLOAT()));
    // One source feeding a worker stage and a sink: both get the same values.
    const shared = floats();
    const sharedDirect = collect(shared);
    const sharedViaMap = collect(shared.map((x) => x, Types.FLOAT()));
    const given = { k: 'a', v: undefined as unknown as number };
    const rows = collect(env.fromCollection([given], ROW));
    const fromFunction = collect(env.addSource(new Emits([0.1]), 'Floats', Types.FLOAT()));
    const fromFunctionViaMap = collect(env.addSource(new Emits([0.1]), 'Floats', Types.FLOAT()).map((x) => x, Types.FLOAT()));
    // A LONG that fits a number arrives as one.
    const longs = collect(env.addSource(new Emits([5n, 2n ** 60n] as unknown as number[]), 'Longs', Types.LONG()));
    const out = join(dir, `floats-${mode}`);
    floats().sinkTo(FileSink.forRowFormat(out));
    await env.execute('typed sources');

    expect(direct).toEqual([FLOAT_01, 2.5]);
    expect(viaUnion.sort()).toEqual([FLOAT_01, FLOAT_01, 2.5]);
    expect(viaRebalance).toEqual([FLOAT_01, 2.5]);
    expect(viaMap).toEqual([FLOAT_01, 2.5]);
    expect(sharedDirect).toEqual([FLOAT_01, 2.5]);
    expect(sharedViaMap).toEqual([FLOAT_01, 2.5]);
    expect(rows).toStrictEqual([{ k: 'a', v: null }]);
    expect(rows[0]).not.toBe(given);
    expect(fromFunction).toEqual([FLOAT_01]);
    expect(fromFunctionViaMap).toEqual([FLOAT_01]);
    expect(longs).toStrictEqual([5, 2n ** 60n]);
    expect(finishedLines(out)).toEqual([String(FLOAT_01), '2.5']);
  });

  it.each([
    ['straight into a sink', (s: DataStream<number>) => collect(s)],
    ['into a worker stage', (s: DataStream<number>) => collect(s.map((x) => x + 1, Types.INT()))],
    ['into both', (s: DataStream<number>) => [collect(s), collect(s.map((x) => x + 1, Types.INT()))]],
  ])('fails the job as an OutputTypeError of its SourceFunction when a value does not fit, %s', async (_, consume) => {
    await expectBadSourceFailure(mode, consume);
  });
});

async function expectBadSourceFailure(mode: Mode, consume: (s: DataStream<number>) => unknown): Promise<void> {
  const env = environment(mode);
  consume(env.addSource(new BadSource(), 'Numbers', Types.INT()).uid('numbers'));
  const error = await failureOf<UserFunctionError>(env.execute('bad source'));
  expect(error).toBeInstanceOf(UserFunctionError);
  expect(error!.operator).toBe('Source: Numbers');
  expect(error!.transform).toBe('numbers');
  expect(error!.functionName).toBe('BadSource.run()');
  expect(error!.causeName).toBe('OutputTypeError');
  expect(error!.causeMessage).toBe('value: expected INT (an integer number in [-2147483648, 2147483647]), got string "two"');
  expect(error!.message).toMatch(/^operator 'Source: Numbers': function BadSource\.run\(\) returned a value its output type cannot carry: OutputTypeError: /);
}

describe('fromCollection with a type', () => {
  const env = environment('embedded');

  it('refuses an element that does not fit when the source is defined, naming its index and the type', () => {
    expect(() => env.fromCollection([1, 'two', 3.5] as number[], Types.INT())).toThrow(
      new InputTypeError(
        'fromCollection: element 1 does not fit the type given, INT: value: expected INT (an integer number in [-2147483648, 2147483647]), got string "two"',
      ),
    );
    expect(() => env.fromCollection([{ k: 'a', v: 1 }, { k: 'b', junk: 1 }] as never[], ROW)).toThrow(
      new InputTypeError(
        'fromCollection: element 1 does not fit the type given, ROW_NAMED(k: STRING, v: INT): value: expected ROW_NAMED(k: STRING, v: INT) ' +
          '(a plain object), got an object (it has a property "junk" that is not a field)',
      ),
    );
  });

  it('names the element by its index in the whole collection, however long', () => {
    const values: unknown[] = Array.from({ length: 20_000 }, (_, i) => i);
    values[12_345] = 1.5;
    expect(() => env.fromCollection(values as number[], Types.LONG())).toThrow(
      new InputTypeError(
        'fromCollection: element 12345 does not fit the type given, LONG: value: expected LONG (a safe integer number, or a bigint in the int64 range), got number 1.5 (not an integer)',
      ),
    );
  });

  it('keeps no element it was given: later changes to them do not reach the job', async () => {
    const given = { k: 'a', v: 1 };
    const stream = env.fromCollection([given], ROW);
    given.v = 2;
    expect(await stream.executeAndCollect()).toStrictEqual([{ k: 'a', v: 1 }]);
  });
});
