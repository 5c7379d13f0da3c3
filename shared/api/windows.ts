/**
 * Windows and the assigners that put elements into them: PyFlink's pyflink.datastream.window in
 * camelCase. An assigner is plain data (sizes in ms) and travels to the worker with the window
 * operator, which calls assignWindows() there for every element.
 */
import { Time } from './time.ts';
import { CountTrigger, EventTimeTrigger, NeverTrigger, ProcessingTimeTrigger, PurgingTrigger, type Trigger } from './triggers.ts';

/** A duration: milliseconds, or a Time. */
export type Duration = number | Time;

/** A window of time: from `start` (inclusive) to `end` (exclusive), in ms. */
export class TimeWindow {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}

  /** The largest timestamp that still belongs to the window; a window's results carry it. */
  maxTimestamp(): number {
    return this.end - 1;
  }

  /** Whether the two windows overlap or touch (so that session windows merge). */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window covering both. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  equals(other: TimeWindow): boolean {
    return this.start === other.start && this.end === other.end;
  }

  toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /**
   * The start of the window of `windowSize` that `timestamp` falls in, windows being aligned to
   * the epoch shifted by `offset`: the largest start <= timestamp with (start - offset) a
   * multiple of the size, for negative timestamps too (the floored remainder, as PyFlink's and
   * Flink's current TimeWindow.getWindowStartWithOffset compute it).
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }
}

/**
 * Assigns each element the windows it belongs to. Event-time assigners use the element's
 * timestamp, processing-time ones the worker's clock when the element arrives.
 */
export abstract class WindowAssigner {
  abstract assignWindows(timestamp: number | null, currentProcessingTime: number): TimeWindow[];
  abstract isEventTime(): boolean;
  /** Whether its windows merge when they overlap (session windows). */
  isMerging(): boolean {
    return false;
  }
  /**
   * The trigger its windows fire by unless WindowedStream.trigger() gives another (Flink's
   * getDefaultTrigger): EventTimeTrigger for event time, ProcessingTimeTrigger otherwise.
   */
  getDefaultTrigger(): Trigger {
    return this.isEventTime() ? EventTimeTrigger.create() : ProcessingTimeTrigger.create();
  }
}

/** Windows of `size` ms, one after the other, aligned to the epoch (shifted by `offset`). */
abstract class TumblingWindows extends WindowAssigner {
  protected constructor(
    readonly size: number,
    readonly offset: number,
    name: string,
  ) {
    super();
    if (!(size > 0) || !(Math.abs(offset) < size)) {
      throw new RangeError(`${name} parameters must satisfy abs(offset) < size, got size ${size} and offset ${offset}`);
    }
  }

  assignWindows(timestamp: number | null, currentProcessingTime: number): TimeWindow[] {
    const at = this.timeOf(timestamp, currentProcessingTime);
    const start = TimeWindow.getWindowStartWithOffset(at, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }

  protected abstract timeOf(timestamp: number | null, currentProcessingTime: number): number;
}

/** Windows of `size` ms starting every `slide` ms: an element belongs to size / slide of them. */
abstract class SlidingWindows extends WindowAssigner {
  protected constructor(
    readonly size: number,
    readonly slide: number,
    readonly offset: number,
    name: string,
  ) {
    super();
    if (!(size > 0) || !(slide > 0) || !(Math.abs(offset) < slide)) {
      throw new RangeError(
        `${name} parameters must satisfy abs(offset) < slide and size > 0, got size ${size}, slide ${slide} and offset ${offset}`,
      );
    }
  }

  /** The windows holding the element, the latest first (as Flink lists them). */
  assignWindows(timestamp: number | null, currentProcessingTime: number): TimeWindow[] {
    const at = this.timeOf(timestamp, currentProcessingTime);
    const windows: TimeWindow[] = [];
    const lastStart = TimeWindow.getWindowStartWithOffset(at, this.offset, this.slide);
    for (let start = lastStart; start > at - this.size; start -= this.slide) windows.push(new TimeWindow(start, start + this.size));
    return windows;
  }

  protected abstract timeOf(timestamp: number | null, currentProcessingTime: number): number;
}

/** A window of `gap` ms from each element; windows that overlap or touch merge into one session. */
abstract class SessionWindows extends WindowAssigner {
  protected constructor(
    readonly gap: number,
    name: string,
  ) {
    super();
    if (!(gap > 0)) throw new RangeError(`${name} parameters must satisfy 0 < size, got ${gap}`);
  }

