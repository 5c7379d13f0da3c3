/** Keyed process functions with timers, for the end-to-end timer tests (loaded by reference). */
import {
  KeyedProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  OutputTag,
  ProcessFunction,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type ListState,
  type MapState,
  type OnTimerContext,
  type ProcessContext,
  type RuntimeContext,
  type ValueState,
} from '../../host/index.ts';

export interface Event {
  user: string;
  ts: number;
  page: string;
}

/**
 * Per user and 10 ms window: the pages seen (ListState of [ts, page]) and a count per page
 * (MapState); an event-time timer at the window's end emits a summary when the watermark
 * passes it, and forgets the window.
 */
export class WindowSummary extends KeyedProcessFunction<string, Event, unknown> {
  private seen!: ListState<[number, string]>;
  private perPage!: MapState<string, number>;

  override open(ctx: RuntimeContext): void {
    this.seen = ctx.getListState(new ListStateDescriptor('seen'));
    this.perPage = ctx.getMapState(new MapStateDescriptor('perPage', Types.STRING(), Types.LONG()));
  }

  processElement(e: Event, ctx: KeyedProcessContext<string>): void {
    const end = Math.floor(e.ts / 10) * 10 + 9;
    this.seen.add([e.ts, e.page]);
    this.perPage.put(`${end}:${e.page}`, (this.perPage.get(`${end}:${e.page}`) ?? 0) + 1);
    ctx.timerService().registerEventTimeTimer(end);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<unknown>): void {
    const all = this.seen.get();
    const mine = all.filter(([ts]) => ts <= timestamp).map(([, page]) => page);
    this.seen.update(all.filter(([ts]) => ts > timestamp));
    const counts: [string, number][] = [];
    for (const [k, n] of this.perPage.entries()) {
      if (k.startsWith(`${timestamp}:`)) {
        counts.push([k.slice(String(timestamp).length + 1), n]);
        this.perPage.remove(k);
      }
    }
    out.collect([ctx.getCurrentKey(), timestamp, ctx.timeDomain(), ctx.timestamp(), mine, counts]);
  }
}

/** Registers event-time timers at 100 and 200 and deletes the first: only 200 fires (at the end of input). */
export class RegisterThenDelete extends KeyedProcessFunction<string, string, unknown> {
  processElement(_v: string, ctx: KeyedProcessContext<string>): void {
    ctx.timerService().registerEventTimeTimer(100);
    ctx.timerService().registerEventTimeTimer(200);
    ctx.timerService().deleteEventTimeTimer(100);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<unknown>): void {
    out.collect([ctx.getCurrentKey(), timestamp]);
  }
}

/** Counts elements per key and, 30 ms after a key's first element, reports the count by processing time. */
export class ProcessingTimeReport extends KeyedProcessFunction<string, string, unknown> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor('count'));
  }
  processElement(_v: string, ctx: KeyedProcessContext<string>): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    if (n === 1) ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 30);
  }
  override onTimer(_ts: number, ctx: OnTimerContext<string>, out: Collector<unknown>): void {
    out.collect([ctx.getCurrentKey(), ctx.timeDomain(), ctx.timestamp() !== null, this.count.value()]);
  }
}

/**
 * On a key's first element, a processing-time timer due at once; onTimer reports the key (when it
 * fires, before the key's later elements or after them, is the machine's to decide).
 */
export class DueAtOnceReport extends KeyedProcessFunction<string, string, unknown> {
  private seen!: ValueState<boolean>;
  override open(ctx: RuntimeContext): void {
    this.seen = ctx.getState(new ValueStateDescriptor('seen'));
  }
  processElement(_v: string, ctx: KeyedProcessContext<string>): void {
    if (this.seen.value() === true) return;
    this.seen.update(true);
    ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime());
  }
  override onTimer(_ts: number, ctx: OnTimerContext<string>, out: Collector<unknown>): void {
    out.collect([ctx.getCurrentKey(), ctx.timeDomain()]);
  }
}

export const EVENS = new OutputTag<number>('evens', Types.LONG());
export const WORDS = new OutputTag('words');

/** Main output: odd numbers as strings; side outputs: even numbers (typed) and a word per number (generic). */
export class Splitter extends ProcessFunction<number, string> {
  processElement(n: number, ctx: ProcessContext, out: Collector<string>): void {
    if (n % 2 === 0) ctx.output(EVENS, n);
    else out.collect(`odd ${n}`);
    ctx.output(WORDS, { n, word: ['zero', 'one', 'two', 'three'][n] ?? 'many' });
  }
}

/**
 * Keeps its stage the slowest of the job (a few microseconds of work a record), so that its
 * input never runs dry; on the first record it sets a processing-time timer 20 ms ahead, whose
 * firing it reports.
 */
export class BusyWithOneTimer extends KeyedProcessFunction<number, number, string> {
  processElement(value: number, ctx: KeyedProcessContext<number>, out: Collector<string>): void {
    let work = 0;
    for (let i = 0; i < 3000; i++) work += i % 7;
    if (work < 0) out.collect('never');
    if (value === 1) ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 20);
  }

  override onTimer(_timestamp: number, _ctx: OnTimerContext<number>, out: Collector<string>): void {
    out.collect('fired');
  }
}
