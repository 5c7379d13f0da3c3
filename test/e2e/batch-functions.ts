/** Functions for the end-to-end BATCH execution tests (loaded by reference). */
import { KeyedProcessFunction, ProcessFunction, type Collector, type KeyedProcessContext, type OnTimerContext, type ProcessContext } from '../../host/index.ts';

/** A processing-time timer this far away never comes due while a test runs (the year 2096). */
export const FAR_AWAY = 4_000_000_000_000;

/**
 * For each element: the watermark it is processed under, and an event-time timer at its
 * timestamp and a processing-time timer at FAR_AWAY plus its timestamp. Each timer says when it fired, and its
 * onTimer registers one more of its kind, which BATCH execution ignores.
 */
export class TimersAtTheEnd extends KeyedProcessFunction<string, [string, number], string> {
  processElement(v: [string, number], ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    out.collect(`el ${v[0]}@${v[1]} wm=${ctx.timerService().currentWatermark()}`);
    ctx.timerService().registerEventTimeTimer(v[1]);
    ctx.timerService().registerProcessingTimeTimer(FAR_AWAY + v[1]);
  }
  override onTimer(t: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    const domain = ctx.timeDomain();
    out.collect(`${domain === 'EVENT_TIME' ? 'event' : 'processing'} timer ${ctx.getCurrentKey()}@${domain === 'EVENT_TIME' ? t : t - FAR_AWAY}`);
    if (domain === 'EVENT_TIME') ctx.timerService().registerEventTimeTimer(t + 1);
    else ctx.timerService().registerProcessingTimeTimer(t + 1);
  }
}

/** Each element with its timestamp. */
export class WithTimestamp extends ProcessFunction<[string, number], [string, number, number | null]> {
  processElement(v: [string, number], ctx: ProcessContext, out: Collector<[string, number, number | null]>): void {
    out.collect([v[0], v[1], ctx.timestamp()]);
  }
}
