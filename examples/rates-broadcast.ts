/**
 * The broadcast state pattern: exchange rates broadcast to every parallel instance of the
 * operator that converts payments. Each instance keeps every rate in its broadcast state (by
 * currency and the time it took effect); a payment is converted at the rate in force at its
 * event time. It waits in its account's keyed state for an event-time timer at its timestamp,
 * which fires once the rates' watermark has passed it too, so the answer does not depend on
 * which stream's records arrive first.
 *
 *   npx sluice run examples/rates-broadcast.ts
 */
import {
  KeyedBroadcastProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  StreamExecutionEnvironment,
  Types,
  WatermarkStrategy,
  type BroadcastProcessContext,
  type Collector,
  type KeyedBroadcastOnTimerContext,
  type KeyedBroadcastProcessReadOnlyContext,
  type ListState,
  type RuntimeContext,
} from 'sluice';

type Rate = [currency: string, euros: number, ts: number];
type Payment = [account: string, currency: string, amount: number, ts: number];

/** Euros per unit, by `${currency}@${ts}`: every rate ever broadcast, kept by each instance. */
const RATES = new MapStateDescriptor<string, number>('rates', Types.STRING(), Types.DOUBLE());

class ToEuros extends KeyedBroadcastProcessFunction<string, Payment, Rate, string> {
  private waiting!: ListState<Payment>;

  override open(ctx: RuntimeContext): void {
    this.waiting = ctx.getListState(new ListStateDescriptor('waiting'));
  }

  /** A payment waits until the rates up to its time are known. */
  processElement(payment: Payment, ctx: KeyedBroadcastProcessReadOnlyContext<string>): void {
    this.waiting.add(payment);
    ctx.timerService().registerEventTimeTimer(payment[3]);
  }

  /** A rate: every instance gets it and keeps it (the only place broadcast state may change). */
  processBroadcastElement(rate: Rate, ctx: BroadcastProcessContext): void {
    ctx.getBroadcastState(RATES).put(`${rate[0]}@${rate[2]}`, rate[1]);
  }

  /** The payments of this account at `timestamp`, converted at the latest rate up to then. */
  override onTimer(timestamp: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
    const rates = [...ctx.getBroadcastState(RATES).entries()];
    const later: Payment[] = [];
    for (const payment of this.waiting.get()) {
      const [account, currency, amount, ts] = payment;
      if (ts !== timestamp) {
        later.push(payment);
        continue;
      }
      let since = -Infinity;
      let euros: number | null = null;
      for (const [key, value] of rates) {
        const [c, from] = key.split('@') as [string, string];
        if (c === currency && Number(from) <= ts && Number(from) > since) [since, euros] = [Number(from), value];
      }
      out.collect(euros === null ? `${account}: ${amount} ${currency} at ${ts}: no rate yet` : `${account}: ${amount} ${currency} at ${ts} = ${(amount * euros).toFixed(2)} EUR`);
    }
    this.waiting.update(later);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.setParallelism(2);
const rates = env
  .fromCollection<Rate>([['USD', 0.9, 0], ['GBP', 1.2, 0], ['USD', 0.95, 100]])
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Rate>().withTimestampAssigner((r) => r[2]))
  .broadcast(RATES);
env
  .fromCollection<Payment>([['ann', 'USD', 10, 50], ['bob', 'GBP', 20, 60], ['ann', 'USD', 10, 150], ['cy', 'JPY', 500, 70]])
  .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Payment>().withTimestampAssigner((p) => p[3]))
  .keyBy((p) => p[0])
  .connect(rates)
  .process(new ToEuros(), Types.STRING())
  .name('To euros')
  .print();

await env.execute('rates broadcast');
