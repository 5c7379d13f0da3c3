/**
 * What trigger() and evictor() refuse when a job is defined, each saying what was expected, and
 * what they put in the window's spec; the built-in triggers' and evictors' own checks; the
 * assigners' default triggers, and GlobalWindows. (This file is typechecked: a trigger of the
 * stream's element type fits.)
 */
import { describe, expect, it } from 'vitest';
import {
  AggregateFunction,
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountEvictor,
  CountTrigger,
  DeltaEvictor,
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindow,
  GlobalWindows,
  JobDefinitionError,
  NeverTrigger,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  PurgingTrigger,
  StreamExecutionEnvironment,
  Time,
  TimeEvictor,
  TimeWindow,
  Trigger,
  TriggerResult,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  type DataStream,
  type TriggerContext,
} from '../host/index.ts';
import type { UdfTransformation } from '../host/graph/transformation.ts';
import type { WindowSpec } from '../shared/protocol/window-spec.ts';

type E = [string, number];

function events(): DataStream<E> {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded' }).fromCollection<E>([['a', 1]]);
}

const keyed = () => events().keyBy((e) => e[0]);
const sum = (x: E, y: E): E => [x[0], x[1] + y[1]];

function refusal(define: () => unknown): string {
  try {
    define();
  } catch (error) {
    expect(error).toBeInstanceOf(JobDefinitionError);
    return (error as Error).message;
  }
  return 'accepted';
}

function specOf<X>(stream: DataStream<X>): WindowSpec {
  return (stream.transformation as UdfTransformation).fn as WindowSpec;
}

class Total extends AggregateFunction<E, number, number> {
  createAccumulator(): number {
    return 0;
  }
  add(e: E, acc: number): number {
    return acc + e[1];
  }
  getResult(acc: number): number {
    return acc;
  }
}

/** A trigger that works with tumbling windows only (canMerge() is false by default). */
class FirstOnly extends Trigger<E, TimeWindow> {
  onElement(): TriggerResult {
    return TriggerResult.FIRE;
  }
  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }
  clear(_window: TimeWindow, _ctx: TriggerContext): void {}
}

describe('trigger()', () => {
  it('puts the trigger in the spec; without one the spec says null (the default trigger)', () => {
    const trigger = CountTrigger.of(3);
    expect(specOf(keyed().window(TumblingEventTimeWindows.of(10)).trigger(trigger).reduce(sum)).trigger).toBe(trigger);
    const plain = specOf(keyed().window(TumblingEventTimeWindows.of(10)).reduce(sum));
    expect([plain.trigger, plain.evictor]).toEqual([null, null]);
    expect(specOf(events().windowAll(TumblingEventTimeWindows.of(10)).trigger(new FirstOnly()).reduce(sum)).trigger).toBeInstanceOf(FirstOnly);
  });

  it('refuses what is not a Trigger', () => {
    const notATrigger = { onElement: () => TriggerResult.FIRE } as unknown as Trigger<E, TimeWindow>;
    expect(refusal(() => keyed().window(TumblingEventTimeWindows.of(10)).trigger(notATrigger))).toBe(
      'window().trigger() takes a Trigger (CountTrigger.of(n), PurgingTrigger.of(trigger), a subclass of Trigger, …), got a plain object',
    );
    expect(refusal(() => events().windowAll(TumblingEventTimeWindows.of(10)).trigger(null as unknown as Trigger<E, TimeWindow>))).toBe(
      'windowAll().trigger() takes a Trigger (CountTrigger.of(n), PurgingTrigger.of(trigger), a subclass of Trigger, …), got null',
    );
  });

  it('refuses a trigger that cannot merge on session windows, and takes one that can', () => {
    expect(refusal(() => keyed().window(EventTimeSessionWindows.withGap(10)).trigger(new FirstOnly()))).toBe(
      'window().trigger(): a merging window assigner (session windows) cannot be used with a trigger that does not support merging (a FirstOnly: canMerge() is false)',
    );
    expect(refusal(() => keyed().window(ProcessingTimeSessionWindows.withGap(10)).trigger(PurgingTrigger.of(new FirstOnly())))).toBe(
      'window().trigger(): a merging window assigner (session windows) cannot be used with a trigger that does not support merging (a PurgingTrigger: canMerge() is false)',
    );
    expect(refusal(() => keyed().window(EventTimeSessionWindows.withGap(10)).trigger(PurgingTrigger.of(CountTrigger.of(2))))).toBe('accepted');
    expect(refusal(() => keyed().window(EventTimeSessionWindows.withGap(10)).trigger(ContinuousEventTimeTrigger.of(5)))).toBe('accepted');
  });

  it('refuses any trigger or evictor on count windows, saying how Flink builds them', () => {
    expect(refusal(() => keyed().countWindow(3).trigger(CountTrigger.of(2) as unknown as Trigger<E, never>))).toBe(
      'window().trigger(): count windows (countWindow()) take neither a trigger nor an evictor; as Flink builds its count windows, use window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(size)))',
    );
    expect(refusal(() => events().countWindowAll(3, 1).evictor(CountEvictor.of(2) as never))).toBe(
      'windowAll().evictor(): count windows (countWindowAll()) take neither a trigger nor an evictor; as Flink builds its count windows, use windowAll(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(size)))',
    );
  });
});

