/**
 * Every kind of keyed state and every operation, end to end, in every mode: results are
 * identical at state cache sizes 0, 1 and the default and at bundle sizes 1 and the default.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobExecutionResult } from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import { AggregatingOps, Average, ListOps, MapOps, ReducingOps, ValueOps, type Command } from './state-functions.ts';

const CACHE_SIZES = { 'cache 0': 0, 'cache 1': 1, 'cache default': 100_000 };
const BUNDLES = { 'bundle 1': 1, 'bundle default': 100_000 };

const VALUE: Command[] = [
  ['x', 'get'],
  ['x', 'update', 1],
  ['y', 'update', { deep: [1, 2n] }],
  ['x', 'get'],
  ['x', 'update', 2],
  ['y', 'get'],
  ['x', 'clear'],
  ['x', 'get'],
];
const LIST: Command[] = [
  ['x', 'get'],
  ['x', 'add', 'a'],
  ['y', 'addAll', [1, 2]],
  ['x', 'addAll', ['b', 'c']],
  ['y', 'add', 3],
  ['x', 'update', ['z']],
  ['y', 'clear'],
  ['x', 'add', 'w'],
  ['y', 'get'],
];
const MAP: Command[] = [
  ['x', 'isEmpty'],
  ['x', 'put', ['b', 2]],
  ['x', 'put', ['a', 1]],
  ['y', 'putAll', [['k', 'v'], ['j', null]]],
  ['x', 'get', 'a'],
  ['x', 'get', 'nope'],
  ['x', 'contains', 'b'],
  ['y', 'contains', 'j'],
  ['x', 'keys'],
  ['x', 'values'],
  ['y', 'entries'],
  ['x', 'firstKey'],
  ['x', 'remove', 'a'],
  ['x', 'entries'],
  ['x', 'isEmpty'],
  ['y', 'clear'],
  ['y', 'isEmpty'],
  ['y', 'keys'],
];
const REDUCING: Command[] = [
  ['x', 'get'],
  ['x', 'add', 5],
  ['y', 'add', 1],
  ['x', 'add', 7],
  ['x', 'clear'],
  ['x', 'add', 2],
];
const AGGREGATING: Command[] = [
  ['x', 'add', 4],
  ['x', 'add', 8],
  ['y', 'add', 3],
  ['x', 'clear'],
  ['x', 'get'],
  ['y', 'add', 4],
];

describe.each(MODES)('%s mode', (mode) => {
  describe.each(Object.entries(CACHE_SIZES))('%s', (_c, cacheSize) => {
    describe.each(Object.entries(BUNDLES))('%s', (_b, bundleSize) => {
      const out: Record<string, unknown[]> = {};
      beforeAll(async () => {
        const env = environment(mode, { 'udf.state.cache-size': cacheSize, 'udf.bundle.size': bundleSize });
        out['average'] = collect(
          env
            .fromCollection<[number, number]>([
              [1, 3],
              [1, 5],
              [1, 7],
              [2, 4],
              [2, 2],
            ])
            .keyBy((r) => r[0])
            .map(new Average()),
        );
        const byKey = (commands: Command[]) => env.fromCollection(commands).keyBy((c) => c[0]);
        out['value'] = collect(byKey(VALUE).process(new ValueOps()));
        out['list'] = collect(byKey(LIST).process(new ListOps()));
        out['map'] = collect(byKey(MAP).process(new MapOps()));
        out['reducing'] = collect(byKey(REDUCING).process(new ReducingOps()));
        out['aggregating'] = collect(byKey(AGGREGATING).process(new AggregatingOps()));
        await env.execute('state');
      });

      it('keyed average with two ValueStates', () => {
        expect(out['average']).toEqual([
          [1, 3],
          [1, 4],
          [1, 5],
          [2, 4],
          [2, 3],
        ]);
      });

      it('ValueState: value, update, clear', () => {
        expect(out['value']).toEqual([
          ['x', 'get', null],
          ['x', 'update', 1],
          ['y', 'update', { deep: [1, 2n] }],
          ['x', 'get', 1],
          ['x', 'update', 2],
          ['y', 'get', { deep: [1, 2n] }],
          ['x', 'clear', null],
          ['x', 'get', null],
        ]);
      });

      it('ListState: get, add, addAll, update, clear', () => {
        expect(out['list']).toEqual([
          ['x', 'get', []],
          ['x', 'add', ['a']],
          ['y', 'addAll', [1, 2]],
          ['x', 'addAll', ['a', 'b', 'c']],
          ['y', 'add', [1, 2, 3]],
          ['x', 'update', ['z']],
          ['y', 'clear', []],
          ['x', 'add', ['z', 'w']],
          ['y', 'get', []],
        ]);
      });

      it('MapState: get, put, putAll, remove, contains, keys, values, entries, isEmpty, clear', () => {
        expect(out['map']).toEqual([
          ['x', 'isEmpty', true],
          ['x', 'put', null],
          ['x', 'put', null],
          ['y', 'putAll', null],
          ['x', 'get', 1],
          ['x', 'get', null],
          ['x', 'contains', true],
          ['y', 'contains', true],
          ['x', 'keys', ['a', 'b']],
          ['x', 'values', [1, 2]],
          ['y', 'entries', [['j', null], ['k', 'v']]],
          ['x', 'firstKey', 'a'],
          ['x', 'remove', null],
          ['x', 'entries', [['b', 2]]],
          ['x', 'isEmpty', false],
          ['y', 'clear', null],
          ['y', 'isEmpty', true],
          ['y', 'keys', []],
        ]);
      });

      it('ReducingState: add, get, clear', () => {
        expect(out['reducing']).toEqual([
          ['x', 'get', null],
          ['x', 'add', 5],
          ['y', 'add', 1],
          ['x', 'add', 12],
          ['x', 'clear', null],
          ['x', 'add', 2],
        ]);
      });

      it('AggregatingState: add, get, clear', () => {
        expect(out['aggregating']).toEqual([
          ['x', 'add', 4],
          ['x', 'add', 6],
          ['y', 'add', 3],
          ['x', 'clear', null],
          ['x', 'get', null],
          ['y', 'add', 3.5],
        ]);
      });
    });
  });
});

describe.each(MODES)('%s mode: state requests', (mode) => {
  let result: JobExecutionResult;
  let counts: number[];
  beforeAll(async () => {
    // One bundle of the 100,000 records (the default udf.bundle.size) however slow the machine:
    // a bundle also ends after udf.bundle.time, which a loaded machine could otherwise reach.
    const env = environment(mode, { 'udf.bundle.time': 3_600_000 });
    const records: number[] = [];
    for (let i = 0; i < 1000; i++) for (let k = 0; k < 100; k++) records.push(k);
    const stream = env
      .fromCollection(records)
      .keyBy((k) => k)
      .map(new KeyCount())
      .name('Count');
    const last = new Map<number, number>();
    const out = collect(stream);
    result = await env.execute('count');
    for (const [k, n] of out) last.set(k, n);
    counts = [...last.values()];
  });

  it('counts correctly', () => {
    expect(counts).toHaveLength(100);
    expect(counts.every((n) => n === 1000)).toBe(true);
  });

  it('reads each key once from the host, not once per record, and writes in batches', () => {
    const op = result.operator('Count');
    expect(op.recordsIn).toBe(100_000);
    // The first batch holds all 100 keys: one request reads them all (prefetch) and declares
    // the state; the single bundle's writes, merged in the cache, go in one more.
    expect(op.stateRequests).toBe(2);
    // 100 reads + 100 writes + the state's declaration.
    expect(op.stateOperations).toBe(201);
  });
});

import { MapFunction, ValueStateDescriptor, type RuntimeContext, type ValueState } from '../../host/index.ts';

class KeyCount extends MapFunction<number, [number, number]> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
  }
  async map(key: number): Promise<[number, number]> {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return [key, n];
  }
}
