/** Functions for the end-to-end event-time tests (loaded by reference). */
import {
  KeyedProcessFunction,
  ProcessFunction,
  SourceFunction,
  type Collector,
  type KeyedProcessContext,
  type OnTimerContext,
  type ProcessContext,
  type SourceContext,
} from '../../host/index.ts';

/** Registers an event-time timer at each element's timestamp minus `offset`; a timer emits `timer <t> wm=<watermark>`. */
export class TimerAtTimestamp extends KeyedProcessFunction<string, [string, number], string> {
  constructor(private readonly offset: number) {
    super();
  }
  processElement(v: [string, number], ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    out.collect(`el ${v[0]}@${v[1]}`);
    ctx.timerService().registerEventTimeTimer(v[1] - this.offset);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`timer ${ctx.getCurrentKey()}@${t} wm=${ctx.timerService().currentWatermark()}`);
  }
}

/** Emits [key, t] from every event-time timer at the element's timestamp. */
export class EmitFromTimer extends KeyedProcessFunction<string, [string, number], [string, number]> {
  processElement(v: [string, number], ctx: KeyedProcessContext<string>): void {
    ctx.timerService().registerEventTimeTimer(v[1]);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<[string, number]>): void {
    out.collect([ctx.getCurrentKey(), t]);
  }
}

/** Says whether each record is late (its timestamp at or before the watermark it is processed under). */
export class LateCheck extends ProcessFunction<[string, number], [string, number, boolean]> {
  processElement(v: [string, number], ctx: ProcessContext, out: Collector<[string, number, boolean]>): void {
    out.collect([v[0], v[1], ctx.timestamp()! <= ctx.timerService().currentWatermark()]);
  }
}

/** Emits each element's value and timestamp, and from an event-time timer at that timestamp. */
export class TimestampReport extends KeyedProcessFunction<string, string, string> {
  processElement(v: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const ts = ctx.timestamp();
    out.collect(`el ${v} ts=${ts}`);
    if (ts !== null && Number.isFinite(ts)) ctx.timerService().registerEventTimeTimer(ts);
  }
  override onTimer(t: number, _ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`timer ${t}`);
  }
}

/** A source whose records carry their own timestamps (collectWithTimestamp). */
export class TimestampedSource extends SourceFunction<string> {
  constructor(private readonly records: [string, number][]) {
    super();
  }
  async run(ctx: SourceContext<string>): Promise<void> {
    for (const [v, ts] of this.records) await ctx.collectWithTimestamp(v, ts);
  }
}

/**
 * Event-time timers changed by onTimer: processElement registers `initial`; onTimer(first)
 * deletes `deleted` and registers `added`. Each timer that fires emits `onTimer <t>`.
 */
export class ChangeTimersInOnTimer extends KeyedProcessFunction<string, string, string> {
  constructor(
    private readonly domain: 'event' | 'processing',
    private readonly initial: number[],
    private readonly deleted: number[],
    private readonly added: number[],
  ) {
    super();
  }
  processElement(_v: string, ctx: KeyedProcessContext<string>): void {
    for (const t of this.initial) this.register(ctx, t);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`onTimer ${t}`);
    if (t !== this.initial[0]) return;
    const timers = ctx.timerService();
    for (const d of this.deleted) {
      if (this.domain === 'event') timers.deleteEventTimeTimer(d);
      else timers.deleteProcessingTimeTimer(d);
    }
    for (const a of this.added) this.register(ctx, a);
  }
  private register(ctx: KeyedProcessContext<string>, t: number): void {
    if (this.domain === 'event') ctx.timerService().registerEventTimeTimer(t);
    else ctx.timerService().registerProcessingTimeTimer(t);
  }
}
