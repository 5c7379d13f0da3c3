import { describe, expect, test } from 'vitest';
import {
  AggregateFunction,
  AggregatingStateDescriptor,
  MapFunction,
  OutputTag,
  StateTtlConfig,
  Time,
  TypeInformation,
  Types,
  ValueStateDescriptor,
} from '../shared/api/index.ts';
import { refusal, roundTrip } from './fixtures/shipping/round-trip.ts';

class Average extends AggregateFunction<number, [number, number], number> {
  createAccumulator(): [number, number] {
    return [0, 0];
  }
  add(value: number, acc: [number, number]): [number, number] {
    return [acc[0] + value, acc[1] + 1];
  }
  getResult(acc: [number, number]): number {
    return acc[0] / acc[1];
  }
}

class Holder extends MapFunction<unknown, unknown> {
  numbers = [1.5, NaN, Infinity, -Infinity, -0, Number.MAX_SAFE_INTEGER];
  text = 'naïve ☃';
  flags = [true, false, null, undefined];
  big = 2n ** 70n;
  when = new Date(Date.UTC(2024, 1, 29, 12));
  never = new Date(NaN);
  bytes = new Uint8Array([0, 1, 255]);
  floats = new Float64Array([0.5, -2]);
  buffer = Buffer.from('hi');
  pattern = /a+b/gi;
  nested = { depth: { list: [{ x: 1 }, [2, [3]]] }, ['__proto__']: 'a field, not a prototype' };
  bare: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, { k: 1 });
  lookup = new Map<unknown, unknown>([
    ['a', 1],
    [2, new Set(['x', 'y'])],
    [3n, { deep: true }],
  ]);
  seen = new Set([1, 'two', 3n]);
  state = new ValueStateDescriptor('pair', Types.TUPLE([Types.LONG(), Types.STRING()])).enableTimeToLive(
    StateTtlConfig.newBuilder(Time.minutes(5)).updateTtlOnReadAndWrite().build(),
  );
  late = new OutputTag('late', Types.ROW_NAMED(['id', 'at'], [Types.INT(), Types.SQL_TIMESTAMP()]));
  averages = new AggregatingStateDescriptor('avg', new Average(), Types.TUPLE([Types.DOUBLE(), Types.LONG()]));
  types = Types;
  scale = (v: number) => v * 10;

  map(value: unknown): unknown {
    return value;
  }
}

