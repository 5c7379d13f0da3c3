/**
 * What users read of their metrics (JobExecutionResult.getMetrics(), JobClient.getMetrics(),
 * the log reporter): per operator name, per metric identifier ('myGroup.processed'), the value
 * over the operator's parallel instances, from the samples each instance last reported.
 *
 *   counter        the instances' counts summed
 *   meter          counts summed, rates summed (the operator's events per second)
 *   distribution   merged: counts and sums summed, least min, greatest max; mean = sum / count
 *   gauge          each instance's last reading, by subtask index (null: none reported); a sum
 *                  or an average means nothing for most gauges (a latency, a buffer's high mark)
 */
import { mergeDistributions, type DistributionStatistics } from '../../shared/api/metric-types.ts';
import { metricIdentifier } from '../../shared/api/metric-group.ts';

export interface CounterValue {
  readonly type: 'counter';
  readonly count: number;
}

export interface GaugeValue {
  readonly type: 'gauge';
  /** By subtask index: each instance's last reading; null where one reported none. */
  readonly values: readonly (number | null)[];
}

export interface MeterValue {
  readonly type: 'meter';
  readonly count: number;
  /** Events per second over the meter's time span (summed over the instances). */
  readonly rate: number;
}

/** count 0: nothing was recorded, and every other figure is 0 (as Flink's empty histogram statistics). */
export interface DistributionValue {
  readonly type: 'distribution';
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly sum: number;
}

export type MetricValue = CounterValue | GaugeValue | MeterValue | DistributionValue;

/** An operator's metrics by identifier: the groups and the name joined by '.'. */
export type OperatorMetrics = Readonly<Record<string, MetricValue>>;

/** Every operator that has metrics, by operator name (operators that share a name share an entry). */
export type MetricsByOperator = Readonly<Record<string, OperatorMetrics>>;

/**
 * One metric's value as an instance reported it: a MetricSample taken in the host, or a proto
 * MetricUpdate from a worker (whose absent fields may be null or missing: proto/control.proto).
 */
export interface ReportedSample {
  scope?: readonly string[] | null;
  name?: string | null;
  counter?: number | null;
  gauge?: number | null;
  meter?: { count?: number | null; rate?: number | null } | null;
  distribution?: { count?: number | null; sum?: number | null; min?: number | null; max?: number | null } | null;
}

/** What one instance (subtask) of an operator last reported. */
export interface InstanceSamples {
  subtask: number;
  samples: readonly ReportedSample[];
}

type Accumulator =
  | { type: 'counter'; count: number }
  | { type: 'gauge'; values: (number | null)[] }
  | { type: 'meter'; count: number; rate: number }
  | { type: 'distribution'; statistics: DistributionStatistics };

/** The operator's metrics from its instances' samples, `parallelism` instances (for gauges' slots). */
export function aggregate(instances: readonly InstanceSamples[], parallelism: number): OperatorMetrics {
  const byIdentifier = new Map<string, Accumulator>();
  for (const { subtask, samples } of instances) {
    for (const sample of samples) {
      const identifier = metricIdentifier(sample.scope ?? [], sample.name ?? '');
      const existing = byIdentifier.get(identifier);
      const merged = mergeSample(existing ?? null, sample, subtask, parallelism);
      if (merged !== null && existing === undefined) byIdentifier.set(identifier, merged);
    }
  }
  const out: Record<string, MetricValue> = {};
  for (const [identifier, acc] of byIdentifier) out[identifier] = valueOf(acc);
  return out;
}

/**
 * Adds a sample to what the identifier holds (in place), or starts it; null when the sample is of
 * no kind, or of another kind than the identifier's (instances that registered the name as
 * different kinds of metric): it is left out.
 */
function mergeSample(acc: Accumulator | null, sample: ReportedSample, subtask: number, parallelism: number): Accumulator | null {
  if (sample.counter !== undefined && sample.counter !== null) {
    if (acc === null) return { type: 'counter', count: sample.counter };
    if (acc.type === 'counter') acc.count += sample.counter;
    return acc.type === 'counter' ? acc : null;
  }
  if (sample.meter !== undefined && sample.meter !== null) {
    const count = sample.meter.count ?? 0;
    const rate = sample.meter.rate ?? 0;
    if (acc === null) return { type: 'meter', count, rate };
    if (acc.type !== 'meter') return null;
    acc.count += count;
    acc.rate += rate;
    return acc;
  }
  if (sample.distribution !== undefined && sample.distribution !== null) {
    const d = sample.distribution;
    const statistics = { count: d.count ?? 0, sum: d.sum ?? 0, min: d.min ?? 0, max: d.max ?? 0 };
    if (acc === null) return { type: 'distribution', statistics };
    if (acc.type !== 'distribution') return null;
    acc.statistics = mergeDistributions(acc.statistics, statistics);
    return acc;
  }
  if (sample.gauge !== undefined && sample.gauge !== null) {
    const target = acc ?? { type: 'gauge', values: new Array<number | null>(parallelism).fill(null) };
    if (target.type !== 'gauge') return null;
    target.values[subtask] = sample.gauge;
    return target;
  }
  return null;
}

function valueOf(acc: Accumulator): MetricValue {
  switch (acc.type) {
    case 'counter':
      return { type: 'counter', count: acc.count };
    case 'gauge':
      return { type: 'gauge', values: acc.values };
    case 'meter':
      return { type: 'meter', count: acc.count, rate: acc.rate };
    case 'distribution': {
      const { count, sum, min, max } = acc.statistics;
      return { type: 'distribution', count, min, max, mean: count === 0 ? 0 : sum / count, sum };
    }
  }
}

/** How the log reporter writes a value: `1000`, `[3, -]`, `{count=12, rate=0.2/s}`, `{count=3, min=1, max=9, mean=4, sum=12}`. */
export function formatMetricValue(value: MetricValue): string {
  switch (value.type) {
    case 'counter':
      return String(value.count);
    case 'gauge':
      return `[${value.values.map((v) => (v === null ? '-' : String(v))).join(', ')}]`;
    case 'meter':
      return `{count=${value.count}, rate=${value.rate}/s}`;
    case 'distribution':
      return `{count=${value.count}, min=${value.min}, max=${value.max}, mean=${value.mean}, sum=${value.sum}}`;
  }
}
