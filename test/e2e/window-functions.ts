/** Functions the window tests run (a module, so that workers load them from here). */
import {
  AggregateFunction,
  ProcessWindowFunction,
  SourceFunction,
  WindowFunction,
  type Collector,
  type ProcessWindowContext,
  type TimeWindow,
} from '../../host/index.ts';

export type Event = [string, number];

/** [key, window start, window end, sum of the values, count], from every element of the window. */
export class SumOfWindow extends ProcessWindowFunction<Event, [string, number, number, number, number], string> {
  process(key: string, ctx: ProcessWindowContext, elements: Iterable<Event>): Array<[string, number, number, number, number]> {
    let sum = 0;
    let count = 0;
    for (const [, v] of elements) {
      sum += v;
      count++;
    }
    return [[key, ctx.window().start, ctx.window().end, sum, count]];
  }
}

/** [key, window start, window end, value] for the one value a reduce or aggregate leaves. */
export class WithWindow extends WindowFunction<unknown, [string, number, number, unknown], string> {
  apply(key: string, window: TimeWindow, inputs: Iterable<unknown>, out: Collector<[string, number, number, unknown]>): void {
    for (const v of inputs) out.collect([key, window.start, window.end, v]);
  }
}

/** The average of the values: [sum, count] accumulators, merged for sessions. */
export class Average extends AggregateFunction<Event, [number, number], number> {
  createAccumulator(): [number, number] {
    return [0, 0];
  }
  add(value: Event, acc: [number, number]): [number, number] {
    return [acc[0] + value[1], acc[1] + 1];
  }
  getResult(acc: [number, number]): number {
    return acc[0] / acc[1];
  }
  override merge(a: [number, number], b: [number, number]): [number, number] {
    return [a[0] + b[0], a[1] + b[1]];
  }
}

/** Emits its steps in order; a step that is a promise is waited for (a condition the sink saw). */
export class Scripted extends SourceFunction<Event> {
  constructor(private readonly steps: (Event | Promise<void>)[]) {
    super();
  }
  async *run(): AsyncGenerator<Event> {
    for (const step of this.steps) {
      if (step instanceof Promise) await step;
      else yield step;
    }
  }
}
