/**
 * The continuous triggers (Flink's ContinuousEventTimeTrigger and ContinuousProcessingTimeTrigger):
 * a window fires every interval, aligned to the epoch, until its end: early results of a long
 * window. The next firing time is the trigger's per-window state 'fire-time' (a ReducingState of
 * the minimum, which sessions merge).
 */
import { ReducingStateDescriptor } from './state-descriptors.ts';
import type { ReducingState } from './state.ts';
import { Time } from './time.ts';
import { Trigger, TriggerResult, type OnMergeContext, type TriggerContext } from './triggers.ts';
import type { TimeWindow } from './windows.ts';

/** A duration in ms for a trigger: a positive number, or a Time. */
function intervalOf(duration: number | Time, what: string): number {
  const ms = duration instanceof Time ? duration.toMilliseconds() : duration;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`${what} takes a positive interval in milliseconds or a Time, got ${String(duration)}`);
  }
  return ms;
}

const min = (a: number, b: number): number => Math.min(a, b);

/** Made at each use, not kept in a field: a trigger's fields travel to the worker, and this holds a function. */
function fireTimeState(): ReducingStateDescriptor<number> {
  return new ReducingStateDescriptor<number>('fire-time', min);
}

/**
 * Fires a window every `interval` of event time, aligned to the epoch (the first firing at the
 * end of the interval its first element is in), and at its end, as Flink's: early results of a
 * long window. The next firing time is the state 'fire-time'.
 */
export class ContinuousEventTimeTrigger extends Trigger<unknown, TimeWindow> {
  private constructor(readonly interval: number) {
    super();
  }
  static of(interval: number | Time): ContinuousEventTimeTrigger {
    return new ContinuousEventTimeTrigger(intervalOf(interval, 'ContinuousEventTimeTrigger.of()'));
  }
  onElement(_element: unknown, timestamp: number | null, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    // The watermark is past the window already (a late element within the allowed lateness): fire at once.
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    if (timestamp === null) {
      throw new Error('ContinuousEventTimeTrigger needs elements with timestamps: did you forget to call assignTimestampsAndWatermarks(...)?');
    }
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getPartitionedState(fireTimeState());
    if (fireTime.get() === null) this.registerNext(timestamp - (timestamp % this.interval), window, ctx, fireTime);
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    const fireTime = ctx.getPartitionedState(fireTimeState());
    if (fireTime.get() === time) {
      fireTime.clear();
      this.registerNext(time, window, ctx, fireTime);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(fireTimeState());
    const next = ctx.getPartitionedState(fireTimeState()).get();
    if (next !== null) ctx.registerEventTimeTimer(next);
  }
  clear(_window: TimeWindow, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(fireTimeState());
    const time = fireTime.get();
    if (time !== null) ctx.deleteEventTimeTimer(time);
    fireTime.clear();
  }
  private registerNext(time: number, window: TimeWindow, ctx: TriggerContext, fireTime: ReducingState<number>): void {
    // At the end of the input (the watermark at Infinity) a window without end (the GlobalWindow)
    // would fire every interval for ever, each time due at once: its timer at Infinity fires it last.
    if (window.maxTimestamp() === Infinity && ctx.getCurrentWatermark() === Infinity) return;
    const next = Math.min(time + this.interval, window.maxTimestamp());
    fireTime.add(next);
    ctx.registerEventTimeTimer(next);
  }
  toString(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }
}

/**
 * Fires a window every `interval` of processing time, aligned to the epoch (the first firing at
 * the end of the interval the clock was in at its first element), as Flink's. The next firing
 * time is the state 'fire-time'.
 */
export class ContinuousProcessingTimeTrigger extends Trigger<unknown, TimeWindow> {
  private constructor(readonly interval: number) {
    super();
  }
  static of(interval: number | Time): ContinuousProcessingTimeTrigger {
    return new ContinuousProcessingTimeTrigger(intervalOf(interval, 'ContinuousProcessingTimeTrigger.of()'));
  }
  onElement(_element: unknown, _timestamp: number | null, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(fireTimeState());
    if (fireTime.get() === null) {
      const now = ctx.getCurrentProcessingTime();
      this.registerNext(now - (now % this.interval), window, ctx, fireTime);
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(fireTimeState());
    if (fireTime.get() === time) {
      fireTime.clear();
      this.registerNext(time, window, ctx, fireTime);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(fireTimeState());
    const next = ctx.getPartitionedState(fireTimeState()).get();
    if (next !== null) ctx.registerProcessingTimeTimer(next);
  }
  clear(_window: TimeWindow, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(fireTimeState());
    const time = fireTime.get();
    if (time !== null) ctx.deleteProcessingTimeTimer(time);
    fireTime.clear();
  }
  private registerNext(time: number, window: TimeWindow, ctx: TriggerContext, fireTime: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    fireTime.add(next);
    ctx.registerProcessingTimeTimer(next);
  }
  toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.interval})`;
  }
}
