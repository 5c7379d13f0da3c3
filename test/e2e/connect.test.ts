/**
 * Connected streams (DataStream.connect), end to end, in every mode and under several bundle
 * settings: the co functions see each input's records with the right method, keyed connected
 * streams share a key's state and timers between the inputs, and the results are the same
 * everywhere. Between the two inputs, records arrive in no fixed order; within each, in order.
 */
import { describe, expect, it } from 'vitest';
import {
  CoMapFunction,
  DEAD_LETTERS,
  JobDefinitionError,
  MapFunction,
  Types,
  UserFunctionError,
  WatermarkStrategy,
} from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { BUNDLE_SETTINGS, collect, environment, MODES } from '../support/jobs.ts';
import { CountBoth, Enrich, ODD, RefusesBad, RouteOdd, Splitting, Tagging, TimerWithoutKey, type Order, type User } from './connect-functions.ts';

const ORDERS: Order[] = [
  { user: 'ann', item: 'tea', ts: 1 },
  { user: 'bob', item: 'pen', ts: 3 },
  { user: 'ann', item: 'cup', ts: 20 },
  { user: 'cid', item: 'ink', ts: 30 },
  { user: 'bob', item: 'pad', ts: 60 },
  { user: 'ann', item: 'jam', ts: 90 },
];
const USERS: User[] = [
  { user: 'bob', name: 'Bob B.', ts: 2 },
  { user: 'ann', name: 'Ann A.', ts: 50 },
  { user: 'cid', name: 'Cid C.', ts: 95 },
  { user: 'dee', name: 'Dee D.', ts: 97 },
];
const ENRICHED = ['ann:Ann A.:cup', 'ann:Ann A.:jam', 'ann:Ann A.:tea', 'bob:Bob B.:pad', 'bob:Bob B.:pen', 'cid:Cid C.:ink'];

