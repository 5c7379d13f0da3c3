/**
 * The metrics a MetricGroup registers (metrics.ts), as Flink implements them: SimpleCounter,
 * MeterView, a gauge around a function, and PyFlink's Distribution. Each knows its identifier,
 * so that a bad argument is refused naming the metric.
 */
import type { Counter, Distribution, Gauge, Meter } from './metrics.ts';

/** Flink's MeterView updates its rate every 5 seconds, from the counts at the last updates. */
export const METER_UPDATE_INTERVAL_MS = 5000;

export class SimpleCounter implements Counter {
  private count = 0;

  constructor(readonly identifier: string) {}

  inc(n = 1): void {
    this.count += amount(n, this.identifier, 'inc');
  }
  dec(n = 1): void {
    this.count -= amount(n, this.identifier, 'dec');
  }
  getCount(): number {
    return this.count;
  }
}

export class FunctionGauge implements Gauge {
  constructor(
    readonly identifier: string,
    private readonly fn: () => number,
  ) {
    if (typeof fn !== 'function') throw new TypeError(`gauge '${identifier}' needs a function that returns its value, got ${typeof fn}`);
  }

  getValue(): number {
    return this.fn();
  }
}

/**
 * Flink's MeterView: the count, and a rate that is updated every 5 s (on the first call after
 * each 5-s boundary since the meter was registered, with the count as it stood there) as
 * (count now − count one time span ago) / span. Until a whole span has passed, the counts before
 * registration are taken as 0, so the rate ramps up as Flink's does.
 */
export class MeterView implements Meter {
  private count = 0;
  private rate = 0;
  /** Seconds the rate covers: a multiple of 5, at least 5. */
  readonly timeSpanSeconds: number;
  /** The counts at the last span/5 + 1 updates, a ring whose newest entry is at `newest`. */
  private readonly counts: number[];
  private newest = 0;
  private nextUpdate: number;

  constructor(
    readonly identifier: string,
    timeSpanInSeconds = 60,
    private readonly clock: () => number = Date.now,
  ) {
    if (typeof timeSpanInSeconds !== 'number' || !Number.isFinite(timeSpanInSeconds) || timeSpanInSeconds <= 0) {
      throw new TypeError(`meter '${identifier}': timeSpanInSeconds must be a positive number of seconds, got ${String(timeSpanInSeconds)}`);
    }
    const interval = METER_UPDATE_INTERVAL_MS / 1000;
    const whole = Math.floor(timeSpanInSeconds);
    this.timeSpanSeconds = Math.max(whole - (whole % interval), interval);
    this.counts = new Array<number>(this.timeSpanSeconds / interval + 1).fill(0);
    this.nextUpdate = clock() + METER_UPDATE_INTERVAL_MS;
  }

  markEvent(n = 1): void {
    // Updates due first: the events belong after them.
    this.advance();
    this.count += amount(n, this.identifier, 'markEvent');
  }
  getCount(): number {
    return this.count;
  }
  getRate(): number {
    this.advance();
    return this.rate;
  }

  /** Makes the updates whose time has come; nothing was marked since the last call, so each takes the count as it is. */
  private advance(): void {
    const now = this.clock();
    if (now < this.nextUpdate) return;
    const due = Math.floor((now - this.nextUpdate) / METER_UPDATE_INTERVAL_MS) + 1;
    this.nextUpdate += due * METER_UPDATE_INTERVAL_MS;
    // More than a ring's worth all take the same count: the rate is then 0.
    for (let i = Math.min(due, this.counts.length); i > 0; i--) {
      this.newest = (this.newest + 1) % this.counts.length;
      this.counts[this.newest] = this.count;
    }
    const oldest = this.counts[(this.newest + 1) % this.counts.length]!;
    this.rate = (this.count - oldest) / this.timeSpanSeconds;
  }
}

/** What a distribution holds: count 0 means nothing was recorded (sum, min and max are then 0). */
export interface DistributionStatistics {
  count: number;
  sum: number;
  min: number;
  max: number;
}

export class DistributionRecorder implements Distribution {
  private count = 0;
  private sum = 0;
  private min = 0;
  private max = 0;

  constructor(readonly identifier: string) {}

  update(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new TypeError(`distribution '${this.identifier}': update() takes a finite number, got ${describe(value)}`);
    }
    if (this.count === 0 || value < this.min) this.min = value;
    if (this.count === 0 || value > this.max) this.max = value;
    this.count++;
    this.sum += value;
  }

  statistics(): DistributionStatistics {
    return { count: this.count, sum: this.sum, min: this.min, max: this.max };
  }
}

/**
 * The statistics of two distributions as one: counts and sums add up, the least minimum and
 * the greatest maximum; one that recorded nothing adds nothing.
 */
export function mergeDistributions(a: DistributionStatistics, b: DistributionStatistics): DistributionStatistics {
  if (b.count === 0) return { ...a };
  if (a.count === 0) return { ...b };
  return { count: a.count + b.count, sum: a.sum + b.sum, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) };
}

function amount(n: number, identifier: string, method: string): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new TypeError(`${method}() of metric '${identifier}' takes a finite number, got ${describe(n)}`);
  }
  return n;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
