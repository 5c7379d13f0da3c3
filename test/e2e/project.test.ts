/**
 * DataStream.project(...fieldIndexes), PyFlink's project: the tuple fields kept, in the order
 * given, typed as the input's fields; in every mode and bundle setting, chained with the
 * functions around it or across a stage boundary. Only tuple streams can be projected.
 */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError, Types } from '../../host/index.ts';
import { BUNDLE_SETTINGS, collect, environment, MODES } from '../support/jobs.ts';

const ROWS: [string, number, boolean][] = [
  ['ann', 3, true],
  ['bob', 5, false],
  ['cid', 7, true],
];
const ROW = Types.TUPLE([Types.STRING(), Types.LONG(), Types.BOOLEAN()]);

describe.each(MODES)('%s mode', (mode) => {
  it.each(Object.entries(BUNDLE_SETTINGS))('keeps the fields given, in their order, field twice included (%s)', async (_l, settings) => {
    const env = environment(mode, settings);
    const rows = env.fromCollection(ROWS, ROW);
    const projected = rows.project<[number, string, number]>(1, 0, 1);
    const out = collect(projected.map(([n, name, again]) => `${name}:${n + again}`, Types.STRING()));
    const result = await env.execute('project');
    expect(out).toEqual(['ann:6', 'bob:10', 'cid:14']);
    expect(result.operator('Projection').recordsIn).toBe(3);
    expect(projected.getType()).toEqual(Types.TUPLE([Types.LONG(), Types.STRING(), Types.LONG()]));
  });

  it('across a stage boundary, keyed after it', async () => {
    const env = environment(mode);
    const out = collect(
      env
        .fromCollection(ROWS, ROW)
        .project<[boolean, number]>(2, 1)
        .keyBy((t) => String(t[0]))
        .reduce((a, b) => [a[0], a[1] + b[1]]),
    );
    await env.execute('project keyed');
    expect(out).toEqual([
      [true, 3],
      [false, 5],
      [true, 10],
    ]);
  });
});

describe('project() checks its stream and indexes where it is called', () => {
  const env = environment('embedded');
  it('refuses a stream that is not of tuples', () => {
    expect(() => env.fromCollection([1, 2], Types.LONG()).project(0)).toThrow(
      new JobDefinitionError('project() applies to a stream of tuples (declared with Types.TUPLE); this one is of type LONG'),
    );
    expect(() => env.fromCollection([[1, 2]]).project(0)).toThrow(
      new JobDefinitionError('project() applies to a stream of tuples (declared with Types.TUPLE); this one is of type GENERIC'),
    );
  });

  it('refuses an index that is not one of the tuple\'s fields, and no index at all', () => {
    const rows = env.fromCollection(ROWS, ROW);
    expect(() => rows.project(3)).toThrow(new JobDefinitionError(`project(): 3 is not a field index of ${String(ROW)} (0 to 2)`));
    expect(() => rows.project(0.5)).toThrow(new JobDefinitionError(`project(): 0.5 is not a field index of ${String(ROW)} (0 to 2)`));
    expect(() => rows.project()).toThrow(new JobDefinitionError('project() needs at least one field index'));
  });
});
