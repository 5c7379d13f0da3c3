/** The log reporter (metrics.reporter.log.interval): its key, and the lines it writes. */
import { describe, expect, it } from 'vitest';
import { StreamExecutionEnvironment } from '../host/index.ts';
import type { Logger, LogRecord } from '../host/log.ts';
import { LogReporter } from '../host/metrics/log-reporter.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { ConfigError } from '../shared/errors/errors.ts';

/** A logger keeping what it is given. */
function memoryLog(): Logger & { records: Pick<LogRecord, 'level' | 'message'>[] } {
  const records: Pick<LogRecord, 'level' | 'message'>[] = [];
  const at = (level: LogRecord['level']) => (message: string) => records.push({ level, message });
  return { records, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), write: (r) => records.push(r) };
}

describe('LogReporter', () => {
  it("writes a line per operator that has metrics, at INFO", () => {
    const log = memoryLog();
    const reporter = new LogReporter(
      'orders',
      3_600_000,
      () => ({
        Counting: {
          'g.processed': { type: 'counter', count: 10 },
          sizes: { type: 'distribution', count: 2, min: 1, max: 3, mean: 2, sum: 4 },
        },
        Tally: { seen: { type: 'meter', count: 5, rate: 0.25 }, level: { type: 'gauge', values: [3, null] } },
      }),
      log,
    );
    reporter.report();
    reporter.stop();
    expect(log.records).toEqual([
      { level: 'info', message: "metrics of 'Counting' in job 'orders': g.processed=10, sizes={count=2, min=1, max=3, mean=2, sum=4}" },
      { level: 'info', message: "metrics of 'Tally' in job 'orders': seen={count=5, rate=0.25/s}, level=[3, -]" },
    ]);
  });
});

describe('metrics.reporter.log.interval', () => {
  it('is off by default, takes a duration, and refuses anything else before a job starts, naming the key', () => {
    expect(new Configuration().get('metrics.reporter.log.interval')).toBe(0);
    expect(new Configuration().set('metrics.reporter.log.interval', '10 s').get('metrics.reporter.log.interval')).toBe(10_000);
    let refusal: unknown = null;
    try {
      StreamExecutionEnvironment.getExecutionEnvironment({ 'metrics.reporter.log.interval': 'often' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect(refusal).toMatchObject({
      key: 'metrics.reporter.log.interval',
      message: "metrics.reporter.log.interval must be a non-negative duration (e.g. 1000, '500 ms', '10 s', '2 min'), got 'often' (set in code)",
    });
  });
});
