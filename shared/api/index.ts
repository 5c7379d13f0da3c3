/**
 * The user-facing API both sides share: what user functions are written against. Every name
 * exported here is bound when a function shipped as source is rebuilt in the worker, so a
 * function may use these names freely (see host/shipping).
 */
export { Types, TypeInformation } from './types.ts';
export type { TypeDescriptor } from './types.ts';
export {
  RichFunction,
  MapFunction,
  FlatMapFunction,
  FilterFunction,
  ReduceFunction,
  KeySelector,
  ProcessFunction,
  KeyedProcessFunction,
  CoMapFunction,
  CoFlatMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  AggregateFunction,
  TimestampAssigner,
  Partitioner,
} from './functions.ts';
export { TimeDomain } from './contexts.ts';
export type { Counter, Distribution, Gauge, Meter, MetricGroup } from './metrics.ts';
export {
  TimeWindow,
  WindowAssigner,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  EventTimeSessionWindows,
  ProcessingTimeSessionWindows,
  CountWindow,
  CountWindowAssigner,
  CountTumblingWindowAssigner,
  CountSlidingWindowAssigner,
  GlobalWindow,
  GlobalWindows,
} from './windows.ts';
export {
  Trigger,
  TriggerResult,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  CountTrigger,
  PurgingTrigger,
  NeverTrigger,
} from './triggers.ts';
export { ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger } from './continuous-triggers.ts';
export type { TriggerContext, OnMergeContext } from './triggers.ts';
export { Evictor, CountEvictor, TimeEvictor, DeltaEvictor, TimestampedValue } from './evictors.ts';
export type { EvictorContext, TimestampedValues, RemovingIterator, DeltaFunction } from './evictors.ts';
export { ProcessWindowFunction, WindowFunction, ProcessAllWindowFunction, AllWindowFunction } from './window-functions.ts';
export type { ProcessWindowContext } from './window-functions.ts';
export { OutputTag } from './output-tag.ts';
export { Time } from './time.ts';
export { StateTtlConfig, UpdateType, StateVisibility } from './ttl.ts';
export {
  StateDescriptor,
  ValueStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregatingStateDescriptor,
} from './state-descriptors.ts';
