/**
 * Two streams joined by key (DataStream.connect): orders and the customers they name, in
 * whichever order they arrive. A KeyedCoProcessFunction keeps each side in keyed state until the
 * other is there; both methods see the same key's state.
 *
 *   npx sluice run examples/join-by-key.ts
 */
import {
  KeyedCoProcessFunction,
  ListStateDescriptor,
  StreamExecutionEnvironment,
  Types,
  ValueStateDescriptor,
  type Collector,
  type KeyedProcessContext,
  type ListState,
  type RuntimeContext,
  type ValueState,
} from 'sluice';

type Order = [customer: string, item: string];
type Customer = [customer: string, name: string];

class Enrich extends KeyedCoProcessFunction<string, Order, Customer, string> {
  private name!: ValueState<string>;
  private waiting!: ListState<string>;

  override open(ctx: RuntimeContext): void {
    this.name = ctx.getState(new ValueStateDescriptor('name', Types.STRING()));
    this.waiting = ctx.getListState(new ListStateDescriptor('waiting', Types.STRING()));
  }

  /** An order: shipped to its customer's name, or kept until the customer is known. */
  processElement1(order: Order, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const name = this.name.value();
    if (name === null) this.waiting.add(order[1]);
    else out.collect(`${order[1]} for ${name}`);
  }

  /** A customer: remembered, and the orders that waited for them go out. */
  processElement2(customer: Customer, _ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    this.name.update(customer[1]);
    for (const item of this.waiting.get()) out.collect(`${item} for ${customer[1]}`);
    this.waiting.clear();
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const pair = Types.TUPLE([Types.STRING(), Types.STRING()]);
const orders = env.fromCollection<Order>([['c1', 'tea'], ['c2', 'pen'], ['c1', 'cup'], ['c3', 'ink']], pair);
const customers = env.fromCollection<Customer>([['c2', 'Bea'], ['c1', 'Ann'], ['c3', 'Cy']], pair);
orders
  .keyBy((o) => o[0])
  .connect(customers.keyBy((c) => c[0]))
  .process(new Enrich(), Types.STRING())
  .name('Enrich')
  .print();

await env.execute('join by key');
