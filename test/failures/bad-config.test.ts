/** A bad configuration value is refused before the job starts, naming the key. */
import { describe, expect, it } from 'vitest';
import { ConfigError, StreamExecutionEnvironment } from '../../host/index.ts';

describe('configuration errors', () => {
  it('a value out of range is refused at configure(), naming the key', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    expect(() => env.configure({ 'udf.bundle.size': -1 })).toThrow(ConfigError);
    expect(() => env.configure({ 'udf.bundle.size': -1 })).toThrow('udf.bundle.size must be a positive integer, got -1 (set in code)');
  });

  it('an unknown key is refused with a suggestion', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    expect(() => env.configure({ 'udf.bundel.size': 10 })).toThrow(
      "unknown configuration key 'udf.bundel.size' (did you mean 'udf.bundle.size'?)",
    );
  });

  it('a wrong type is refused', () => {
    expect(() => StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'fast' })).toThrow(
      /^udf\.execution-mode must be one of process, thread, embedded, got 'fast'/,
    );
  });

  it('an inconsistent combination is refused by execute(), before anything runs', async () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({
      'udf.worker.heartbeat-interval': 5000,
      'udf.worker.heartbeat-timeout': 1000,
    });
    const ran: number[] = [];
    env.fromCollection([1]).map((x) => x).print();
    await expect(env.execute()).rejects.toThrow(/udf\.worker\.heartbeat-timeout/);
    expect(ran).toEqual([]);
  });

  it('the Arrow batch size is capped at the bundle size, as in PyFlink', () => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.bundle.size': 5, 'udf.arrow.batch.size': 100 });
    expect(env.getConfig().effectiveArrowBatchSize()).toBe(5);
  });
});
