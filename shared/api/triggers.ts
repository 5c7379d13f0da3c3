/**
 * Triggers: when a window fires and when its contents are purged (Flink's
 * org.apache.flink.streaming.api.windowing.triggers, PyFlink's Trigger, in camelCase). A window
 * whose stream was given one with WindowedStream.trigger() fires by it alone: it replaces the
 * assigner's default trigger. A trigger is plain data (its settings in own fields) and travels to
 * the worker with the window operator, which calls it there; whatever it keeps per window goes
 * in the state its context gives (getPartitionedState), and whatever it waits for in the timers
 * its context registers, both checkpointed with the rest of the keyed state.
 *
 * A trigger's methods may return promises (the operator waits for them); state reads are
 * synchronous, so the built-in ones never do. The continuous triggers are in
 * continuous-triggers.ts.
 */
import type { MaybePromise } from './functions.ts';
import {
  ReducingStateDescriptor,
  type AggregatingStateDescriptor,
  type ListStateDescriptor,
  type MapStateDescriptor,
  type StateDescriptor,
  type ValueStateDescriptor,
} from './state-descriptors.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from './state.ts';
import type { TimeWindow } from './windows.ts';

/** What a trigger decides: whether the window fires (its function runs on its contents) and whether its contents are purged. */
export class TriggerResult {
  /** Nothing happens. */
  static readonly CONTINUE = new TriggerResult('CONTINUE', false, false);
  /** The window function runs on the window's contents, which stay. */
  static readonly FIRE = new TriggerResult('FIRE', true, false);
  /** The window's contents are dropped; the window stays (its trigger state and timers too). */
  static readonly PURGE = new TriggerResult('PURGE', false, true);
  /** Fires, then purges. */
  static readonly FIRE_AND_PURGE = new TriggerResult('FIRE_AND_PURGE', true, true);

  private constructor(
    readonly name: string,
    private readonly fire: boolean,
    private readonly purge: boolean,
  ) {}

  isFire(): boolean {
    return this.fire;
  }
  isPurge(): boolean {
    return this.purge;
  }
  toString(): string {
    return this.name;
  }
}

/**
 * What a trigger is given with each call: the clocks, timers for its window, and its window's
 * state. As in Flink, a context is good for the call it was given to only (an asynchronous one's
 * until it settles); used later, it throws.
 */
export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  /** `onProcessingTime(time, window, ctx)` is called once the clock reaches `time`. One timer per window and time: registering it again changes nothing. */
  registerProcessingTimeTimer(time: number): void;
  /** `onEventTime(time, window, ctx)` is called once the watermark reaches `time`. One timer per window and time. */
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /**
   * The trigger's state for the key and the window it was called for (a state of its own,
   * apart from the window function's windowState() of the same name). It stays until the
   * trigger clears it, in clear(): nothing else does. Names beginning with `__` are the window
   * operator's own.
   */
  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getPartitionedState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getPartitionedState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getPartitionedState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getPartitionedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/** onMerge()'s context: a TriggerContext of the merged window that also merges the windows' state into it. */
export interface OnMergeContext extends TriggerContext {
  /**
   * Moves the state `descriptor` names from each window merged into this one, adding it to this
   * window's: a ListState's elements are appended, a ReducingState's values reduced. Other
   * kinds are refused (Flink merges AggregatingState too; here its accumulators are not at hand).
   */
  mergePartitionedState(descriptor: ListStateDescriptor<unknown> | ReducingStateDescriptor<unknown> | StateDescriptor): void;
}

/**
 * A trigger: extend it and give an instance to WindowedStream.trigger(). `T` is the elements'
 * type, `W` the windows'. The context of each call is good for that call only.
 */
export abstract class Trigger<T = unknown, W = TimeWindow> {
  /** Called for each element added to a window; `timestamp` is the element's (null when it has none). */
  abstract onElement(element: T, timestamp: number | null, window: W, ctx: TriggerContext): MaybePromise<TriggerResult>;
  /** A processing-time timer the trigger registered for `window` fired. */
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): MaybePromise<TriggerResult>;
  /** An event-time timer the trigger registered for `window` fired. */
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): MaybePromise<TriggerResult>;
  /** Whether it works with merging (session) windows: then onMerge() must be implemented. */
  canMerge(): boolean {
    return false;
  }
  /**
   * Windows were merged into `window`: the trigger takes their state over (ctx.mergePartitionedState)
   * and registers the timers the merged window needs. The merged windows' clear() follows.
   */
  onMerge(_window: W, _ctx: OnMergeContext): MaybePromise<void> {
    throw new Error(`${this.constructor.name} does not support merging (canMerge() is false)`);
  }
  /** The window is gone (its cleanup time came, or it was merged into another): delete its timers and clear its state here. */
  abstract clear(window: W, ctx: TriggerContext): MaybePromise<void>;
}

