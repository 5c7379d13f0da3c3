/** Functions, triggers and evictors the window trigger tests run (a module, so that workers load them from here). */
import {
  ProcessWindowFunction,
  Trigger,
  TriggerResult,
  ValueStateDescriptor,
  type ProcessWindowContext,
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
