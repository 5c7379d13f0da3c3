/**
 * Keyed process functions that drive one kind of state each through every operation, from
 * commands in the records, and emit what each operation returned. Exported from a module that
 * is not a job file, so workers load them by reference.
 */
import {
  AggregateFunction,
  AggregatingStateDescriptor,
  KeyedProcessFunction,
  ListStateDescriptor,
  MapFunction,
  MapStateDescriptor,
  ReducingStateDescriptor,
  Types,
  ValueStateDescriptor,
  type AggregatingState,
  type KeyedProcessContext,
  type ListState,
  type MapState,
  type ReducingState,
  type RuntimeContext,
  type ValueState,
} from '../../host/index.ts';

/** [key, operation, argument] */
export type Command = [string, string, unknown?];

/** The keyed average of the PyFlink article: two ValueStates, sum and count. */
export class Average extends MapFunction<[number, number], [number, number]> {
  private sum!: ValueState<number>;
  private cnt!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.sum = ctx.getState(new ValueStateDescriptor('sum', Types.LONG()));
    this.cnt = ctx.getState(new ValueStateDescriptor('cnt', Types.LONG()));
  }
  map(value: [number, number]): [number, number] {
    const sum = (this.sum.value() ?? 0) + value[1];
    const cnt = (this.cnt.value() ?? 0) + 1;
    this.sum.update(sum);
    this.cnt.update(cnt);
    return [value[0], Math.trunc(sum / cnt)];
  }
}

export class ValueOps extends KeyedProcessFunction<string, Command, unknown> {
  private state!: ValueState<unknown>;
  override open(ctx: RuntimeContext): void {
    this.state = ctx.getState(new ValueStateDescriptor('v'));
  }
  async *processElement(c: Command, ctx: KeyedProcessContext<string>): AsyncGenerator<unknown> {
    switch (c[1]) {
      case 'update':
        this.state.update(c[2]);
        break;
      case 'clear':
        this.state.clear();
        break;
    }
    yield [ctx.getCurrentKey(), c[1], this.state.value()];
  }
}

export class ListOps extends KeyedProcessFunction<string, Command, unknown> {
  private state!: ListState<unknown>;
  override open(ctx: RuntimeContext): void {
    this.state = ctx.getListState(new ListStateDescriptor('l'));
  }
  async *processElement(c: Command, ctx: KeyedProcessContext<string>): AsyncGenerator<unknown> {
    switch (c[1]) {
      case 'add':
        this.state.add(c[2]);
        break;
      case 'addAll':
        this.state.addAll(c[2] as unknown[]);
        break;
      case 'update':
        this.state.update(c[2] as unknown[]);
        break;
      case 'clear':
        this.state.clear();
        break;
    }
    yield [ctx.currentKey, c[1], this.state.get()];
  }
}

export class MapOps extends KeyedProcessFunction<string, Command, unknown> {
  private state!: MapState<string, unknown>;
  override open(ctx: RuntimeContext): void {
    this.state = ctx.getMapState(new MapStateDescriptor('m', Types.STRING()));
  }
  async *processElement(c: Command, ctx: KeyedProcessContext<string>): AsyncGenerator<unknown> {
    const arg = c[2];
    let result: unknown = null;
    switch (c[1]) {
      case 'put':
        this.state.put((arg as [string, unknown])[0], (arg as [string, unknown])[1]);
        break;
      case 'putAll':
        this.state.putAll(arg as [string, unknown][]);
        break;
      case 'remove':
        this.state.remove(arg as string);
        break;
      case 'get':
        result = this.state.get(arg as string);
        break;
      case 'contains':
        result = this.state.contains(arg as string);
        break;
      case 'isEmpty':
        result = this.state.isEmpty();
        break;
      case 'keys': {
        const keys: string[] = [];
        for (const k of this.state.keys()) keys.push(k);
        result = keys;
        break;
      }
      case 'values': {
        const values: unknown[] = [];
        for (const v of this.state.values()) values.push(v);
        result = values;
        break;
      }
      case 'entries': {
        const entries: unknown[] = [];
        for (const e of this.state.entries()) entries.push(e);
        result = entries;
        break;
      }
      case 'firstKey': {
        // Stops an iteration early: the host must release it.
        for (const k of this.state.keys()) {
          result = k;
          break;
        }
        break;
      }
      case 'clear':
        this.state.clear();
        break;
    }
    yield [ctx.getCurrentKey(), c[1], result];
  }
}

export class ReducingOps extends KeyedProcessFunction<string, Command, unknown> {
  private state!: ReducingState<number>;
  override open(ctx: RuntimeContext): void {
    this.state = ctx.getReducingState(new ReducingStateDescriptor('r', (a: number, b: number) => a + b, Types.LONG()));
  }
  async *processElement(c: Command, ctx: KeyedProcessContext<string>): AsyncGenerator<unknown> {
    if (c[1] === 'add') this.state.add(c[2] as number);
    if (c[1] === 'clear') this.state.clear();
    yield [ctx.getCurrentKey(), c[1], this.state.get()];
  }
}

export class MeanAggregate extends AggregateFunction<number, [number, number], number> {
  createAccumulator(): [number, number] {
    return [0, 0];
  }
  add(value: number, acc: [number, number]): [number, number] {
    return [acc[0] + value, acc[1] + 1];
  }
  getResult(acc: [number, number]): number {
    return acc[0] / acc[1];
  }
}

export class AggregatingOps extends KeyedProcessFunction<string, Command, unknown> {
  private state!: AggregatingState<number, number>;
  override open(ctx: RuntimeContext): void {
    this.state = ctx.getAggregatingState(new AggregatingStateDescriptor('a', new MeanAggregate()));
  }
  async *processElement(c: Command, ctx: KeyedProcessContext<string>): AsyncGenerator<unknown> {
    if (c[1] === 'add') this.state.add(c[2] as number);
    if (c[1] === 'clear') this.state.clear();
    yield [ctx.getCurrentKey(), c[1], this.state.get()];
  }
}

/**
 * Puts each record's number into a MapState, then reads the whole map back by iterating it
 * (in pages, when udf.map-state.iterate-response-batch-size is small) and emits
 * [key, entries, sum of values].
 */
export class MapPages extends KeyedProcessFunction<string, [string, number], [string, number, number]> {
  private state!: MapState<number, number>;
  override open(ctx: RuntimeContext): void {
    this.state = ctx.getMapState(new MapStateDescriptor('pages', Types.LONG(), Types.LONG()));
  }
  async *processElement(record: [string, number], ctx: KeyedProcessContext<string>): AsyncGenerator<[string, number, number]> {
    this.state.put(record[1], record[1] * 10);
    let entries = 0;
    let sum = 0;
    for (const [, v] of this.state.entries()) {
      entries++;
      sum += v;
    }
    yield [ctx.getCurrentKey(), entries, sum];
  }
}
