/**
 * Base classes for user functions, PyFlink's function classes in camelCase. Every user function
 * may also be a plain function (a lambda): `map((x) => x + 1)`.
 *
 * Instances travel to workers: own fields holding plain data (numbers, strings, arrays, plain
 * objects, Map, Set, Date, bigint, Uint8Array), Sluice API objects (descriptors, Types,
 * OutputTag) or other shippable functions go with them. See the README, "How functions reach
 * the worker".
 */
import type {
  BroadcastProcessContext,
  BroadcastProcessReadOnlyContext,
  Collector,
  KeyedBroadcastOnTimerContext,
  KeyedBroadcastProcessReadOnlyContext,
  KeyedProcessContext,
  OnTimerContext,
  ProcessContext,
  RuntimeContext,
} from './contexts.ts';

export type MaybePromise<T> = T | Promise<T>;

/** What a flatMap or process function may return instead of (or as well as) using `out`. */
export type Emitted<T> = Iterable<T> | AsyncIterable<T> | void | undefined;

/**
 * A function with a lifecycle: open() before the first element, close() after the last. Either
 * may be async (return a promise); the base versions do nothing.
 */
export abstract class RichFunction {
  open(_runtimeContext: RuntimeContext): void {}
  close(): void {}
}

export abstract class MapFunction<IN = unknown, OUT = unknown> extends RichFunction {
  abstract map(value: IN): MaybePromise<OUT>;
}