  assignWindows(timestamp: number | null, currentProcessingTime: number): TimeWindow[] {
    const at = this.timeOf(timestamp, currentProcessingTime);
    return [new TimeWindow(at, at + this.gap)];
  }

  override isMerging(): boolean {
    return true;
  }

  protected abstract timeOf(timestamp: number | null, currentProcessingTime: number): number;
}

/** An element's event time; one without a timestamp cannot be put into an event-time window. */
function eventTimeOf(timestamp: number | null): number {
  if (timestamp === null || timestamp === -Infinity || Number.isNaN(timestamp)) {
    throw new Error(
      `Record has no timestamp (${String(timestamp)}): event-time windows need timestamps. ` +
        'Did you forget to call assignTimestampsAndWatermarks(...), or mean a processing-time window?',
    );
  }
  return timestamp;
}

export class TumblingEventTimeWindows extends TumblingWindows {
  private constructor(size: number, offset: number) {
    super(size, offset, 'TumblingEventTimeWindows');
  }
  static of(size: Duration, offset: Duration = 0): TumblingEventTimeWindows {
    return new TumblingEventTimeWindows(ms(size), ms(offset, true));
  }
  isEventTime(): boolean {
    return true;
  }
  protected timeOf(timestamp: number | null): number {
    return eventTimeOf(timestamp);
  }
}

export class TumblingProcessingTimeWindows extends TumblingWindows {
  private constructor(size: number, offset: number) {
    super(size, offset, 'TumblingProcessingTimeWindows');
  }
  static of(size: Duration, offset: Duration = 0): TumblingProcessingTimeWindows {
    return new TumblingProcessingTimeWindows(ms(size), ms(offset, true));
  }
  isEventTime(): boolean {
    return false;
  }
  protected timeOf(_timestamp: number | null, currentProcessingTime: number): number {
    return currentProcessingTime;
  }
}

export class SlidingEventTimeWindows extends SlidingWindows {
  private constructor(size: number, slide: number, offset: number) {
    super(size, slide, offset, 'SlidingEventTimeWindows');
  }
  static of(size: Duration, slide: Duration, offset: Duration = 0): SlidingEventTimeWindows {
    return new SlidingEventTimeWindows(ms(size), ms(slide), ms(offset, true));
  }
  isEventTime(): boolean {
    return true;
  }
  protected timeOf(timestamp: number | null): number {
    return eventTimeOf(timestamp);
  }
}

export class SlidingProcessingTimeWindows extends SlidingWindows {
  private constructor(size: number, slide: number, offset: number) {
    super(size, slide, offset, 'SlidingProcessingTimeWindows');
  }
  static of(size: Duration, slide: Duration, offset: Duration = 0): SlidingProcessingTimeWindows {
    return new SlidingProcessingTimeWindows(ms(size), ms(slide), ms(offset, true));
  }
  isEventTime(): boolean {
    return false;
  }
  protected timeOf(_timestamp: number | null, currentProcessingTime: number): number {
    return currentProcessingTime;
  }
}

export class EventTimeSessionWindows extends SessionWindows {
  private constructor(gap: number) {
    super(gap, 'EventTimeSessionWindows');
  }
  static withGap(gap: Duration): EventTimeSessionWindows {
    return new EventTimeSessionWindows(ms(gap));
  }
  isEventTime(): boolean {
    return true;
  }
  protected timeOf(timestamp: number | null): number {
    return eventTimeOf(timestamp);
  }
}

export class ProcessingTimeSessionWindows extends SessionWindows {
  private constructor(gap: number) {
    super(gap, 'ProcessingTimeSessionWindows');
  }
  static withGap(gap: Duration): ProcessingTimeSessionWindows {
    return new ProcessingTimeSessionWindows(ms(gap));
  }
  isEventTime(): boolean {
    return false;
  }
  protected timeOf(_timestamp: number | null, currentProcessingTime: number): number {
    return currentProcessingTime;
  }
}

/** A duration in ms: a finite number (negative only for an offset), or a Time. */
function ms(duration: Duration, signed = false): number {
  const value = duration instanceof Time ? duration.toMilliseconds() : duration;
  if (typeof value !== 'number' || !Number.isFinite(value) || (!signed && value < 0)) {
    throw new RangeError(`a window size must be a non-negative number of milliseconds or a Time, got ${String(duration)}`);
  }
  return value;
}

/** A window of a number of elements (countWindow): numbered per key, from 0. */
export class CountWindow {
  constructor(readonly id: number) {}

