/**
 * An event-time window given records without timestamps fails the job as its window operator's
 * error (Flink's: "Record has Long.MIN_VALUE timestamp"), naming the window assigner, under
 * every failure policy: it was the user's reduce function's error, and under `skip` the job
 * ended with every record in the dead letters and no output.
 */
import { describe, expect, it } from 'vitest';
import { TumblingEventTimeWindows, UserFunctionError } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { environment, MODES } from '../support/jobs.ts';

describe.each(MODES)('%s mode', (mode) => {
  it.each(['fail', 'skip'])('fails the job naming the window assigner (udf.failure-policy %s)', async (policy) => {
    const env = environment(mode, { 'udf.failure-policy': policy });
    env
      .fromCollection<[string, number]>([['a', 1], ['a', 2]])
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .reduce((x, y) => [x[0], x[1] + y[1]])
      .print();
    const error = await failureOf<UserFunctionError>(env.execute('no timestamps'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect(error!.operator).toBe('Window(reduce)');
    expect(error!.functionName).toBe('window assigner');
    expect(error!.causeMessage).toBe(
      'Record has no timestamp (null): event-time windows need timestamps. Did you forget to call assignTimestampsAndWatermarks(...), or mean a processing-time window?',
    );
  });
});
