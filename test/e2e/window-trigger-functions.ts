/** Functions, triggers and evictors the window trigger tests run (a module, so that workers load them from here). */
import {
  Evictor,
  ProcessWindowFunction,
  Trigger,
  TriggerResult,
  ValueStateDescriptor,
  type OnMergeContext,
  type ProcessWindowContext,
  type TimestampedValues,
  type TimeWindow,
  type TriggerContext,
} from '../../host/index.ts';
import type { Event } from './window-functions.ts';

/** [key, window start, window end, the values in arrival order]. */
export class Values extends ProcessWindowFunction<Event, [string, number, number, number[]], string> {
  process(key: string, ctx: ProcessWindowContext, elements: Iterable<Event>): Array<[string, number, number, number[]]> {
    return [[key, ctx.window().start, ctx.window().end, [...elements].map((e) => e[1])]];
  }
}

/** [key, what the window says it is, the values]: for GlobalWindows. */
export class WindowAndValues extends ProcessWindowFunction<Event, [string, string, number[]], string> {
  process(key: string, ctx: ProcessWindowContext, elements: Iterable<Event>): Array<[string, string, number[]]> {
    return [[key, ctx.window().toString(), [...elements].map((e) => e[1])]];
  }
}

/**
 * Fires and purges a window once the sum of its values since the last purge reaches `threshold`
 * (its per-window state 'sum'), and fires what is left when the watermark passes the window's end.
 */
export class SumReached extends Trigger<Event, TimeWindow> {
  constructor(readonly threshold: number) {
    super();
  }
  onElement(element: Event, _timestamp: number | null, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const sum = ctx.getPartitionedState(new ValueStateDescriptor<number>('sum'));
    const now = (sum.value() ?? 0) + element[1];
    if (now >= this.threshold) {
      sum.clear();
      return TriggerResult.FIRE_AND_PURGE;
    }
    sum.update(now);
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
    ctx.getPartitionedState(new ValueStateDescriptor<number>('sum')).clear();
  }
}

/** CountTrigger's logic with every method asynchronous: the operator waits for each. */
export class AsyncCount extends Trigger<Event, TimeWindow> {
  constructor(readonly count: number) {
    super();
  }
  async onElement(_element: Event, _timestamp: number | null, _window: TimeWindow, ctx: TriggerContext): Promise<TriggerResult> {
    await new Promise((resolve) => setImmediate(resolve));
    const seen = ctx.getPartitionedState(new ValueStateDescriptor<number>('seen'));
    const n = (seen.value() ?? 0) + 1;
    if (n < this.count) {
      seen.update(n);
      return TriggerResult.CONTINUE;
    }
    seen.clear();
    return TriggerResult.FIRE_AND_PURGE;
  }
  async onEventTime(): Promise<TriggerResult> {
    return TriggerResult.CONTINUE;
  }
  async onProcessingTime(): Promise<TriggerResult> {
    return TriggerResult.CONTINUE;
  }
  async clear(_window: TimeWindow, ctx: TriggerContext): Promise<void> {
    await Promise.resolve();
    ctx.getPartitionedState(new ValueStateDescriptor<number>('seen')).clear();
  }
}

const CLEARS = new ValueStateDescriptor<number>('clears');

/**
 * [key, window start, window end, the values in arrival order, how many of the key's windows had
 * been cleaned up before (the function's clear(), counted in the key's state)].
 */
export class ValuesAndClears extends ProcessWindowFunction<Event, [string, number, number, number[], number], string> {
  process(key: string, ctx: ProcessWindowContext, elements: Iterable<Event>): Array<[string, number, number, number[], number]> {
    return [[key, ctx.window().start, ctx.window().end, [...elements].map((e) => e[1]), ctx.globalState().getState(CLEARS).value() ?? 0]];
  }
  override clear(ctx: ProcessWindowContext): void {
    const clears = ctx.globalState().getState(CLEARS);
    clears.update((clears.value() ?? 0) + 1);
  }
}

/**
 * EventTimeTrigger's logic (a timer at the window's end, registered again on a merge; it fires
 * then), that throws in one method: onElement for the element whose value is `at`, onMerge into
 * the window ending at `at`, onEventTime for the window starting at `at`.
 */
export class RefusingEndOfWindow extends Trigger<Event, TimeWindow> {
  constructor(
    readonly refuseIn: 'onElement' | 'onMerge' | 'onEventTime',
    readonly at: number,
  ) {
    super();
  }
  onElement(element: Event, _timestamp: number | null, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (this.refuseIn === 'onElement' && element[1] === this.at) throw new Error(`onElement refuses ${element[1]}`);
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    if (this.refuseIn === 'onEventTime' && window.start === this.at) throw new Error(`onEventTime refuses [${window.start}, ${window.end}) at ${time}`);
    return time === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  override canMerge(): boolean {
    return true;
  }
  override onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    if (this.refuseIn === 'onMerge' && window.end === this.at) throw new Error(`onMerge refuses [${window.start}, ${window.end})`);
    ctx.registerEventTimeTimer(window.maxTimestamp());
  }
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }
}

/**
 * Fires and purges a window `delay` ms of event time after its first element (the time in its
 * state 'deadline'), so that overlapping windows share timer times; onEventTime throws for the
 * window starting at `refuseStart`, at every time.
 */
export class RefusingDeadline extends Trigger<Event, TimeWindow> {
  constructor(
    readonly delay: number,
    readonly refuseStart: number,
  ) {
    super();
  }
  onElement(_element: Event, timestamp: number | null, _window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const deadline = ctx.getPartitionedState(new ValueStateDescriptor<number>('deadline'));
    if (deadline.value() === null) {
      deadline.update(timestamp! + this.delay);
      ctx.registerEventTimeTimer(timestamp! + this.delay);
    }
    return TriggerResult.CONTINUE;
  }
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    if (window.start === this.refuseStart) throw new Error(`onEventTime refuses [${window.start}, ${window.end}) at ${time}`);
    const deadline = ctx.getPartitionedState(new ValueStateDescriptor<number>('deadline'));
    if (deadline.value() !== time) return TriggerResult.CONTINUE;
    deadline.clear();
    return TriggerResult.FIRE_AND_PURGE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(_window: TimeWindow, ctx: TriggerContext): void {
    const deadline = ctx.getPartitionedState(new ValueStateDescriptor<number>('deadline'));
    const at = deadline.value();
    if (at !== null) ctx.deleteEventTimeTimer(at);
    deadline.clear();
  }
}

/** Throws in evictBefore when the window holds the value `refuse` (and, given `atSize`, holds that many elements); evicts nothing. */
export class RefusingEvictor extends Evictor<Event, TimeWindow> {
  constructor(
    readonly refuse: number,
    readonly atSize: number | null,
  ) {
    super();
  }
  evictBefore(elements: TimestampedValues<Event>, size: number): void {
    if (this.atSize !== null && size !== this.atSize) return;
    for (const e of elements) if (e.getValue()[1] === this.refuse) throw new Error(`evictBefore refuses ${this.refuse} among ${size}`);
  }
  evictAfter(): void {}
}
