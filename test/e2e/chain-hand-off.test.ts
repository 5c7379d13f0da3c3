/**
 * Chaining is a speed-up and changes no result: a function chained after another receives what
 * a stage boundary between them would deliver (the value checked and shaped by the other's
 * declared output type, and copied), and a value that does not fit that type fails the job with
 * the same error. Every job here runs with chaining on and with
 * `udf.operator-chaining.enabled: false`, in every mode, and must give the same exact output.
 */
import { describe, expect, it } from 'vitest';
import { Types, UserFunctionError, type KeyedProcessFunction } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { collect, environment, MODES, type Mode } from '../support/jobs.ts';

const CHAINING = [['on', true], ['off', false]] as const;

function environmentOf(mode: Mode, chaining: boolean) {
  return environment(mode, { 'udf.operator-chaining.enabled': chaining });
}

/** Every pipeline's output, by name, from one job. */
async function runJob(mode: Mode, chaining: boolean): Promise<Record<string, unknown[]>> {
  const env = environmentOf(mode, chaining);
  const numbers = () => env.fromCollection([1, 2], Types.INT());

  // A FLOAT is rounded to 32 bits before the next function sees it.
  const floats = collect(
    numbers()
      .map((x: number) => x + 0.1, Types.FLOAT())
      .map((x: number) => `${x}`, Types.STRING()),
  );

  // A LONG that fits a number arrives as one; one beyond 2^53 as a bigint.
  const longs = collect(
    numbers()
      .map((x: number) => (x === 1 ? 5n : 2n ** 60n + BigInt(x)) as unknown as number, Types.LONG())
      .map((v: unknown) => `${typeof v} ${String(v)}`, Types.STRING()),
  );

  // An object emitted twice: the next function, which changes what it is given, gets a copy each time.
  const twice = collect(
    env
      .fromCollection(['a', 'b'], Types.STRING())
      .flatMap(
        (word: string, out) => {
          const row = { word, seen: 0 };
          out.collect(row);
          out.collect(row);
        },
        Types.ROW_NAMED(['word', 'seen'], [Types.STRING(), Types.INT()]),
      )
      .map((row: Record<string, unknown>) => {
        row['seen'] = (row['seen'] as number) + 1;
        return `${String(row['word'])} ${String(row['seen'])}`;
      }, Types.STRING()),
  );

  // An undefined field is null; a MAP given as an object is a Map.
  const shaped = collect(
    numbers()
      .map((x: number) => ({ n: x, note: undefined }), Types.ROW_NAMED(['n', 'note'], [Types.INT(), Types.STRING()]))
      .map((row: Record<string, unknown>) => `${String(row['note'])} ${'note' in row}`, Types.STRING()),
  );
  const maps = collect(
    numbers()
      .map((x: number) => ({ count: x }) as unknown as Map<string, number>, Types.MAP(Types.STRING(), Types.INT()))
      .map((m: unknown) => `${m instanceof Map} ${m instanceof Map ? String(m.get('count')) : ''}`, Types.STRING()),
  );

  // The key selector and the keyed function see the shaped value and the key made of it.
  const keyed = collect(
    numbers()
      .map((x: number) => x + 0.1, Types.FLOAT())
      .keyBy((x: number) => `${x}`)
      .process(
        {
          processElement(value: number, ctx, out) {
            out.collect(`${String(ctx.getCurrentKey())} ${value}`);
          },
        } as KeyedProcessFunction<string, number, string>,
        Types.STRING(),
      ),
  );

  await env.execute('chain hand-off');
  return { floats, longs, twice, shaped, maps, keyed };
}

const EXPECTED: Record<string, unknown[]> = {
  floats: [`${Math.fround(1.1)}`, `${Math.fround(2.1)}`],
  longs: ['number 5', `bigint ${2n ** 60n + 2n}`],
  twice: ['a 1', 'a 1', 'b 1', 'b 1'],
  shaped: ['null true', 'null true'],
  maps: ['true 1', 'true 2'],
  keyed: [`${Math.fround(1.1)} ${Math.fround(1.1)}`, `${Math.fround(2.1)} ${Math.fround(2.1)}`],
};

/** What the job's failure says, but for the worker that ran the function (which differs between runs). */
async function failureWith(mode: Mode, chaining: boolean): Promise<Record<string, unknown>> {
  const error = await failureOf<UserFunctionError>(
    environmentOf(mode, chaining)
      .fromCollection([1, 2, 3], Types.LONG())
      .map((x: number) => (x === 2 ? 'two' : x) as number, Types.LONG())
      .name('Doubtful')
      .map((x: number) => x * 10, Types.LONG())
      .name('After')
      .executeAndCollect(),
  );
  expect(error).toBeInstanceOf(UserFunctionError);
  return {
    operator: error!.operator,
    transform: error!.transform,
    functionName: error!.functionName,
    record: error!.record,
    causeName: error!.causeName,
    causeMessage: error!.causeMessage,
    message: error!.message.replace(/ in worker \S+/, ''),
  };
}

describe.each(MODES)('%s mode', (mode) => {
  it.each(CHAINING)('chaining %s: chained functions receive what a stage boundary delivers', async (_label, chaining) => {
    expect(await runJob(mode, chaining)).toEqual(EXPECTED);
  });

  it('a value that does not fit its type fails the job with the same error, chained or not', async () => {
    const chained = await failureWith(mode, true);
    expect(chained).toEqual(await failureWith(mode, false));
    expect(chained).toMatchObject({
      operator: 'Doubtful',
      record: '',
      causeName: 'OutputTypeError',
      causeMessage: 'value: expected LONG (a safe integer number, or a bigint in the int64 range), got string "two"',
    });
  });
});