export abstract class FlatMapFunction<IN = unknown, OUT = unknown> extends RichFunction {
  abstract flatMap(value: IN, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
}

export abstract class FilterFunction<T = unknown> extends RichFunction {
  abstract filter(value: T): MaybePromise<boolean>;
}

export abstract class ReduceFunction<T = unknown> extends RichFunction {
  abstract reduce(value1: T, value2: T): MaybePromise<T>;
}

export abstract class KeySelector<IN = unknown, KEY = unknown> extends RichFunction {
  abstract getKey(value: IN): MaybePromise<KEY>;
}

export abstract class ProcessFunction<IN = unknown, OUT = unknown> extends RichFunction {
  abstract processElement(value: IN, ctx: ProcessContext, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
}

export abstract class KeyedProcessFunction<KEY = unknown, IN = unknown, OUT = unknown> extends RichFunction {
  abstract processElement(value: IN, ctx: KeyedProcessContext<KEY>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  onTimer(_timestamp: number, _ctx: OnTimerContext<KEY>, _out: Collector<OUT>): MaybePromise<Emitted<OUT>> {}
}

/**
 * The functions of two connected streams (DataStream.connect): PyFlink's CoMapFunction,
 * CoFlatMapFunction, CoProcessFunction and KeyedCoProcessFunction. The first method of each
 * pair gets the first stream's elements, the second the other's; both run in the same worker,
 * in whatever order the two inputs' records arrive. On keyed connected streams the two share
 * the key's state and timers.
 */
export abstract class CoMapFunction<IN1 = unknown, IN2 = unknown, OUT = unknown> extends RichFunction {
  abstract map1(value: IN1): MaybePromise<OUT>;
  abstract map2(value: IN2): MaybePromise<OUT>;
}

export abstract class CoFlatMapFunction<IN1 = unknown, IN2 = unknown, OUT = unknown> extends RichFunction {
  abstract flatMap1(value: IN1, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  abstract flatMap2(value: IN2, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
}

export abstract class CoProcessFunction<IN1 = unknown, IN2 = unknown, OUT = unknown> extends RichFunction {
  abstract processElement1(value: IN1, ctx: ProcessContext, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  abstract processElement2(value: IN2, ctx: ProcessContext, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
}

export abstract class KeyedCoProcessFunction<KEY = unknown, IN1 = unknown, IN2 = unknown, OUT = unknown> extends RichFunction {
  abstract processElement1(value: IN1, ctx: KeyedProcessContext<KEY>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  abstract processElement2(value: IN2, ctx: KeyedProcessContext<KEY>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  onTimer(_timestamp: number, _ctx: OnTimerContext<KEY>, _out: Collector<OUT>): MaybePromise<Emitted<OUT>> {}
}

/**
 * The functions of a stream connected with a broadcast stream (DataStream.connect(
 * other.broadcast(descriptors))): PyFlink's BroadcastProcessFunction and
 * KeyedBroadcastProcessFunction. processElement gets the first stream's elements and reads the
 * broadcast states; processBroadcastElement gets every element of the broadcast stream, in every
 * parallel instance, and may change them. On a KeyedStream, processElement and onTimer also have
 * the key's state and timers.
 */
export abstract class BroadcastProcessFunction<IN1 = unknown, IN2 = unknown, OUT = unknown> extends RichFunction {
  abstract processElement(value: IN1, ctx: BroadcastProcessReadOnlyContext, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  abstract processBroadcastElement(value: IN2, ctx: BroadcastProcessContext, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
}

export abstract class KeyedBroadcastProcessFunction<KEY = unknown, IN1 = unknown, IN2 = unknown, OUT = unknown> extends RichFunction {
  abstract processElement(value: IN1, ctx: KeyedBroadcastProcessReadOnlyContext<KEY>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  abstract processBroadcastElement(value: IN2, ctx: BroadcastProcessContext, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  onTimer(_timestamp: number, _ctx: KeyedBroadcastOnTimerContext<KEY>, _out: Collector<OUT>): MaybePromise<Emitted<OUT>> {}
}

/** Used by AggregatingState: PyFlink's AggregateFunction. */
export abstract class AggregateFunction<IN = unknown, ACC = unknown, OUT = unknown> {
  abstract createAccumulator(): ACC;
  abstract add(value: IN, accumulator: ACC): ACC;
  abstract getResult(accumulator: ACC): OUT;
  merge(_a: ACC, _b: ACC): ACC {
    throw new Error('merge is not implemented');
  }
}

/** Extracts event-time timestamps (ms since the epoch) from records; runs in the worker. */
export abstract class TimestampAssigner<T = unknown> {
  abstract extractTimestamp(value: T, recordTimestamp: number | null): number;
}

/**
 * Chooses the partition (the parallel instance of the next operator, 0 to numPartitions - 1)
 * a record's key goes to: PyFlink's Partitioner, for DataStream.partitionCustom(). Runs in the
 * worker, beside the key selector.
 */
export abstract class Partitioner<KEY = unknown> {
  abstract partition(key: KEY, numPartitions: number): MaybePromise<number>;
}

/** Functions given in either form: a class instance or a plain function. */
export type MapLike<IN, OUT> = MapFunction<IN, OUT> | ((value: IN) => MaybePromise<OUT>);
export type FlatMapLike<IN, OUT> =
  | FlatMapFunction<IN, OUT>
  | ((value: IN, out: Collector<OUT>) => MaybePromise<Emitted<OUT>>);
export type FilterLike<T> = FilterFunction<T> | ((value: T) => MaybePromise<boolean>);
export type ReduceLike<T> = ReduceFunction<T> | ((value1: T, value2: T) => MaybePromise<T>);
export type KeySelectorLike<IN, KEY> = KeySelector<IN, KEY> | ((value: IN) => MaybePromise<KEY>);
export type PartitionerLike<KEY> = Partitioner<KEY> | ((key: KEY, numPartitions: number) => MaybePromise<number>);
export type ProcessLike<IN, OUT> =
  | ProcessFunction<IN, OUT>
  | ((value: IN, ctx: ProcessContext, out: Collector<OUT>) => MaybePromise<Emitted<OUT>>);
export type KeyedProcessLike<KEY, IN, OUT> =
  | KeyedProcessFunction<KEY, IN, OUT>
  | ((value: IN, ctx: KeyedProcessContext<KEY>, out: Collector<OUT>) => MaybePromise<Emitted<OUT>>);
/** Co functions: a class instance, or a plain object with the two methods (and open/close if it likes). */
export type CoMapLike<IN1, IN2, OUT> = Pick<CoMapFunction<IN1, IN2, OUT>, 'map1' | 'map2'> & Partial<RichFunction>;
export type CoFlatMapLike<IN1, IN2, OUT> = Pick<CoFlatMapFunction<IN1, IN2, OUT>, 'flatMap1' | 'flatMap2'> & Partial<RichFunction>;
export type CoProcessLike<IN1, IN2, OUT> = Pick<CoProcessFunction<IN1, IN2, OUT>, 'processElement1' | 'processElement2'> & Partial<RichFunction>;
export type KeyedCoProcessLike<KEY, IN1, IN2, OUT> = Pick<
  KeyedCoProcessFunction<KEY, IN1, IN2, OUT>,
  'processElement1' | 'processElement2'
> &
  Partial<Pick<KeyedCoProcessFunction<KEY, IN1, IN2, OUT>, 'onTimer' | 'open' | 'close'>>;
export type BroadcastProcessLike<IN1, IN2, OUT> = Pick<
  BroadcastProcessFunction<IN1, IN2, OUT>,
  'processElement' | 'processBroadcastElement'
> &
  Partial<RichFunction>;
export type KeyedBroadcastProcessLike<KEY, IN1, IN2, OUT> = Pick<
  KeyedBroadcastProcessFunction<KEY, IN1, IN2, OUT>,
  'processElement' | 'processBroadcastElement'
> &
  Partial<Pick<KeyedBroadcastProcessFunction<KEY, IN1, IN2, OUT>, 'onTimer' | 'open' | 'close'>>;
export type TimestampAssignerLike<T> =
  | TimestampAssigner<T>
  | ((value: T, recordTimestamp: number | null) => number);