describe('evictor()', () => {
  it('puts the evictor in the spec', () => {
    const evictor = TimeEvictor.of(Time.seconds(1));
    const spec = specOf(keyed().window(GlobalWindows.create()).trigger(CountTrigger.of(2)).evictor(evictor).aggregate(new Total()));
    expect([spec.evictor, spec.contents]).toEqual([evictor, 'aggregate']);
  });

  it('refuses what is not an Evictor', () => {
    expect(refusal(() => keyed().window(TumblingEventTimeWindows.of(10)).evictor((() => undefined) as never))).toBe(
      'window().evictor() takes an Evictor (CountEvictor.of(n), TimeEvictor.of(size), DeltaEvictor.of(threshold, fn), a subclass of Evictor), got a function (anonymous)',
    );
  });
});

describe('the built-in triggers and evictors', () => {
  it('refuse counts and intervals that are not positive', () => {
    expect(() => CountTrigger.of(0)).toThrow('CountTrigger.of() takes a positive integer count, got 0');
    expect(() => CountTrigger.of(1.5)).toThrow(RangeError);
    expect(() => ContinuousEventTimeTrigger.of(0)).toThrow('ContinuousEventTimeTrigger.of() takes a positive interval in milliseconds or a Time, got 0');
    expect(() => ContinuousProcessingTimeTrigger.of(Time.seconds(-1))).toThrow(RangeError);
    expect(() => PurgingTrigger.of({} as Trigger)).toThrow('PurgingTrigger.of() takes a Trigger, got [object Object]');
    expect(() => CountEvictor.of(-1)).toThrow('CountEvictor.of() takes a positive integer count, got -1');
    expect(() => TimeEvictor.of(-5)).toThrow(RangeError);
    expect(() => DeltaEvictor.of(1, 'far' as never)).toThrow(TypeError);
    expect(DeltaEvictor.of(1, { getDelta: (a: number, b: number) => b - a }).threshold).toBe(1);
  });

  it('TriggerResult says whether it fires and whether it purges', () => {
    const all = [TriggerResult.CONTINUE, TriggerResult.FIRE, TriggerResult.PURGE, TriggerResult.FIRE_AND_PURGE];
    expect(all.map((r) => [String(r), r.isFire(), r.isPurge()])).toEqual([
      ['CONTINUE', false, false],
      ['FIRE', true, false],
      ['PURGE', false, true],
      ['FIRE_AND_PURGE', true, true],
    ]);
  });
});

describe('default triggers and GlobalWindows', () => {
  it("the assigners' default triggers are Flink's", () => {
    expect(TumblingEventTimeWindows.of(10).getDefaultTrigger()).toBeInstanceOf(EventTimeTrigger);
    expect(TumblingProcessingTimeWindows.of(10).getDefaultTrigger()).toBeInstanceOf(ProcessingTimeTrigger);
    expect(GlobalWindows.create().getDefaultTrigger()).toBeInstanceOf(NeverTrigger);
  });

  it('GlobalWindows puts everything in the one GlobalWindow, a TimeWindow from -Infinity to Infinity ending never', () => {
    const assigner = GlobalWindows.create();
    const [window] = assigner.assignWindows(null, 0);
    expect(window).toBe(GlobalWindow.get());
    expect(assigner.assignWindows(5, 7)[0]).toBe(window);
    expect([window!.start, window!.end, window!.maxTimestamp(), String(window), window instanceof TimeWindow]).toEqual([-Infinity, Infinity, Infinity, 'GlobalWindow', true]);
    expect([assigner.isEventTime(), assigner.isMerging()]).toEqual([false, false]);
  });
});
