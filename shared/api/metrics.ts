/**
 * User-defined metrics, PyFlink's in camelCase: a function asks its RuntimeContext for its
 * metric group in open() and registers what it will count there,
 *
 *   open(ctx) { this.processed = ctx.getMetricsGroup().addGroup('myGroup').counter('processed'); }
 *   map(x)    { this.processed.inc(); … }
 *
 * Values stay where the function runs and are reported, as values (a counter's total, not each
 * inc()), when a bundle finishes (worker/metric-reports.ts); the host aggregates them over the
 * operator's parallel instances (host/metrics/). Implementations: metric-types.ts, metric-group.ts.
 */

/** Counts up and down; starts at 0 (Flink's SimpleCounter). */
export interface Counter {
  inc(n?: number): void;
  dec(n?: number): void;
  getCount(): number;
}

/** A value read when metrics are reported, by calling the function it was registered with. */
export interface Gauge {
  getValue(): number;
}

/** Counts events and their rate per second over a time span (Flink's MeterView). */
export interface Meter {
  markEvent(n?: number): void;
  getCount(): number;
  /** Events per second over the meter's time span, as of the last 5-second update. */
  getRate(): number;
}

/** PyFlink's Distribution: reports the count, minimum, maximum, mean and sum of the values given to update(). */
export interface Distribution {
  update(value: number): void;
}

export interface MetricGroup {
  /** The counter of this name in this group, registered the first time it is asked for. */
  counter(name: string): Counter;
  /** Registers `fn` as a gauge; asked again for the name, the gauge registered first (its function) is kept. */
  gauge(name: string, fn: () => number): Gauge;
  /** A meter whose rate covers `timeSpanInSeconds` (default 60; rounded down to a multiple of 5, at least 5). */
  meter(name: string, timeSpanInSeconds?: number): Meter;
  distribution(name: string): Distribution;
  /**
   * A subgroup: its metrics' identifiers begin with `name.`. With a value, a key/value group
   * as Flink's addGroup(key, value): identifiers begin with `key.value.`.
   */
  addGroup(name: string, value?: string | number): MetricGroup;
}

/** What separates the groups and the name in a metric's identifier ('myGroup.processed'). */
export const SCOPE_SEPARATOR = '.';
