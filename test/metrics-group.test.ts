/** A MetricGroup: identifiers from groups and names, one metric per name, bad names refused naming the metric. */
import { describe, expect, it } from 'vitest';
import { JobDefinitionError } from '../shared/errors/errors.ts';
import { OperatorMetricGroup } from '../shared/api/metric-group.ts';

describe('OperatorMetricGroup', () => {
  it('samples every metric with its groups: nested groups, and a key/value group as its key then its value', () => {
    const root = new OperatorMetricGroup(() => 0);
    expect(root.empty).toBe(true);
    root.addGroup('outer');
    expect(root.empty).toBe(true);
    root.counter('records').inc(3);
    expect(root.empty).toBe(false);
    root.addGroup('outer').addGroup('inner').distribution('sizes').update(4);
    root.addGroup('parity', 'even').gauge('last', () => 8);
    root.addGroup('port', 8080).meter('hits').markEvent(2);
    expect(root.sample(() => undefined)).toEqual([
      { scope: [], name: 'records', counter: 3 },
      { scope: ['outer', 'inner'], name: 'sizes', distribution: { count: 1, sum: 4, min: 4, max: 4 } },
      { scope: ['parity', 'even'], name: 'last', gauge: 8 },
      { scope: ['port', '8080'], name: 'hits', meter: { count: 2, rate: 0 } },
    ]);
  });

  it('gives the metric registered first when a name is asked for again, in the same group', () => {
    const root = new OperatorMetricGroup();
    const counter = root.counter('c');
    expect(root.counter('c')).toBe(counter);
    expect(root.addGroup('g').counter('c')).not.toBe(counter);
    expect(root.addGroup('g').counter('c')).toBe(root.addGroup('g').counter('c'));
    expect(root.addGroup('k', 'v').meter('m', 10)).toBe(root.addGroup('k').addGroup('v').meter('m'));
    const gauge = root.gauge('g', () => 1);
    expect(root.gauge('g', () => 2)).toBe(gauge);
    expect(gauge.getValue()).toBe(1);
  });

  it('refuses a name asked for as another kind of metric', () => {
    const root = new OperatorMetricGroup();
    root.addGroup('g').counter('x');
    expect(() => root.addGroup('g').meter('x')).toThrow(new JobDefinitionError("metric 'g.x' is a counter: it cannot be registered again as a meter"));
  });

  it('refuses empty names and names with the scope separator, naming the metric and its group', () => {
    const root = new OperatorMetricGroup();
    const group = root.addGroup('myGroup');
    expect(() => group.counter('records.in')).toThrow(
      new JobDefinitionError(
        "counter name 'records.in' (in group 'myGroup') contains '.', which separates the groups and the name in a metric's identifier: use addGroup() for a group, or another character",
      ),
    );
    expect(() => root.distribution('')).toThrow(new JobDefinitionError("distribution name '' must be a non-empty string"));
    expect(() => group.gauge(undefined as unknown as string, () => 1)).toThrow(
      new JobDefinitionError("gauge name undefined (in group 'myGroup') must be a non-empty string"),
    );
    expect(() => root.addGroup('a.b')).toThrow(/^group name 'a\.b' contains '\.'/);
    expect(() => group.addGroup('host', 'x.example')).toThrow(/^value 'x\.example' of group 'host' \(in group 'myGroup'\) contains '\.'/);
    // Nothing was registered by the refusals.
    expect(root.sample(() => undefined)).toEqual([]);
  });

  it("leaves out a gauge that cannot be read, and says why", () => {
    const root = new OperatorMetricGroup();
    root.gauge('throws', () => {
      throw new RangeError('no value yet');
    });
    root.gauge('text', () => 'seven' as unknown as number);
    root.counter('ok').inc();
    const problems: string[] = [];
    expect(root.sample((id, problem) => problems.push(`${id}: ${problem}`))).toEqual([{ scope: [], name: 'ok', counter: 1 }]);
    expect(problems).toEqual(['throws: its function threw RangeError: no value yet', 'text: its function returned string, not a number']);
  });
});
