/**
 * Flink's broadcast state pattern (PyFlink's BroadcastStream and BroadcastConnectedStream, in
 * camelCase). stream.broadcast(descriptors) makes a BroadcastStream: its records go to every
 * parallel instance of the operator it is connected to, which keeps what it learns from them in
 * the broadcast states the descriptors name (a map each, per instance, checkpointed by the host).
 * other.connect(broadcastStream) then takes a BroadcastProcessFunction, or on a KeyedStream a
 * KeyedBroadcastProcessFunction: processElement reads the broadcast states (with the key's state
 * and timers when keyed), processBroadcastElement changes them.
 *
 * A BroadcastStream is no DataStream: as in Flink, connecting it is all it is for, so it has no
 * map() and no sink. Its records are never keyed, even when the first stream is.
 */
import {
  KeyedBroadcastProcessFunction,
  type BroadcastProcessLike,
  type KeyedBroadcastProcessLike,
} from '../../shared/api/functions.ts';
import { MapStateDescriptor } from '../../shared/api/state-descriptors.ts';
import type { TypeInformation } from '../../shared/api/types.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import type { PartitionTransformation } from '../graph/transformation.ts';
import { addCoTransform, type AddTwoInputTransform } from './connected-streams.ts';
import type { DataStream } from './data-stream.ts';
import type { StreamExecutionEnvironment } from './environment.ts';

/** A stream every record of which goes to every instance of the operator it is connected to. */
export class BroadcastStream<T> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    /** The 'broadcast' partitioning of the stream broadcast(descriptors) was called on. */
    readonly transformation: PartitionTransformation,
    /** The broadcast states, in the order given (their names differ). */
    readonly broadcastStateDescriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {}

  /** The declared type of the values, or GENERIC. */
  getType(): TypeInformation<T> | null {
    return this.transformation.outputType as TypeInformation<T> | null;
  }

  getBroadcastStateDescriptors(): readonly MapStateDescriptor<unknown, unknown>[] {
    return this.broadcastStateDescriptors;
  }

  getExecutionEnvironment(): StreamExecutionEnvironment {
    return this.env;
  }
}

/**
 * What process() takes: on a KeyedStream (KEY its key type) a KeyedBroadcastProcessFunction (a
 * BroadcastProcessFunction fits it too), otherwise (KEY `never`) a BroadcastProcessFunction. One
 * type, not a union, so that a plain object's methods get their parameters' types from it.
 */
export type BroadcastProcessArg<KEY, IN1, IN2, R> = [KEY] extends [never]
  ? BroadcastProcessLike<IN1, IN2, R>
  : KeyedBroadcastProcessLike<KEY, IN1, IN2, R>;

/**
 * A stream connected with a BroadcastStream (DataStream.connect(broadcastStream)). `KEY`: the
 * first stream's key type when it is a KeyedStream; `never` when it is not.
 */
export class BroadcastConnectedStream<IN1, IN2, KEY = never> {
  constructor(
    readonly stream1: DataStream<IN1>,
    readonly broadcastStream: BroadcastStream<IN2>,
    /** True when the first stream is a KeyedStream: processElement has its key's state and timers. */
    readonly keyed: boolean,
    private readonly add: AddTwoInputTransform,
  ) {}

  /**
   * processElement for the first stream's records (the broadcast states read only), and
   * processBroadcastElement for the broadcast stream's, which every instance gets and which may
   * change them. Every instance keeps its own copy of the states: a function should change them
   * the same way in every instance, from the broadcast elements alone.
   */
  process<R>(fn: BroadcastProcessArg<KEY, IN1, IN2, R>, outputType?: TypeInformation<R>): DataStream<R> {
    if (this.keyed) return addCoTransform(this.add, 'keyed_broadcast_process', 'Co-Process-Broadcast-Keyed', fn, outputType);
    if (fn instanceof KeyedBroadcastProcessFunction) {
      throw new JobDefinitionError(
        'process(): a KeyedBroadcastProcessFunction needs a keyed stream: key the first stream with keyBy() before connect(broadcastStream), or give a BroadcastProcessFunction',
      );
    }
    return addCoTransform(this.add, 'broadcast_process', 'Co-Process-Broadcast', fn, outputType);
  }
}

/**
 * The descriptors given to broadcast(...): MapStateDescriptors only (broadcast state is a map,
 * as in Flink), each named once, since the name is the state's.
 */
export function checkBroadcastStateDescriptors(descriptors: readonly unknown[]): MapStateDescriptor<unknown, unknown>[] {
  const names = new Set<string>();
  return descriptors.map((d, i) => {
    if (!(d instanceof MapStateDescriptor)) {
      throw new JobDefinitionError(`broadcast() takes MapStateDescriptors, one per broadcast state; argument ${i + 1} is ${describedValue(d)}`);
    }
    const name = d.name;
    if (names.has(name)) {
      throw new JobDefinitionError(`broadcast(): two broadcast states are named '${name}'; give each MapStateDescriptor a name of its own`);
    }
    if (d.ttlConfig !== null) {
      throw new JobDefinitionError(
        `broadcast(): broadcast state '${name}' has a time-to-live; broadcast state has none (state TTL is for keyed state, as in Flink): remove enableTimeToLive() from its descriptor`,
      );
    }
    names.add(name);
    return d as MapStateDescriptor<unknown, unknown>;
  });
}

function describedValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v !== 'object') return `a ${typeof v}`;
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name !== undefined && name !== 'Object' && name !== '' ? `a ${name}` : 'an object';
}
