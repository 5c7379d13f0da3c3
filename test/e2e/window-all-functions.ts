/** Functions the windowAll tests run (a module, so that workers load them from here). */
import {
  AllWindowFunction,
  CountWindow,
  ProcessAllWindowFunction,
  TimeWindow,
  type Collector,
  type ProcessWindowContext,
} from '../../host/index.ts';

export type Event = [string, number];

/** [window start, window end, sum of the values, count], from every element of the window; no key. */
export class SumOfAllWindow extends ProcessAllWindowFunction<Event, [number, number, number, number]> {
  process(ctx: ProcessWindowContext, elements: Iterable<Event>): Array<[number, number, number, number]> {
    let sum = 0;
    let count = 0;
    for (const [, v] of elements) {
      sum += v;
      count++;
    }
    return [[ctx.window().start, ctx.window().end, sum, count]];
  }
}

/** [window start, window end, value] for the one value a reduce or aggregate leaves; no key. */
export class WithAllWindow extends AllWindowFunction<unknown, [number, number, unknown]> {
  apply(window: TimeWindow, inputs: Iterable<unknown>, out: Collector<[number, number, unknown]>): void {
    for (const v of inputs) out.collect([window.start, window.end, v]);
  }
}

/** [count window id, whether ctx.window() is a CountWindow, the values in the order they came]. */
export class CountWindowValues extends ProcessAllWindowFunction<Event, [number, boolean, number[]], CountWindow> {
  process(ctx: ProcessWindowContext<CountWindow>, elements: Iterable<Event>, out: Collector<[number, boolean, number[]]>): void {
    const window = ctx.window();
    out.collect([window.id, window instanceof CountWindow && !(window instanceof TimeWindow), [...elements].map((e) => e[1])]);
  }
}
