/** Co functions for the connected-streams tests (loaded in workers by reference). */
import {
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
  ListStateDescriptor,
  OutputTag,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type ListState,
  type OnTimerContext,
  type ProcessContext,
  type RuntimeContext,
  type ValueState,
} from '../../host/index.ts';

export interface Order {
  user: string;
  item: string;
  ts: number;
}

export interface User {
  user: string;
  name: string;
  ts: number;
}

/** Numbers and words into one stream of tagged strings. */
export class Tagging extends CoMapFunction<number, string, string> {
  map1(n: number): string {
    return `n:${n * 10}`;
  }
  map2(s: string): string {
    return `s:${s.toUpperCase()}`;
  }
}

/** Sentences split through `out`, counts expanded as a returned iterable. */
export class Splitting extends CoFlatMapFunction<string, number, string> {
  flatMap1(sentence: string, out: Collector<string>): void {
    for (const word of sentence.split(' ')) out.collect(word);
  }
  *flatMap2(count: number): Iterable<string> {
    for (let i = 0; i < count; i++) yield `#${i}`;
  }
}

/**
 * Orders joined with the user they name, whichever arrives first: an order waits in ListState
 * until its user's name is known (ValueState), and is emitted as soon as it is. Both inputs see
 * the same key's state.
 */
export class Enrich extends KeyedCoProcessFunction<string, Order, User, string> {
  private name!: ValueState<string>;
  private waiting!: ListState<string>;

  override open(ctx: RuntimeContext): void {
    this.name = ctx.getState(new ValueStateDescriptor('name', Types.STRING()));
    this.waiting = ctx.getListState(new ListStateDescriptor('waiting', Types.STRING()));
  }

  processElement1(order: Order, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const name = this.name.value();
    if (name === null) this.waiting.add(order.item);
    else out.collect(`${ctx.getCurrentKey()}:${name}:${order.item}`);
  }

  processElement2(user: User, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    this.name.update(user.name);
    for (const item of this.waiting.get()) out.collect(`${ctx.getCurrentKey()}:${user.name}:${item}`);
    this.waiting.clear();
  }
}

/**
 * Per user and 100 ms window: counts orders (first input) and profile updates (second input) in
 * one ValueState, and reports the totals from an event-time timer at the window's last ms.
 */
export class CountBoth extends KeyedCoProcessFunction<string, Order, User, [string, number, number, number]> {
  private counts!: ValueState<[number, number]>;

  override open(ctx: RuntimeContext): void {
    this.counts = ctx.getState(new ValueStateDescriptor('counts'));
  }

  processElement1(order: Order, ctx: KeyedProcessContext<string>): void {
    this.count(0, order.ts, ctx);
  }

  processElement2(user: User, ctx: KeyedProcessContext<string>): void {
    this.count(1, user.ts, ctx);
  }

  private count(side: 0 | 1, ts: number, ctx: KeyedProcessContext<string>): void {
    const counts = this.counts.value();
    if (counts === null) ctx.timerService().registerEventTimeTimer(Math.floor(ts / 100) * 100 + 99);
    const next: [number, number] = counts === null ? [0, 0] : [counts[0], counts[1]];
    next[side]++;
    this.counts.update(next);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<[string, number, number, number]>): void {
    const counts = this.counts.value() ?? [0, 0];
    out.collect([ctx.getCurrentKey(), timestamp, counts[0], counts[1]]);
    this.counts.clear();
  }
}

export const ODD = new OutputTag<number>('odd', Types.LONG());

/** Not keyed: numbers from the first input go on, odd ones also to a side output; words are measured. */
export class RouteOdd extends CoProcessFunction<number, string, number> {
  processElement1(n: number, ctx: ProcessContext, out: Collector<number>): void {
    if (n % 2 === 1) ctx.output(ODD, n);
    out.collect(n);
  }
  processElement2(word: string, _ctx: ProcessContext, out: Collector<number>): void {
    out.collect(word.length * 1000);
  }
}

/** Fails on the second input's record 'bad'. */
export class RefusesBad extends CoMapFunction<number, string, string> {
  map1(n: number): string {
    return String(n);
  }
  map2(s: string): string {
    if (s === 'bad') throw new TypeError(`cannot map ${s}`);
    return s;
  }
}

/** A timer from a stream that is not keyed: refused as in Flink. */
export class TimerWithoutKey extends CoProcessFunction<number, number, number> {
  processElement1(n: number, ctx: ProcessContext): void {
    ctx.timerService().registerEventTimeTimer(n);
  }
  processElement2(n: number, _ctx: ProcessContext, out: Collector<number>): void {
    out.collect(n);
  }
}

/**
 * Numbers (first input) summed per key, the running [key, sum, count] emitted for each; labels
 * (second input) kept per key; at the end of input a timer emits [key, label, sum, count].
 */
export class SumWithLabel extends KeyedCoProcessFunction<string, number, [string, string], unknown[]> {
  private sum!: ValueState<[number, number]>;
  private label!: ValueState<string>;

  override open(ctx: RuntimeContext): void {
    this.sum = ctx.getState(new ValueStateDescriptor('sum'));
    this.label = ctx.getState(new ValueStateDescriptor('label', Types.STRING()));
  }

  processElement1(n: number, ctx: KeyedProcessContext<string>, out: Collector<unknown[]>): void {
    const [sum, count] = this.sum.value() ?? [0, 0];
    if (count === 0) ctx.timerService().registerEventTimeTimer(Number.MAX_SAFE_INTEGER);
    this.sum.update([sum + n, count + 1]);
    out.collect([ctx.getCurrentKey(), sum + n, count + 1]);
  }

  processElement2(labelled: [string, string]): void {
    this.label.update(labelled[1]);
  }

  override onTimer(_timestamp: number, ctx: OnTimerContext<string>, out: Collector<unknown[]>): void {
    const [sum, count] = this.sum.value() ?? [0, 0];
    out.collect([ctx.getCurrentKey(), this.label.value(), sum, count]);
  }
}
