/**
 * Watermarks from assigned timestamps, in the host (PyFlink generates them in the JVM from the
 * timestamps its Python assigner returned). Bounded out-of-orderness: the watermark is the
 * largest timestamp seen minus the allowed lateness minus 1 ms, as in Flink; monotonous
 * timestamps are the case of zero lateness.
 *
 * Periodic, as Flink's (pipeline.auto-watermark-interval): a watermark that advanced goes out
 * at most once per interval, and at the latest one interval after the last one went out
 * (nextEmitAt: the task wakes up for it when its input is quiet). An interval of 0 turns
 * periodic watermarks off, as in Flink: only the final watermark at the end of input goes out,
 * and idleness (detected at periodic emits in Flink) is never declared.
 */
import type { WatermarkGeneratorSpec } from '../api/watermark-strategy.ts';

export class WatermarkGenerator {
  private maxTimestamp = -Infinity;
  private emitted = -Infinity;
  private lastEmitAt = -Infinity;
  private lastRecordAt: number;
  /** withIdleness: no records for `idlenessMs` make the output idle until records come again. */
  idle = false;

  constructor(
    private readonly spec: WatermarkGeneratorSpec,
    /** pipeline.auto-watermark-interval: at most one watermark per this many ms (0: none but the final one). */
    private readonly intervalMs: number,
    private readonly idlenessMs: number | null,
    private readonly now: () => number = Date.now,
  ) {
    this.lastRecordAt = now();
  }

  /** Records were emitted with these timestamps. */
  observe(timestamps: readonly (number | null)[]): void {
    let max = this.maxTimestamp;
    for (const ts of timestamps) if (ts !== null && ts > max) max = ts;
    this.maxTimestamp = max;
    this.lastRecordAt = this.now();
  }

  /** When the output goes idle if no record comes first (Infinity: never). */
  idleAt(): number {
    if (this.idlenessMs === null || this.idle || this.intervalMs === 0) return Infinity;
    return this.lastRecordAt + this.idlenessMs;
  }

  /** When a watermark that advanced is due to go out (Infinity: none is waiting). */
  nextEmitAt(): number {
    if (this.current() <= this.emitted) return Infinity;
    return this.lastEmitAt + this.intervalMs;
  }

  /** The watermark to emit now, if it advanced and the interval allows; else null. */
  poll(): number | null {
    const wm = this.current();
    if (wm <= this.emitted) return null;
    const now = this.now();
    if (now < this.lastEmitAt + this.intervalMs) return null;
    this.emitted = wm;
    this.lastEmitAt = now;
    return wm;
  }

  /** The watermark the timestamps seen so far allow; -Infinity for none (or periodic ones off). */
  private current(): number {
    if (this.spec.kind === 'none' || this.intervalMs === 0 || this.maxTimestamp === -Infinity) return -Infinity;
    return this.maxTimestamp - this.spec.maxOutOfOrdernessMs - 1;
  }
}
