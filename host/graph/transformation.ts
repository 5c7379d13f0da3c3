/**
 * The logical job graph the DataStream API builds, lazily: nothing runs until execute().
 * Each transformation is one API call (a source, a user function, a union, a side output, a
 * sink). The planner (plan.ts) turns this graph into stages: chains of user functions that run
 * together in a worker, and the host-side sources and sinks around them.
 */
import type { CoKind } from '../../shared/protocol/co-functions.ts';
import type { OutputTag } from '../../shared/api/output-tag.ts';
import type { MapStateDescriptor } from '../../shared/api/state-descriptors.ts';
import type { TypeInformation } from '../../shared/api/types.ts';
import type { SinkSpec } from '../api/sinks.ts';
import type { SourceSpec } from '../api/sources.ts';
import type { WatermarkStrategy } from '../api/watermark-strategy.ts';
import { isRollingAggregation } from '../../shared/protocol/rolling-aggregations.ts';

/** What a user function transformation does; also the Transform.kind sent to the worker. */
export type UdfKind =
  | 'map'
  | 'flat_map'
  | 'filter'
  | 'key_by'
  | 'reduce'
  | 'process'
  | 'keyed_process'
  | 'window'
  | 'aggregate'
  | 'timestamps'
  | 'partition_custom'
  /** project(...fieldIndexes): a built-in map that keeps some fields of each tuple. */
  | 'project'
  /** The heads of a two-input stage (DataStream.connect): their transformation has `input2`. */
  | CoKind;

export type FailurePolicyName = 'fail' | 'restart' | 'skip';

/**
 * How an operator chains (Flink's chaining strategies): 'always' joins its input's chain where
 * the planner allows it; 'head' starts a new chain that later operators may join
 * (startNewChain()); 'never' chains with neither side (disableChaining()).
 */
export type ChainingStrategy = 'always' | 'head' | 'never';

/** A partitioning the user chose between two operators (DataStream.rebalance() and its kin). */
export type ExplicitPartitioning = 'forward' | 'rebalance' | 'rescale' | 'shuffle' | 'broadcast';

interface Common {
  readonly id: number;
  name: string;
  uid: string | null;
  /** Set by setParallelism; null means the environment's default. */
  parallelism: number | null;
  /** Set by setDescription: shown in getExecutionPlan() beside the name. */
  description: string | null;
  /** Set by forceNonParallel: the parallelism stays 1. */
  nonParallel: boolean;
  /** The type of the values this transformation produces; GENERIC when not declared. */
  readonly outputType: TypeInformation<unknown> | null;
}

export interface SourceTransformation extends Common {
  readonly kind: 'source';
  readonly source: SourceSpec;
  /** For a SourceFunction (addSource): set by setFailurePolicy ('fail' or 'restart'). */
  failurePolicy: FailurePolicyName | null;
}

export interface UdfTransformation extends Common {
  readonly kind: 'udf';
  readonly udf: UdfKind;
  readonly input: Transformation;
  /**
   * A two-input transformation's second input (the stream given to connect()); null for every
   * other. Its records reach the function's second method (map2, flatMap2, processElement2).
   */
  readonly input2: Transformation | null;
  /**
   * broadcast_process, keyed_broadcast_process: the broadcast states `input2` was broadcast
   * with (DataStream.broadcast(descriptors)), in the order given; empty for every other kind.
   */
  readonly broadcastStates: readonly MapStateDescriptor<unknown, unknown>[];
  /** The user function (null for built-in aggregations); for 'partition_custom' the partitioner. */
  readonly fn: unknown;
  /** For 'partition_custom': the key selector whose keys the partitioner is given. */
  readonly keySelector: unknown;
  /** For 'aggregate': which aggregation and on which field. */
  /** `int64`: the field is declared LONG, and its sum stays exact past 2^53 (as a bigint). */
  readonly builtin: { aggregation: 'sum' | 'min' | 'max' | 'min_by' | 'max_by'; field: string | number | null; int64?: boolean } | null;
  /** For 'project': the indexes of the tuple fields kept, in the order given. */
  readonly projection: readonly number[] | null;
  /**
   * True when this transformation reads a keyed stream (its input is a key_by); for a
   * two-input one, when both inputs are keyed (keyed connected streams: the two share the
   * key's state and timers); for a broadcast kind, when the first input is (its second, the
   * broadcast stream, never is).
   */
  readonly keyedInput: boolean;
  /** Side outputs some stream asked for with getSideOutput, by tag name. */
  readonly sideOutputs: Map<string, OutputTag<unknown>>;
  failurePolicy: FailurePolicyName | null;
  /** For 'timestamps': how watermarks are generated from the assigned timestamps. */
  readonly watermarkStrategy: WatermarkStrategy<unknown> | null;
  chaining: ChainingStrategy;
}

/** The same records as its input, sent to the next operator by the partitioning given. */
export interface PartitionTransformation extends Common {
  readonly kind: 'partition';
  readonly input: Transformation;
  readonly partitioning: ExplicitPartitioning;
}

export interface UnionTransformation extends Common {
  readonly kind: 'union';
  readonly inputs: Transformation[];
}

export interface SideOutputTransformation extends Common {
  readonly kind: 'side_output';
  readonly input: UdfTransformation;
  readonly tag: OutputTag<unknown>;
}

export interface SinkTransformation extends Common {
  readonly kind: 'sink';
  readonly input: Transformation;
  readonly sink: SinkSpec;
  /** For a SinkFunction (addSink): set by setFailurePolicy ('fail' or 'restart'). */
  failurePolicy: FailurePolicyName | null;
}

export type Transformation =
  | SourceTransformation
  | UdfTransformation
  | UnionTransformation
  | PartitionTransformation
  | SideOutputTransformation
  | SinkTransformation;

/** The inputs of a transformation, for walking the graph. */
export function inputsOf(t: Transformation): Transformation[] {
  switch (t.kind) {
    case 'source':
      return [];
    case 'union':
      return t.inputs;
    case 'udf':
      return t.input2 === null ? [t.input] : [t.input, t.input2];
    default:
      return [t.input];
  }
}

/**
 * A job's transformations: those defined since the last execute() and every one they read from,
 * in the order they were defined. As in Flink, a stream defined before an execute() can feed a
 * later job: that job runs its upstream again, from its sources.
 */
export function withUpstream(transformations: readonly Transformation[]): Transformation[] {
  const all = new Set<Transformation>();
  const visit = (t: Transformation): void => {
    if (all.has(t)) return;
    all.add(t);
    for (const input of inputsOf(t)) visit(input);
  };
  for (const t of transformations) visit(t);
  return [...all].sort((a, b) => a.id - b.id);
}

/**
 * Whether values of this transformation's output carry event-time timestamps. In BATCH
 * execution a rolling aggregation's do: its final values go out at the end of time.
 */
export function isTimestamped(t: Transformation, batch = false): boolean {
  const upstream = (input: Transformation): boolean => isTimestamped(input, batch);
  switch (t.kind) {
    case 'source':
      return t.source.timestamped;
    case 'udf':
      // A window's results carry its maxTimestamp(), processing-time and count windows' too (as in Flink).
      return (
        t.udf === 'timestamps' ||
        t.udf === 'window' ||
        (batch && isRollingAggregation(t.udf)) ||
        upstream(t.input) ||
        (t.input2 !== null && upstream(t.input2))
      );
    case 'union':
      return t.inputs.some(upstream);
    case 'partition':
    case 'side_output':
    case 'sink':
      return upstream(t.input);
  }
}
