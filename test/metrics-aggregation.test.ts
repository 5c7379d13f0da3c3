/**
 * How the host puts an operator's metrics together from its instances' reports: counters and
 * meters summed, distributions merged, gauges by subtask; a report replaces the one before it
 * (so one read twice counts nothing twice).
 */
import { describe, expect, it } from 'vitest';
import { OperatorMetricGroup } from '../shared/api/metric-group.ts';
import type { Logger, LogRecord } from '../host/log.ts';
import { AttemptMetrics } from '../host/metrics/attempt-metrics.ts';
import { aggregate } from '../host/metrics/metric-values.ts';

/** A logger keeping what it is given. */
function memoryLog(): Logger & { records: Pick<LogRecord, 'level' | 'message'>[] } {
  const records: Pick<LogRecord, 'level' | 'message'>[] = [];
  const at = (level: LogRecord['level']) => (message: string) => records.push({ level, message });
  return { records, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), write: (r) => records.push(r) };
}

describe('aggregate', () => {
  it('sums counters and meters, merges distributions and keeps each subtask’s gauge', () => {
    const metrics = aggregate(
      [
        {
          subtask: 0,
          samples: [
            { scope: ['g'], name: 'c', counter: 600 },
            { scope: [], name: 'm', meter: { count: 10, rate: 0.5 } },
            { scope: [], name: 'd', distribution: { count: 2, sum: 10, min: 4, max: 6 } },
            { scope: [], name: 'empty', distribution: { count: 0, sum: 0, min: 0, max: 0 } },
          ],
        },
        {
          subtask: 2,
          samples: [
            { scope: ['g'], name: 'c', counter: 400 },
            { scope: [], name: 'm', meter: { count: 30, rate: 1.25 } },
            { scope: [], name: 'd', distribution: { count: 3, sum: 2, min: -2, max: 5 } },
            { scope: [], name: 'level', gauge: 7 },
          ],
        },
      ],
      3,
    );
    expect(metrics).toEqual({
      'g.c': { type: 'counter', count: 1000 },
      m: { type: 'meter', count: 40, rate: 1.75 },
      d: { type: 'distribution', count: 5, min: -2, max: 6, mean: 12 / 5, sum: 12 },
      empty: { type: 'distribution', count: 0, min: 0, max: 0, mean: 0, sum: 0 },
      level: { type: 'gauge', values: [null, null, 7] },
    });
  });

  it('takes wire samples whose absent fields are null, and leaves out a sample of another kind than the first', () => {
    const metrics = aggregate(
      [
        { subtask: 0, samples: [{ scope: null, name: 'x', counter: 0, gauge: null, meter: null, distribution: null }] },
        { subtask: 1, samples: [{ scope: [], name: 'x', counter: null, gauge: 3 }] },
      ],
      2,
    );
    expect(metrics).toEqual({ x: { type: 'counter', count: 0 } });
  });
});

describe('AttemptMetrics', () => {
  const transforms = [
    { id: 't1', name: 'Map' },
    { id: 't2', name: 'Filter' },
  ];

  it("replaces a subtask's report with its next one: a report taken twice counts once", () => {
    const metrics = new AttemptMetrics(memoryLog());
    const first = metrics.udfSubtask(transforms, 2, 0);
    const second = metrics.udfSubtask(transforms, 2, 1);
    first([{ transformId: 't1', scope: [], name: 'n', counter: 5 }]);
    first([{ transformId: 't1', scope: [], name: 'n', counter: 7 }]);
    first([{ transformId: 't1', scope: [], name: 'n', counter: 7 }]);
    second([{ transformId: 't1', scope: [], name: 'n', counter: 3 }, { transformId: 't2', scope: [], name: 'kept', counter: 1 }]);
    expect(metrics.view()).toEqual({ Map: { n: { type: 'counter', count: 10 } }, Filter: { kept: { type: 'counter', count: 1 } } });
    // A report without t2's metrics means it has none now.
    second([{ transformId: 't1', scope: [], name: 'n', counter: 4 }]);
    expect(metrics.view()).toEqual({ Map: { n: { type: 'counter', count: 11 } } });
  });

  it("reads a host-run function's group when asked, and merges operators that share a name", () => {
    const log = memoryLog();
    const metrics = new AttemptMetrics(log);
    const group = new OperatorMetricGroup();
    metrics.hostSubtask('sink', 'Out', 1, 0, group);
    metrics.udfSubtask([{ id: 'other', name: 'Out' }], 1, 0)([{ transformId: 'other', scope: [], name: 'received', counter: 2 }]);
    expect(metrics.view()).toEqual({ Out: { received: { type: 'counter', count: 2 } } });
    const received = group.counter('received');
    received.inc(40);
    group.gauge('broken', () => {
      throw new Error('no');
    });
    expect(metrics.view()).toEqual({ Out: { received: { type: 'counter', count: 42 } } });
    expect(metrics.view()).toEqual({ Out: { received: { type: 'counter', count: 42 } } });
    expect(log.records).toEqual([{ level: 'warn', message: "gauge 'broken' of 'Out' is left out of the metrics reported: its function threw Error: no" }]);
  });
});
