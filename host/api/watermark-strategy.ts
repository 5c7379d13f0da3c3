/**
 * WatermarkStrategy, as PyFlink's: how timestamps are taken from records (a user function: it
 * runs in the worker) and how watermarks follow from them (in the host).
 */
import type { TimestampAssignerLike } from '../../shared/api/functions.ts';
import type { Time } from '../../shared/api/time.ts';

export type WatermarkGeneratorSpec =
  | { kind: 'bounded-out-of-orderness'; maxOutOfOrdernessMs: number }
  | { kind: 'none' };

export class WatermarkStrategy<T = unknown> {
  private constructor(
    readonly generator: WatermarkGeneratorSpec,
    readonly timestampAssigner: TimestampAssignerLike<T> | null,
    readonly idlenessMs: number | null,
  ) {}

  /** Timestamps only ever increase: the watermark is the largest timestamp seen (minus 1 ms). */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>({ kind: 'bounded-out-of-orderness', maxOutOfOrdernessMs: 0 }, null, null);
  }

  /** Records may arrive up to `maxOutOfOrderness` late. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrderness: Time | number): WatermarkStrategy<T> {
    const ms = typeof maxOutOfOrderness === 'number' ? maxOutOfOrderness : maxOutOfOrderness.toMilliseconds();
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`maxOutOfOrderness must be a non-negative duration, got ${ms}`);
    return new WatermarkStrategy<T>({ kind: 'bounded-out-of-orderness', maxOutOfOrdernessMs: ms }, null, null);
  }

  /** No watermarks at all (event-time timers then only fire at the end of a bounded input). */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>({ kind: 'none' }, null, null);
  }

  withTimestampAssigner(assigner: TimestampAssignerLike<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.generator, assigner, this.idlenessMs);
  }

  /** A subtask that sees no records for `timeout` stops holding back the watermark downstream. */
  withIdleness(timeout: Time | number): WatermarkStrategy<T> {
    const ms = typeof timeout === 'number' ? timeout : timeout.toMilliseconds();
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`idleness timeout must be a positive duration, got ${ms}`);
    return new WatermarkStrategy<T>(this.generator, this.timestampAssigner, ms);
  }
}
