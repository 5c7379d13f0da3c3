/**
 * Evictors: what a window drops of its elements when it fires, before its function runs or after
 * (Flink's org.apache.flink.streaming.api.windowing.evictors, in camelCase). A window given one
 * with WindowedStream.evictor() keeps every element with its timestamp, even under reduce or
 * aggregate, which then run over what is left when the window fires (Flink's
 * EvictingWindowOperator). An evictor is plain data (its settings in own fields) and travels to
 * the worker with the window operator.
 */
import type { MaybePromise } from './functions.ts';
import { Time } from './time.ts';
import type { TimeWindow } from './windows.ts';

/** An element of a window and its timestamp (null when it has none: a processing-time window's elements without one). */
export class TimestampedValue<T = unknown> {
  constructor(
    readonly value: T,
    readonly timestamp: number | null,
  ) {}
  getValue(): T {
    return this.value;
  }
  hasTimestamp(): boolean {
    return this.timestamp !== null;
  }
  /** The element's timestamp; throws when it has none, as Flink's does. */
  getTimestamp(): number {
    if (this.timestamp === null) {
      throw new Error("Record has no timestamp. Is the window a processing-time one, or did you forget to call 'assignTimestampsAndWatermarks(...)'?");
    }
    return this.timestamp;
  }
}

/** An iterator that can remove the element its last next() gave (Java's Iterator.remove()). */
export interface RemovingIterator<T> extends Iterator<T> {
  /** Removes the element the last next() returned; throws if there is none, or it was removed already. */
  remove(): void;
}

/**
 * A firing window's elements, oldest first, as an evictor gets them (Flink's
 * Iterable<TimestampedValue<T>>): an evictor removes elements through an iterator's remove().
 */
export interface TimestampedValues<T = unknown> extends Iterable<TimestampedValue<T>> {
  /** How many elements are left. */
  readonly size: number;
  iterator(): RemovingIterator<TimestampedValue<T>>;
  [Symbol.iterator](): RemovingIterator<TimestampedValue<T>>;
}

/** What an evictor is given beside the elements. */
export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

/**
 * An evictor: extend it and give an instance to WindowedStream.evictor(). evictBefore() runs
 * when the window fires, before its function; evictAfter() after it. Both get the elements left
 * and their number; what they remove is gone from the window for good.
 */
export abstract class Evictor<T = unknown, W = TimeWindow> {
  abstract evictBefore(elements: TimestampedValues<T>, size: number, window: W, ctx: EvictorContext): MaybePromise<void>;
  abstract evictAfter(elements: TimestampedValues<T>, size: number, window: W, ctx: EvictorContext): MaybePromise<void>;
}

/** Keeps the last `maxCount` elements of a window (the newest), before the window function runs or, with doEvictAfter, after. */
export class CountEvictor extends Evictor<unknown, TimeWindow> {
  private constructor(
    readonly maxCount: number,
    readonly doEvictAfter: boolean,
  ) {
    super();
    if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`CountEvictor.of() takes a positive integer count, got ${String(maxCount)}`);
  }
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    return new CountEvictor(maxCount, doEvictAfter === true);
  }
  evictBefore(elements: TimestampedValues, size: number): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }
  evictAfter(elements: TimestampedValues, size: number): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }
  private evict(elements: TimestampedValues, size: number): void {
    if (size <= this.maxCount) return;
    const it = elements.iterator();
    for (let evicted = 0; evicted < size - this.maxCount && it.next().done !== true; evicted++) it.remove();
  }
}

/**
 * Keeps the elements of a window within `windowSize` ms of its newest one: those whose timestamp
 * is at or before (newest - windowSize) go. Elements without timestamps are left alone, as in
 * Flink (which looks at the first element only).
 */
export class TimeEvictor extends Evictor<unknown, TimeWindow> {
  private constructor(
    readonly windowSize: number,
    readonly doEvictAfter: boolean,
  ) {
    super();
  }
  static of(windowSize: number | Time, doEvictAfter = false): TimeEvictor {
    const ms = windowSize instanceof Time ? windowSize.toMilliseconds() : windowSize;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`TimeEvictor.of() takes a non-negative size in milliseconds or a Time, got ${String(windowSize)}`);
    }
    return new TimeEvictor(ms, doEvictAfter === true);
  }
  evictBefore(elements: TimestampedValues): void {
    if (!this.doEvictAfter) this.evict(elements);
  }
  evictAfter(elements: TimestampedValues): void {
    if (this.doEvictAfter) this.evict(elements);
  }
  private evict(elements: TimestampedValues): void {
    const first = elements.iterator().next();
    if (first.done === true || !first.value.hasTimestamp()) return;
    let newest = -Infinity;
    for (const e of elements) if (e.timestamp !== null && e.timestamp > newest) newest = e.timestamp;
    const cutoff = newest - this.windowSize;
    const it = elements.iterator();
    for (let step = it.next(); step.done !== true; step = it.next()) {
      if (step.value.timestamp !== null && step.value.timestamp <= cutoff) it.remove();
    }
  }
}

/** How far apart two elements are, for DeltaEvictor: a function, or an object with getDelta() (Flink's DeltaFunction). */
export type DeltaFunction<T> = ((oldDataPoint: T, newDataPoint: T) => number) | { getDelta(oldDataPoint: T, newDataPoint: T): number };

/**
 * Drops the elements of a window whose delta to its newest (last) element is `threshold` or
 * more: `deltaFunction(element, newest)`, as Flink's DeltaEvictor computes it.
 */
export class DeltaEvictor<T = unknown> extends Evictor<T, TimeWindow> {
  private constructor(
    readonly threshold: number,
    readonly deltaFunction: DeltaFunction<T>,
    readonly doEvictAfter: boolean,
  ) {
    super();
  }
  static of<T>(threshold: number, deltaFunction: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold)) throw new RangeError(`DeltaEvictor.of() takes a number threshold, got ${String(threshold)}`);
    const getDelta = (deltaFunction as { getDelta?: unknown } | null)?.getDelta;
    if (typeof deltaFunction !== 'function' && typeof getDelta !== 'function') {
      throw new TypeError('DeltaEvictor.of() takes a delta function: (oldDataPoint, newDataPoint) => number, or an object with getDelta()');
    }
    return new DeltaEvictor(threshold, deltaFunction, doEvictAfter === true);
  }
  evictBefore(elements: TimestampedValues<T>): void {
    if (!this.doEvictAfter) this.evict(elements);
  }
  evictAfter(elements: TimestampedValues<T>): void {
    if (this.doEvictAfter) this.evict(elements);
  }
  private evict(elements: TimestampedValues<T>): void {
    let last: TimestampedValue<T> | undefined;
    for (const e of elements) last = e;
    if (last === undefined) return;
    const it = elements.iterator();
    for (let step = it.next(); step.done !== true; step = it.next()) {
      if (this.delta(step.value.value, last.value) >= this.threshold) it.remove();
    }
  }
  private delta(oldDataPoint: T, newDataPoint: T): number {
    const fn = this.deltaFunction;
    return typeof fn === 'function' ? fn(oldDataPoint, newDataPoint) : fn.getDelta(oldDataPoint, newDataPoint);
  }
}
