/**
 * A duration, as PyFlink's `Time`. It may be negative, as Flink's may: a window's offset is
 * (`TumblingEventTimeWindows.of(Time.days(1), Time.hours(-8))`, days at UTC+8's midnight);
 * whatever takes one checks the range it needs (a size, a gap, a timeout, a TTL).
 */
export class Time {
  private constructor(readonly ms: number) {
    if (!Number.isFinite(ms)) throw new RangeError(`a duration must be a finite number, got ${ms}`);
  }
  static milliseconds(n: number): Time {
    return new Time(n);
  }
  static seconds(n: number): Time {
    return new Time(n * 1000);
  }
  static minutes(n: number): Time {
    return new Time(n * 60_000);
  }
  static hours(n: number): Time {
    return new Time(n * 3_600_000);
  }
  static days(n: number): Time {
    return new Time(n * 86_400_000);
  }
  toMilliseconds(): number {
    return this.ms;
  }
}
