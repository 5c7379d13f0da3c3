/**
 * sum/min/max/minBy/maxBy check their field when they are called, as Flink's field accessors do,
 * on a stream whose type is declared: a field the type does not have, or one the aggregation
 * cannot add or compare, is refused there, naming the field and the type. A ROW_NAMED field may
 * be given by position (PyFlink takes an index or a name for Row data). Streams with no declared
 * type are checked at run time (e2e/api-checks-aggregation-run-time.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, StreamExecutionEnvironment, Types, type DataStream, type TypeInformation } from '../host/index.ts';
import type { UdfTransformation } from '../host/graph/transformation.ts';

const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
const TUPLE = Types.TUPLE([Types.STRING(), Types.INT()]);
const NAMED = Types.ROW_NAMED(['word', 'count'], [Types.STRING(), Types.LONG()]);

function keyed<T>(type?: TypeInformation<T>) {
  return env.fromCollection<T>([], type).keyBy(() => 'k');
}

/** What the aggregation's operator sends to the worker. */
function builtinOf<T>(stream: DataStream<T>): UdfTransformation['builtin'] {
  return (stream.transformation as UdfTransformation).builtin;
}

function refusal(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(JobDefinitionError);
    return (error as Error).message;
  }
  throw new Error('not refused');
}

describe('a field the declared type does not have is refused when the aggregation is called', () => {
  it('an index past the end of a TUPLE or ROW', () => {
    expect(refusal(() => keyed(TUPLE).sum(7))).toBe('sum(7): TUPLE(STRING, INT) has no field 7: its fields are 0 to 1');
    expect(refusal(() => keyed(Types.ROW([Types.INT()])).maxBy(1))).toBe('maxBy(1): ROW(INT) has no field 1: its fields are 0 to 0');
  });

  it('a name on a TUPLE, which has only positions', () => {
    expect(refusal(() => keyed(TUPLE).min('f1'))).toBe('min("f1"): TUPLE(STRING, INT) has no field names: give the field\'s index, 0 to 1');
  });

  it('a misspelt name, or an index past the end, of a ROW_NAMED', () => {
    const fields = 'its fields are 0 "word", 1 "count"';
    expect(refusal(() => keyed(NAMED).sum('cnt'))).toBe(`sum("cnt"): ROW_NAMED(word: STRING, count: LONG) has no field "cnt": ${fields}`);
    expect(refusal(() => keyed(NAMED).max(2))).toBe(`max(2): ROW_NAMED(word: STRING, count: LONG) has no field 2: ${fields}`);
  });

  it('a field other than 0 of a single value, and any field of a MAP', () => {
    expect(refusal(() => keyed(Types.INT()).sum(1))).toBe('sum(1): INT is a single value: its only field is 0, the value itself');
    expect(refusal(() => keyed(Types.MAP(Types.STRING(), Types.INT())).min(0))).toBe('min(0): MAP(STRING, INT) has no fields to aggregate');
  });
});

describe('a field the aggregation cannot use is refused, naming its type', () => {
  it('sum of a STRING field (the default field 0, usually the key), a BOOLEAN or a date', () => {
    const summable = 'sum takes a BYTE, SHORT, INT, LONG, FLOAT or DOUBLE field';
    expect(refusal(() => keyed(TUPLE).sum())).toBe(`sum(0): field 0 of TUPLE(STRING, INT) is STRING, which cannot be summed: ${summable}`);
    expect(refusal(() => keyed(Types.BOOLEAN()).sum(0))).toBe(`sum(0): the stream's type, BOOLEAN, cannot be summed: ${summable}`);
    expect(refusal(() => keyed(NAMED).sum('word'))).toBe(
      `sum("word"): field "word" of ROW_NAMED(word: STRING, count: LONG) is STRING, which cannot be summed: ${summable}`,
    );
  });

  it('min/max/minBy/maxBy of a field that has no order: BYTES, a list, a nested row', () => {
    const comparable = 'takes a number, STRING, BOOLEAN, SQL_DATE, SQL_TIME or SQL_TIMESTAMP field';
    const type = Types.TUPLE([Types.BYTES(), Types.LIST(Types.INT()), Types.ROW([Types.INT()])]);
    expect(refusal(() => keyed(type).min(0))).toBe(`min(0): field 0 of ${type} is BYTES, which cannot be compared: min ${comparable}`);
    expect(refusal(() => keyed(type).maxBy(1))).toBe(`maxBy(1): field 1 of ${type} is LIST(INT), which cannot be compared: maxBy ${comparable}`);
    expect(refusal(() => keyed(type).max(2))).toBe(`max(2): field 2 of ${type} is ROW(INT), which cannot be compared: max ${comparable}`);
  });

  it('adds no operator when it refuses', () => {
    const local = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' });
    const stream = local.fromCollection<[string, number]>([], TUPLE).keyBy((t) => t[0]);
    expect(() => stream.sum(7)).toThrow(JobDefinitionError);
    expect(local['transformations'].map((t) => t.name)).toEqual(['Source: Collection Source', 'Key By']);
  });
});

describe('fields that are accepted', () => {
  it('a ROW_NAMED field by position is the field there, sent to the worker by name (its LONG sum exact)', () => {
    expect(builtinOf(keyed(NAMED).sum(1))).toEqual({ aggregation: 'sum', field: 'count', int64: true });
    expect(builtinOf(keyed(NAMED).minBy(0))).toEqual({ aggregation: 'min_by', field: 'word', int64: false });
    expect(builtinOf(keyed(NAMED).sum('count'))).toEqual({ aggregation: 'sum', field: 'count', int64: true });
  });

  it('what can be added or compared, on tuples, rows, lists and single values', () => {
    expect(builtinOf(keyed(TUPLE).sum(1))).toEqual({ aggregation: 'sum', field: 1, int64: false });
    expect(builtinOf(keyed(TUPLE).max(0))).toEqual({ aggregation: 'max', field: 0, int64: false });
    expect(builtinOf(keyed(Types.LIST(Types.LONG())).sum(3))).toEqual({ aggregation: 'sum', field: 3, int64: true });
    expect(builtinOf(keyed(Types.SQL_TIMESTAMP()).min())).toEqual({ aggregation: 'min', field: 0, int64: false });
    expect(builtinOf(keyed(Types.BOOLEAN()).maxBy(0))).toEqual({ aggregation: 'max_by', field: 0, int64: false });
  });

  it('whatever the type leaves open is left to the run-time check: no declared type, GENERIC, a GENERIC field', () => {
    expect(builtinOf(keyed().sum('cnt'))).toEqual({ aggregation: 'sum', field: 'cnt', int64: false });
    expect(builtinOf(keyed(Types.GENERIC()).sum(5))).toEqual({ aggregation: 'sum', field: 5, int64: false });
    expect(builtinOf(keyed(Types.TUPLE([Types.STRING(), Types.GENERIC()])).min(1))).toEqual({ aggregation: 'min', field: 1, int64: false });
  });

  it('still refuses what is no field at all', () => {
    expect(refusal(() => keyed().sum(-1))).toBe('sum(-1): the field must be an index (0, 1, …) or a field name');
    expect(refusal(() => keyed().min(1.5))).toBe('min(1.5): the field must be an index (0, 1, …) or a field name');
  });
});
