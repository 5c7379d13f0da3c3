/**
 * fromSequence takes int64 bounds, as Flink's takes longs: a bound past the LONG range is refused
 * at the call, naming it. Regression: `fromSequence(2n ** 63n - 1n, 2n ** 63n)` was accepted,
 * collected 9223372036854775808 directly, and failed at run time through a map.
 */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError } from '../host/index.ts';
import { environment } from './support/jobs.ts';

describe('fromSequence bounds', () => {
  const env = environment('embedded');

  it('refuses a bound outside the int64 range, naming it', () => {
    expect(() => env.fromSequence(2n ** 63n - 1n, 2n ** 63n)).toThrow(
      new JobDefinitionError('fromSequence: end must be in the int64 range (a LONG: -(2^63) to 2^63 - 1), got 9223372036854775808n'),
    );
    expect(() => env.fromSequence(-(2n ** 63n) - 1n, 0)).toThrow(
      new JobDefinitionError('fromSequence: start must be in the int64 range (a LONG: -(2^63) to 2^63 - 1), got -9223372036854775809n'),
    );
  });

  it('takes the int64 range to its ends', async () => {
    const top = await env.fromSequence(2n ** 63n - 2n, 2n ** 63n - 1n).executeAndCollect();
    expect(top).toStrictEqual([2n ** 63n - 2n, 2n ** 63n - 1n]);
    const bottom = await env.fromSequence(-(2n ** 63n), -(2n ** 63n) + 1n).executeAndCollect();
    expect(bottom).toStrictEqual([-(2n ** 63n), -(2n ** 63n) + 1n]);
  });
});
