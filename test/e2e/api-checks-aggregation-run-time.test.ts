/**
 * What the aggregations and keyBy check record by record, in every mode: a key's first record
 * too (it used to come out unchanged even when it had no such field), a null field (Flink's
 * comparators and adders fail on one), values of kinds that cannot be compared (a number and a
 * string, compared by JavaScript's coercion before), and a null or undefined key (Flink: "Assigned
 * key must not be null!"). Each fails the job naming the operator, the field and the record.
 * A ROW_NAMED field given by position aggregates the field there.
 */
import { describe, expect, it } from 'vitest';
import { Types, UserFunctionError, type DataStream, type TypeInformation } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { environment, MODES } from '../support/jobs.ts';

/** What a failed job's error says: operator, cause, record. */
async function failure<T>(stream: DataStream<T>): Promise<[string, string, string]> {
  const error = await failureOf<UserFunctionError>(stream.executeAndCollect());
  expect(error).toBeInstanceOf(UserFunctionError);
  return [error!.operator, `${error!.causeName}: ${error!.causeMessage}`, error!.record];
}

describe.each(MODES)('%s mode', (mode) => {
  it("refuses a record without the field, a key's first included (no declared type to check it before)", async () => {
    const env = environment(mode);
    const words = env.fromCollection([
      { word: 'a', count: 1 },
      { word: 'b', count: 2 },
    ]);
    expect(await failure(words.keyBy((r) => r.word).sum('cnt'))).toEqual([
      'Keyed Aggregation (sum("cnt"))',
      'TypeError: the record has no field "cnt"',
      "{ word: 'a', count: 1 }",
    ]);
  });

  it("refuses a first record whose field sum cannot add: a string, a null", async () => {
    const env = environment(mode);
    expect(await failure(env.fromCollection<unknown[]>([['a', '9']]).keyBy((r) => r[0]).sum(1))).toEqual([
      'Keyed Aggregation (sum(1))',
      'TypeError: field 1 is a string ("9"): sum adds numbers',
      "[ 'a', '9' ]",
    ]);
    expect(await failure(env.fromCollection<unknown[]>([['a', null], ['a', 1]]).keyBy((r) => r[0]).sum(1))).toEqual([
      'Keyed Aggregation (sum(1))',
      'TypeError: field 1 is null: sum cannot add it',
      "[ 'a', null ]",
    ]);
  });

  it('refuses a null field of min, and says null', async () => {
    const env = environment(mode);
    const typed = env.fromCollection<[string, number | null]>(
      [
        ['a', 3],
        ['a', null],
      ],
      Types.TUPLE([Types.STRING(), Types.INT()]) as TypeInformation<[string, number | null]>,
    );
    expect(await failure(typed.keyBy((r) => r[0]).min(1))).toEqual([
      'Keyed Aggregation (min(1))',
      'TypeError: field 1 is null: min cannot compare it',
      "[ 'a', null ]",
    ]);
  });

  it('refuses to compare a number with a string, instead of coercing one', async () => {
    const env = environment(mode);
    const mixed = env.fromCollection<unknown[]>([['a', 10], ['a', '9'], ['a', 2]]);
    expect(await failure(mixed.keyBy((r) => r[0]).max(1))).toEqual([
      'Keyed Aggregation (max(1))',
      'TypeError: field 1 is a string ("9") in this record and a number (10) in the key\'s earlier ones: max cannot compare a string with a number',
      "[ 'a', '9' ]",
    ]);
  });

  it('refuses a null or undefined key, naming the key selector and the record', async () => {
    const env = environment(mode);
    const nulls = await failureOf<UserFunctionError>(env.fromCollection([1, 2]).keyBy(() => null).map((x) => x).executeAndCollect());
    expect(nulls).toBeInstanceOf(UserFunctionError);
    expect([nulls!.operator, nulls!.functionName.startsWith('<lambda at api-checks-aggregation-run-time.test.ts:'), nulls!.causeMessage, nulls!.record]).toEqual([
      'Key By',
      true,
      'the key selector returned null: a key must not be null or undefined',
      '1',
    ]);
    const undefinedKey = await failureOf<UserFunctionError>(env.fromCollection([7]).keyBy(async () => undefined).map((x) => x).executeAndCollect());
    expect([undefinedKey!.operator, undefinedKey!.causeMessage, undefinedKey!.record]).toEqual([
      'Key By',
      'the key selector returned undefined: a key must not be null or undefined',
      '7',
    ]);
  });

  it('aggregates a ROW_NAMED field given by position', async () => {
    const env = environment(mode);
    const words = env.fromCollection(
      [
        { word: 'a', count: 1 },
        { word: 'b', count: 5 },
        { word: 'a', count: 2 },
      ],
      Types.ROW_NAMED(['word', 'count'], [Types.STRING(), Types.INT()]),
    );
    expect(await words.keyBy((r) => r.word).sum(1).executeAndCollect()).toEqual([
      { word: 'a', count: 1 },
      { word: 'b', count: 5 },
      { word: 'a', count: 3 },
    ]);
    expect(await words.keyBy(() => 'all').maxBy(1).executeAndCollect()).toEqual([
      { word: 'a', count: 1 },
      { word: 'b', count: 5 },
      { word: 'b', count: 5 },
    ]);
  });
});
