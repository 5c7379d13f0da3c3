/** A duration, as PyFlink's `Time`. */
export class Time {
  private constructor(readonly ms: number) {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a duration must be a non-negative number, got ${ms}`);
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
