/**
 * Bundles overlap: one closes and finishes (its state committed in the host) while the next
 * ones run. What a bundle opened in the host (a map iteration paged from it) is freed when that
 * bundle finishes, and only then: here every record is a bundle, and each iterates its key's
 * map in pages of two entries while the bundles before it finish.
 */
import { describe, expect, it } from 'vitest';
import { Types } from '../../host/index.ts';
import { collect, environment, MODES } from '../support/jobs.ts';
import { MapPages } from './state-functions.ts';

const INPUT: [string, number][] = [
  ['a', 1], ['a', 2], ['b', 5], ['a', 3], ['a', 4], ['b', 6], ['a', 5], ['b', 7], ['a', 6],
];

describe.each(MODES)('%s mode', (mode) => {
  it('frees what a bundle opened in the host when that bundle finishes, not another', async () => {
    const env = environment(mode, {
      'udf.bundle.size': 1,
      'udf.state.cache-size': 0,
      'udf.map-state.iterate-response-batch-size': 2,
    });
    const out = collect(
      env
        .fromCollection(INPUT, Types.TUPLE([Types.STRING(), Types.LONG()]))
        .keyBy((r) => r[0])
        .process(new MapPages(), Types.TUPLE([Types.STRING(), Types.LONG(), Types.LONG()])),
    );
    await env.execute('overlapping bundles');
    expect(out).toEqual([
      ['a', 1, 10], ['a', 2, 30], ['b', 1, 50], ['a', 3, 60], ['a', 4, 100], ['b', 2, 110], ['a', 5, 150], ['b', 3, 180], ['a', 6, 210],
    ]);
  });
});