  /** Count windows have no end in time: their results carry the largest timestamp (Flink's Long.MAX_VALUE). */
  maxTimestamp(): number {
    return Infinity;
  }

  equals(other: CountWindow): boolean {
    return this.id === other.id;
  }

  toString(): string {
    return `CountWindow{id=${this.id}}`;
  }
}

/**
 * Count windows (KeyedStream.countWindow): the window operator counts each key's elements and
 * asks the assigner which windows the element numbered `count` (from 0) belongs to; a window
 * fires once it holds `size` elements.
 */
export abstract class CountWindowAssigner extends WindowAssigner {
  protected constructor(readonly size: number) {
    super();
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a count window's size must be a positive integer, got ${size}`);
  }
  abstract assignCountWindows(count: number): CountWindow[];
  /** What the count window operator does: a window fires once it holds `size` elements, and is purged. */
  override getDefaultTrigger(): Trigger {
    return PurgingTrigger.of(CountTrigger.of(this.size));
  }
  assignWindows(): TimeWindow[] {
    throw new Error('count windows are assigned from the key’s element count (assignCountWindows)');
  }
  isEventTime(): boolean {
    return false;
  }
}

/** Windows of `size` elements, one after the other: element n is in window floor(n / size). */
export class CountTumblingWindowAssigner extends CountWindowAssigner {
  private constructor(size: number) {
    super(size);
  }
  static of(size: number): CountTumblingWindowAssigner {
    return new CountTumblingWindowAssigner(size);
  }
  assignCountWindows(count: number): CountWindow[] {
    return [new CountWindow(Math.floor(count / this.size))];
  }
}

/**
 * Windows of `size` elements starting every `slide` elements (as PyFlink's): window i holds
 * elements i * slide to i * slide + size - 1, and fires when it has all of them.
 */
export class CountSlidingWindowAssigner extends CountWindowAssigner {
  private constructor(
    size: number,
    readonly slide: number,
  ) {
    super(size);
    if (!Number.isInteger(slide) || slide < 1) throw new RangeError(`a count window's slide must be a positive integer, got ${slide}`);
  }
  static of(size: number, slide: number): CountSlidingWindowAssigner {
    return new CountSlidingWindowAssigner(size, slide);
  }
  /** The windows holding element `count`, the latest first. */
  assignCountWindows(count: number): CountWindow[] {
    const windows: CountWindow[] = [];
    for (let id = Math.floor(count / this.slide); id >= 0 && count <= id * this.slide + this.size - 1; id--) windows.push(new CountWindow(id));
    return windows;
  }
}

/**
 * The one window of GlobalWindows: all of time, as a TimeWindow from -Infinity to Infinity (Flink's
 * GlobalWindow has no start or end; being a TimeWindow here, it goes wherever one does). Its
 * maxTimestamp() is Infinity (Flink's Long.MAX_VALUE), the timestamp of its results.
 */
export class GlobalWindow extends TimeWindow {
  private static readonly instance = new GlobalWindow();

  private constructor() {
    super(-Infinity, Infinity);
  }

  static get(): GlobalWindow {
    return GlobalWindow.instance;
  }

  override maxTimestamp(): number {
    return Infinity;
  }

  override toString(): string {
    return 'GlobalWindow';
  }
}

/**
 * Every element of a key in one window, the GlobalWindow (Flink's GlobalWindows): its default
 * trigger never fires, so it is used with WindowedStream.trigger() (and often an evictor). Its
 * window ends never: no cleanup, its contents stay until a trigger purges them.
 */
export class GlobalWindows extends WindowAssigner {
  private constructor() {
    super();
  }
  static create(): GlobalWindows {
    return new GlobalWindows();
  }
  assignWindows(_timestamp: number | null, _currentProcessingTime: number): TimeWindow[] {
    return [GlobalWindow.get()];
  }
  isEventTime(): boolean {
    return false;
  }
  /** Flink's GlobalWindows.NeverTrigger: nothing fires until another trigger is given. */
  override getDefaultTrigger(): Trigger {
    return NeverTrigger.create();
  }
}