const sum = (a: number, b: number): number => a + b;

/** Fires a window once the watermark passes its maxTimestamp() (the default trigger of event-time windows). */
export class EventTimeTrigger extends Trigger<unknown, TimeWindow> {
  private constructor() {
    super();
  }
  static create(): EventTimeTrigger {
    return new EventTimeTrigger();
  }
  onElement(_element: unknown, _timestamp: number | null, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    // The watermark already passed the window (a late element within the allowed lateness): fire at once.
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    // Only if the watermark has not passed the merged window's end: otherwise a late element fires it at once.
    if (window.maxTimestamp() > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(window.maxTimestamp());
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
  toString(): string {
    return 'EventTimeTrigger()';
  }
}

/** Fires a window once the clock passes its maxTimestamp() (the default trigger of processing-time windows). */
export class ProcessingTimeTrigger extends Trigger<unknown, TimeWindow> {
  private constructor() {
    super();
  }
  static create(): ProcessingTimeTrigger {
    return new ProcessingTimeTrigger();
  }
  onElement(_element: unknown, _timestamp: number | null, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.FIRE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(window.maxTimestamp());
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }
  toString(): string {
    return 'ProcessingTimeTrigger()';
  }
}

/**
 * Fires a window each time it has had `maxCount` more elements (its count, the state 'count',
 * starts again after each firing); it does not purge: wrap it in PurgingTrigger for that.
 */
export class CountTrigger extends Trigger<unknown, TimeWindow> {
  private constructor(readonly maxCount: number) {
    super();
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`CountTrigger.of() takes a positive integer count, got ${String(maxCount)}`);
  }
  static of(maxCount: number): CountTrigger {
    return new CountTrigger(maxCount);
  }
  onElement(_element: unknown, _timestamp: number | null, _window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(countState());
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) {
      count.clear();
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(_window: TimeWindow, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(countState());
  }
  clear(_window: TimeWindow, ctx: TriggerContext): void {
    ctx.getPartitionedState(countState()).clear();
  }
  toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}

/** Made at each use, not kept in a field: a trigger's fields travel to the worker, and this holds a function. */
function countState(): ReducingStateDescriptor<number> {
  return new ReducingStateDescriptor<number>('count', sum);
}


/** `nested`, its every FIRE turned into FIRE_AND_PURGE: a window's contents go once it fired. */
export class PurgingTrigger<T = unknown, W = TimeWindow> extends Trigger<T, W> {
  private constructor(readonly nestedTrigger: Trigger<T, W>) {
    super();
    if (!(nestedTrigger instanceof Trigger)) throw new TypeError(`PurgingTrigger.of() takes a Trigger, got ${String(nestedTrigger)}`);
  }
  static of<T, W>(nestedTrigger: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nestedTrigger);
  }
  onElement(element: T, timestamp: number | null, window: W, ctx: TriggerContext): MaybePromise<TriggerResult> {
    return purging(this.nestedTrigger.onElement(element, timestamp, window, ctx));
  }
  onEventTime(time: number, window: W, ctx: TriggerContext): MaybePromise<TriggerResult> {
    return purging(this.nestedTrigger.onEventTime(time, window, ctx));
  }
  onProcessingTime(time: number, window: W, ctx: TriggerContext): MaybePromise<TriggerResult> {
    return purging(this.nestedTrigger.onProcessingTime(time, window, ctx));
  }
  override canMerge(): boolean {
    return this.nestedTrigger.canMerge();
  }
  override onMerge(window: W, ctx: OnMergeContext): MaybePromise<void> {
    return this.nestedTrigger.onMerge(window, ctx);
  }
  clear(window: W, ctx: TriggerContext): MaybePromise<void> {
    return this.nestedTrigger.clear(window, ctx);
  }
  toString(): string {
    return `PurgingTrigger(${String(this.nestedTrigger)})`;
  }
}

function purging(result: MaybePromise<TriggerResult>): MaybePromise<TriggerResult> {
  if (result instanceof TriggerResult) return purgingResult(result);
  return Promise.resolve(result).then(purgingResult);
}

function purgingResult(result: TriggerResult): TriggerResult {
  return result instanceof TriggerResult && result.isFire() ? TriggerResult.FIRE_AND_PURGE : result;
}

/** Never fires (Flink's GlobalWindows.NeverTrigger): GlobalWindows' default, until .trigger() gives another. */
export class NeverTrigger extends Trigger<unknown, TimeWindow> {
  private constructor() {
    super();
  }
  static create(): NeverTrigger {
    return new NeverTrigger();
  }
  onElement(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  override onMerge(): void {}
  clear(): void {}
  toString(): string {
    return 'NeverTrigger()';
  }
}