describe('fields of shipped function objects', () => {
  test('plain data round-trips exactly', async () => {
    const { loaded } = await roundTrip(new Holder());
    expect(loaded.numbers).toEqual([1.5, NaN, Infinity, -Infinity, -0, Number.MAX_SAFE_INTEGER]);
    expect(Object.is(loaded.numbers[4], -0)).toBe(true);
    expect(loaded.text).toBe('naïve ☃');
    expect(loaded.flags).toEqual([true, false, null, undefined]);
    expect(loaded.flags.length).toBe(4);
    expect(loaded.big).toBe(1180591620717411303424n);
    expect(loaded.when).toEqual(new Date('2024-02-29T12:00:00.000Z'));
    expect(Number.isNaN(loaded.never.getTime())).toBe(true);
    expect(loaded.bytes).toEqual(new Uint8Array([0, 1, 255]));
    expect(Object.getPrototypeOf(loaded.bytes)).toBe(Uint8Array.prototype);
    expect(loaded.floats).toEqual(new Float64Array([0.5, -2]));
    expect(Buffer.isBuffer(loaded.buffer) && loaded.buffer.toString('utf8')).toBe('hi');
    expect(loaded.pattern).toEqual(/a+b/gi);
    expect(loaded.nested).toEqual({ depth: { list: [{ x: 1 }, [2, [3]]] }, ['__proto__']: 'a field, not a prototype' });
    expect(Object.getPrototypeOf(loaded.nested)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(loaded.bare)).toBe(null);
    expect(loaded.bare['k']).toBe(1);
    expect(loaded.lookup).toEqual(
      new Map<unknown, unknown>([
        ['a', 1],
        [2, new Set(['x', 'y'])],
        [3n, { deep: true }],
      ]),
    );
    expect(loaded.seen).toEqual(new Set([1, 'two', 3n]));
  });

  test('rebuilt values are copies, not the host objects', async () => {
    const original = new Holder();
    const { loaded } = await roundTrip(original);
    loaded.lookup.set('a', 99);
    (loaded.nested.depth.list as unknown[]).push(0);
    expect(original.lookup.get('a')).toBe(1);
    expect(original.nested.depth.list).toHaveLength(2);
  });

  test('Sluice API objects are rebuilt as their classes', async () => {
    const { payload, loaded } = await roundTrip(new Holder());
    const fields = payload.function['fields'] as Record<string, unknown>;
    expect(fields['late']).toEqual({
      $: 'api-object',
      class: 'OutputTag',
      fields: {
        tagId: 'late',
        typeInfo: {
          $: 'api-object',
          class: 'TypeInformation',
          fields: {
            descriptor: {
              $: 'object',
              fields: {
                kind: 'ROW_NAMED',
                names: ['id', 'at'],
                fields: [
                  { $: 'object', fields: { kind: 'INT' } },
                  { $: 'object', fields: { kind: 'SQL_TIMESTAMP' } },
                ],
              },
            },
          },
        },
      },
    });
    expect(loaded.state).toBeInstanceOf(ValueStateDescriptor);
    expect(loaded.state.name).toBe('pair');
    expect(loaded.state.kind).toBe('value');
    expect(loaded.state.valueType).toBeInstanceOf(TypeInformation);
    expect(loaded.state.valueType.toString()).toBe('TUPLE(LONG, STRING)');
    expect(loaded.state.ttlConfig).toBeInstanceOf(StateTtlConfig);
    expect(loaded.state.ttlConfig).toEqual(new StateTtlConfig(300_000, 'OnReadAndWrite', 'NeverReturnExpired'));
    expect(loaded.late).toBeInstanceOf(OutputTag);
    expect(loaded.late.typeInfo.toString()).toBe('ROW_NAMED(id: INT, at: SQL_TIMESTAMP)');
    expect(loaded.types).toBe(Types);
  });

  test('functions and function objects in fields are shipped too', async () => {
    const { loaded } = await roundTrip(new Holder());
    expect(loaded.scale(4)).toBe(40);
    const average = loaded.averages.aggregateFunction;
    expect(average).toBeInstanceOf(AggregateFunction);
    expect(average.getResult(average.add(5, average.add(3, average.createAccumulator())))).toBe(4);
    expect(loaded.averages.accumulatorType.toString()).toBe('TUPLE(DOUBLE, LONG)');
  });

  test('a cycle is refused, naming the field', async () => {
    class Cyclic extends MapFunction<number, number> {
      node: { parent?: unknown } = {};
      map(v: number): number {
        return v;
      }
    }
    const fn = new Cyclic();
    fn.node.parent = fn;
    expect(await refusal(fn)).toBe(
      "UnshippableFunctionError: Cannot ship map function Cyclic of operator 'Map' to a worker: " +
        'field `this.node.parent` refers back to `this` (a cycle); cyclic values cannot be shipped',
    );
  });

  test('a value that is not data is refused, naming the field and what it holds', async () => {
    class Cached extends MapFunction<number, number> {
      settings = { cache: new WeakMap<object, number>() };
      map(v: number): number {
        return v;
      }
    }
    expect(await refusal(new Cached())).toBe(
      "UnshippableFunctionError: Cannot ship map function Cached of operator 'Map' to a worker: " +
        'field `this.settings.cache` holds a WeakMap, which cannot be shipped. Fields may hold plain data ' +
        '(numbers, strings, booleans, null, undefined, bigint, Date, RegExp, Uint8Array and other typed arrays, ' +
        'arrays, plain objects, Map, Set), Sluice API objects (state descriptors, types, OutputTag …), functions ' +
        'and objects of your own classes',
    );
  });

  test('a symbol is refused', async () => {
    class Tagged extends MapFunction<number, number> {
      tag = Symbol('t');
      map(v: number): number {
        return v;
      }
    }
    expect(await refusal(new Tagged())).toMatch(/: field `this\.tag` holds a symbol, which cannot be shipped\. /);
  });
});
