/**
 * What user functions see while they run in the worker. The implementations live in the
 * worker; these interfaces are what functions are written against.
 */
import type { MetricGroup } from './metrics.ts';
import type { OutputTag } from './output-tag.ts';
import type {
  AggregatingState,
  BroadcastState,
  ListState,
  MapState,
  ReadOnlyBroadcastState,
  ReducingState,
  ValueState,
} from './state.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from './state-descriptors.ts';

export interface Collector<T> {
  collect(value: T): void;
}

/**
 * Where keyed state is asked for by descriptor (Flink's KeyedStateStore): the runtime context,
 * and a ProcessWindowFunction's ctx.windowState() and ctx.globalState().
 */
export interface KeyedStateStore {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

export interface RuntimeContext extends KeyedStateStore {
  getTaskName(): string;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  getIndexOfThisSubtask(): number;
  getAttemptNumber(): number;
  /** A job parameter: any configuration entry, as a string. */
  getJobParameter(key: string, defaultValue: string): string;
  /**
   * This function instance's metrics (metrics.ts): what it registers here is reported, per
   * operator and summed over its parallel instances, in the job's result and while it runs.
   */
  getMetricsGroup(): MetricGroup;
}

export const TimeDomain = {
  EVENT_TIME: 'EVENT_TIME',
  PROCESSING_TIME: 'PROCESSING_TIME',
} as const;
export type TimeDomain = (typeof TimeDomain)[keyof typeof TimeDomain];

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(timestamp: number): void;
  registerProcessingTimeTimer(timestamp: number): void;
  deleteEventTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
}

export interface ProcessContext {
  /** The element's event-time timestamp, or null when it has none. */
  timestamp(): number | null;
  timerService(): TimerService;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface KeyedProcessContext<KEY> extends ProcessContext {
  getCurrentKey(): KEY;
  readonly currentKey: KEY;
}

export interface OnTimerContext<KEY> extends KeyedProcessContext<KEY> {
  timeDomain(): TimeDomain;
}

/**
 * The contexts of a broadcast process function (BroadcastConnectedStream.process), PyFlink's
 * in camelCase. Both sides see the element's timestamp, the time, side outputs and the broadcast
 * states (by the MapStateDescriptors the stream was broadcast with; another name is refused):
 * processElement read only, processBroadcastElement read and write. There are no timers on
 * either side of a BroadcastProcessFunction.
 */
export interface BaseBroadcastProcessContext {
  /** The element's event-time timestamp, or null when it has none. */
  timestamp(): number | null;
  currentProcessingTime(): number;
  currentWatermark(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface BroadcastProcessReadOnlyContext extends BaseBroadcastProcessContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

export interface BroadcastProcessContext extends BaseBroadcastProcessContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/**
 * processElement of a KeyedBroadcastProcessFunction: its key's state (through the runtime
 * context) and timers, and the broadcast states read only. processBroadcastElement has no
 * current key: keyed state and timers are refused there (a BroadcastProcessContext).
 */
export interface KeyedBroadcastProcessReadOnlyContext<KEY> extends BroadcastProcessReadOnlyContext {
  timerService(): TimerService;
  getCurrentKey(): KEY;
  readonly currentKey: KEY;
}

export interface KeyedBroadcastOnTimerContext<KEY> extends KeyedBroadcastProcessReadOnlyContext<KEY> {
  timeDomain(): TimeDomain;
}
