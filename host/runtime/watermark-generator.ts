/**
 * Watermarks from assigned timestamps, in the host (PyFlink generates them in the JVM from the
 * timestamps its Python assigner returned). Bounded out-of-orderness: the watermark is the
 * largest timestamp seen minus the allowed lateness minus 1 ms, as in Flink; monotonous
 * timestamps are the case of zero lateness.
 */
import type { WatermarkGeneratorSpec } from '../api/watermark-strategy.ts';

export class WatermarkGenerator {
  private maxTimestamp = -Infinity;
  private emitted = -Infinity;
  private lastEmitAt = 0;
  private lastRecordAt: number;
  /** withIdleness: no records for `idlenessMs` make the output idle until records come again. */
  idle = false;

  constructor(
    private readonly spec: WatermarkGeneratorSpec,
    /** pipeline.auto-watermark-interval: at most one watermark per this many ms (0: after every batch). */
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
    return this.idlenessMs === null || this.idle ? Infinity : this.lastRecordAt + this.idlenessMs;
  }

  /** The watermark to emit now, if it advanced and the interval allows; else null. */
  poll(force = false): number | null {
    if (this.spec.kind === 'none' || this.maxTimestamp === -Infinity) return null;
    const wm = this.maxTimestamp - this.spec.maxOutOfOrdernessMs - 1;
    if (wm <= this.emitted) return null;
    const now = this.now();
    if (!force && this.intervalMs > 0 && now - this.lastEmitAt < this.intervalMs) return null;
    this.emitted = wm;
    this.lastEmitAt = now;
    return wm;
  }
}