describe.each(MODES)('%s mode', (mode) => {
  it.each(Object.entries(BUNDLE_SETTINGS))('map: map1 for the first stream, map2 for the second, each in its order (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const numbers = env.fromCollection([1, 2, 3, 4, 5], Types.LONG());
    const words = env.fromCollection(['a', 'b', 'c'], Types.STRING());
    const out = collect(numbers.connect(words).map(new Tagging(), Types.STRING()));
    const result = await env.execute('co-map');
    expect(out.filter((s) => s.startsWith('n:'))).toEqual(['n:10', 'n:20', 'n:30', 'n:40', 'n:50']);
    expect(out.filter((s) => s.startsWith('s:'))).toEqual(['s:A', 's:B', 's:C']);
    expect(out).toHaveLength(8);
    expect(result.operator('Co-Map').recordsIn).toBe(8);
    expect(result.operator('Co-Map').recordsOut).toBe(8);
  });

  it('flatMap: through the collector on one input, as an iterable on the other; chained functions follow', async () => {
    const env = environment(mode);
    const sentences = env.fromCollection(['to be or', 'not to be']);
    const counts = env.fromCollection([2, 0, 1]);
    const out = collect(
      sentences
        .connect(counts)
        .flatMap(new Splitting())
        .map((w: string) => `${w}!`),
    );
    await env.execute('co-flat-map');
    expect([...out].sort()).toEqual(['#0!', '#0!', '#1!', 'be!', 'be!', 'not!', 'or!', 'to!', 'to!']);
  });

  it.each(Object.entries(BUNDLE_SETTINGS))(
    'keyed connected streams share each key\'s state between the inputs: a join by key (%s)',
    async (_l, settings) => {
      const env = environment(mode, { ...settings, 'parallelism.default': 2 });
      const orders = env.fromCollection(ORDERS).keyBy((o) => o.user);
      const users = env.fromCollection(USERS).keyBy((u) => u.user);
      const out = collect(orders.connect(users).process(new Enrich(), Types.STRING()));
      await env.execute('join');
      expect([...out].sort()).toEqual(ENRICHED);
    },
  );

  it('keyBy(key1, key2) on connected streams is connecting the two keyed streams', async () => {
    const env = environment(mode, { 'parallelism.default': 2 });
    const orders = env.fromCollection(ORDERS);
    const users = env.fromCollection(USERS);
    const out = collect(
      orders
        .connect(users)
        .keyBy(
          (o) => o.user,
          (u) => u.user,
        )
        .process(new Enrich()),
    );
    await env.execute('join by keyBy');
    expect([...out].sort()).toEqual(ENRICHED);
  });

  it.each([
    ['bundle 1', { 'udf.bundle.size': 1 }],
    ['bundle default', {}],
  ])('event-time timers fire on the smaller watermark of the two inputs, with the key\'s state from both (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const orders = env
      .fromCollection(ORDERS)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Order>().withTimestampAssigner((o) => o.ts))
      .keyBy((o) => o.user);
    const users = env
      .fromCollection(USERS)
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<User>().withTimestampAssigner((u) => u.ts))
      .keyBy((u) => u.user);
    const out = collect(orders.connect(users).process(new CountBoth()));
    await env.execute('timers');
    // Every record is in the first 100 ms: each key's timer at 99 fires once the smaller of the
    // two inputs' watermarks passes it, when both inputs' records of the key have been counted.
    expect([...out].sort((a, b) => a[0].localeCompare(b[0]))).toEqual([
      ['ann', 99, 3, 1],
      ['bob', 99, 2, 1],
      ['cid', 99, 1, 1],
      ['dee', 99, 0, 1],
    ]);
  });

  it('process on streams that are not keyed: side outputs, and a keyed stream connected with one that is not', async () => {
    const env = environment(mode);
    const numbers = env.fromCollection([1, 2, 3, 4, 5], Types.LONG()).keyBy((n) => n % 2);
    const words = env.fromCollection(['ab', 'abc'], Types.STRING());
    const main = numbers.connect(words).process(new RouteOdd(), Types.LONG());
    const out = collect(main);
    const odd = collect(main.getSideOutput(ODD));
    await env.execute('route');
    expect([...out].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 2000, 3000]);
    expect([...odd].sort((a, b) => a - b)).toEqual([1, 3, 5]);
  });

  it('a stream connected with itself gives each record to both methods', async () => {
    const env = environment(mode);
    const numbers = env.fromCollection([1, 2, 3], Types.LONG());
    const out = collect(numbers.connect(numbers).map({ map1: (n: number) => n, map2: (n: number) => -n }));
    await env.execute('self');
    expect([...out].sort((a, b) => a - b)).toEqual([-3, -2, -1, 1, 2, 3]);
  });

  it('a function that throws on the second input fails the job naming the operator, the function and the record', async () => {
    const env = environment(mode);
    const numbers = env.fromCollection([1, 2], Types.LONG());
    const words = env.fromCollection(['ok', 'bad'], Types.STRING());
    collect(numbers.connect(words).map(new RefusesBad()).name('Refuse'));
    const error = await failureOf<UserFunctionError>(env.execute('throws'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('Refuse');
    expect(error!.functionName).toBe('RefusesBad');
    expect(error!.record).toBe("'bad'");
    expect(error!.causeName).toBe('TypeError');
    expect(error!.causeMessage).toBe('cannot map bad');
    expect(error!.workerStack).toContain('map2');
  });

  it('under the skip policy the failed record of either input goes to the dead letters and the rest go on', async () => {
    const env = environment(mode);
    const numbers = env.fromCollection([1, 2], Types.LONG());
    const words = env.fromCollection(['ok', 'bad', 'fine'], Types.STRING());
    const mapped = numbers.connect(words).map(new RefusesBad()).setFailurePolicy('skip');
    const out = collect(mapped);
    const dead = collect(mapped.getSideOutput(DEAD_LETTERS));
    await env.execute('skips');
    expect([...out].sort()).toEqual(['1', '2', 'fine', 'ok']);
    expect(dead.map((d) => [d.record, d.operator, d.function, d.error.name, d.error.message])).toEqual([
      ['bad', 'Co-Map', 'RefusesBad', 'TypeError', 'cannot map bad'],
    ]);
  });

  it('a timer on connected streams that are not keyed is refused, as in Flink', async () => {
    const env = environment(mode);
    const a = env.fromCollection([1], Types.LONG());
    const b = env.fromCollection([2], Types.LONG());
    collect(a.connect(b).process(new TimerWithoutKey()));
    const error = await failureOf<UserFunctionError>(env.execute('timer without key'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.causeMessage).toBe('Setting timers is only supported on a keyed stream: use keyBy(...).process(...), or on connected streams connect two KeyedStreams (or keyBy(key1, key2))');
  });
});

class Doubling extends MapFunction<number, number> {
  map(n: number): number {
    return n * 2;
  }
}

describe('connect() checks its arguments where they are given', () => {
  const env = environment('embedded');
  const a = env.fromCollection([1]);
  const b = env.fromCollection(['x']);

  it('a lambda is not a co function', () => {
    expect(() => a.connect(b).map(((x: number) => x) as unknown as CoMapFunction<number, string, number>)).toThrow(
      new JobDefinitionError('map() on connected streams takes a CoMapFunction: an object with map1() and map2() methods; got a plain function'),
    );
  });

  it('an object without the second method is refused, naming it', () => {
    expect(() => a.connect(b).flatMap({ flatMap1: () => undefined } as never)).toThrow(
      new JobDefinitionError('flatMap() on connected streams takes a CoFlatMapFunction: an object with flatMap1() and flatMap2() methods; got an object without flatMap2()'),
    );
  });

  it('a one-input function, or nothing, is refused naming what was given', () => {
    expect(() => a.connect(b).map(new Doubling() as never)).toThrow(
      new JobDefinitionError('map() on connected streams takes a CoMapFunction: an object with map1() and map2() methods; got a Doubling without map1() or map2()'),
    );
    expect(() => a.connect(b).process(undefined as never)).toThrow(
      new JobDefinitionError(
        'process() on connected streams takes a CoProcessFunction: an object with processElement1() and processElement2() methods; got undefined',
      ),
    );
  });

  it('a KeyedCoProcessFunction needs keyed connected streams', () => {
    expect(() => a.connect(b).process(new Enrich() as never)).toThrow(
      new JobDefinitionError(
        'process(): a KeyedCoProcessFunction needs keyed connected streams: connect two KeyedStreams, or call keyBy(keySelector1, keySelector2) first',
      ),
    );
  });

  it('a stream of another environment is refused', () => {
    const other = environment('embedded').fromCollection([2]);
    expect(() => a.connect(other)).toThrow(new JobDefinitionError('connect() takes a stream of the same environment'));
  });
});
