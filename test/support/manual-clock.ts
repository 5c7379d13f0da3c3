/** A file sink's processing-time clock for tests: it moves only when the test moves it. */
import type { SinkClock } from '../../host/runtime/sinks/part-file-rolling.ts';

/** A clock that moves only when told to, firing the timers due by then. */
export class ManualClock implements SinkClock {
  private timers: { at: number; fire: () => void }[] = [];

  /** Starting at `time` (ms since the epoch). */
  constructor(private time = 0) {}

  now(): number {
    return this.time;
  }

  schedule(fire: () => void, ms: number): () => void {
    const timer = { at: this.time + ms, fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** When the timers set now are due. */
  get due(): number[] {
    return this.timers.map((t) => t.at);
  }

  /** Moves to `time`, firing each timer due by then, in order. */
  advanceTo(time: number): void {
    this.time = time;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= time).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) return;
      this.timers = this.timers.filter((t) => t !== next);
      next.fire();
    }
  }

  /** Moves to `time` without firing anything, as when a timer is late. */
  setTime(time: number): void {
    this.time = time;
  }
}
