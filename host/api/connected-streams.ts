/**
 * ConnectedStreams: two streams, possibly of different types, processed by one operator with a
 * method for each (DataStream.connect(other), PyFlink's ConnectedStreams in camelCase). The
 * operator runs in a worker like any other: each parallel instance gets the records of both
 * inputs, in whatever order they arrive, and its watermark is the smaller of theirs.
 *
 * Connected KeyedStreams (or keyBy(key1, key2) here) are keyed: a record of either input goes
 * to the instance that owns its key, and both methods see that key's state and timers, which is
 * how two streams are joined by key (a KeyedCoProcessFunction keeping one side in state until
 * the other arrives). A KeyedStream connected with a stream that is not keeps its partitioning
 * by key, but its operator has no keyed state, as in Flink.
 */
import {
  KeyedCoProcessFunction,
  type CoFlatMapLike,
  type CoMapLike,
  type CoProcessLike,
  type KeyedCoProcessLike,
  type KeySelectorLike,
} from '../../shared/api/functions.ts';
import { TypeInformation } from '../../shared/api/types.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import { CO_FUNCTIONS, isBroadcastKind, type CoKind } from '../../shared/protocol/co-functions.ts';
import type { UdfKind } from '../graph/transformation.ts';
import type { DataStream } from './data-stream.ts';
import { checkFunction } from './function-checks.ts';

/** Adds the two-input transform (DataStream hands this in: only it may add a transform on its inputs). */
export type AddTwoInputTransform = <R>(kind: UdfKind, name: string, fn: unknown, outputType: TypeInformation<R> | undefined) => DataStream<R>;

/**
 * What process() takes: on keyed connected streams (KEY their key type) a KeyedCoProcessFunction
 * (a CoProcessFunction fits it too), otherwise (KEY `never`) a CoProcessFunction. One type, not
 * a union, so that a plain object's methods get their parameters' types from it.
 */
export type CoProcessArg<KEY, IN1, IN2, R> = [KEY] extends [never] ? CoProcessLike<IN1, IN2, R> : KeyedCoProcessLike<KEY, IN1, IN2, R>;

/** `KEY`: the key type of keyed connected streams; `never` when they are not keyed. */
export class ConnectedStreams<IN1, IN2, KEY = never> {
  constructor(
    readonly stream1: DataStream<IN1>,
    readonly stream2: DataStream<IN2>,
    /** True when both are KeyedStreams: the operator is keyed. */
    readonly keyed: boolean,
    private readonly add: AddTwoInputTransform,
  ) {}

  /**
   * Partitions both streams by key, each with its own key selector; records of the two with
   * equal keys meet in the same instance, under the same state. PyFlink's key_by(key_selector1,
   * key_selector2).
   */
  keyBy<K>(keySelector1: KeySelectorLike<IN1, K>, keySelector2: KeySelectorLike<IN2, K>): ConnectedStreams<IN1, IN2, K> {
    return this.stream1.keyBy(keySelector1).connect(this.stream2.keyBy(keySelector2));
  }

  /** map1 for the first stream's records, map2 for the second's; one output stream. */
  map<R>(fn: CoMapLike<IN1, IN2, R>, outputType?: TypeInformation<R>): DataStream<R> {
    return this.transform('co_map', 'Co-Map', fn, outputType);
  }

  /** flatMap1 and flatMap2 emit any number of records each, through `out` or as an iterable. */
  flatMap<R>(fn: CoFlatMapLike<IN1, IN2, R>, outputType?: TypeInformation<R>): DataStream<R> {
    return this.transform('co_flat_map', 'Co-Flat Map', fn, outputType);
  }

  /**
   * processElement1 and processElement2 with a context: the record's timestamp, side outputs,
   * and on keyed connected streams the current key, timers (onTimer) and keyed state.
   */
  process<R>(fn: CoProcessArg<KEY, IN1, IN2, R>, outputType?: TypeInformation<R>): DataStream<R> {
    if (this.keyed) return this.transform('keyed_co_process', 'Keyed Co-Process', fn, outputType);
    if (fn instanceof KeyedCoProcessFunction) {
      throw new JobDefinitionError(
        'process(): a KeyedCoProcessFunction needs keyed connected streams: connect two KeyedStreams, or call keyBy(keySelector1, keySelector2) first',
      );
    }
    return this.transform('co_process', 'Co-Process', fn, outputType);
  }

  private transform<R>(kind: CoKind, name: string, fn: unknown, outputType: TypeInformation<R> | undefined): DataStream<R> {
    return addCoTransform(this.add, kind, name, fn, outputType);
  }
}

/**
 * Checks a two-input function and its output type, then adds its transform: what
 * ConnectedStreams and BroadcastConnectedStream share, so both say the same things of a wrong
 * argument.
 */
export function addCoTransform<R>(add: AddTwoInputTransform, kind: CoKind, name: string, fn: unknown, outputType: TypeInformation<R> | undefined): DataStream<R> {
  checkCoFunction(fn, kind);
  if (outputType !== undefined && !(outputType instanceof TypeInformation)) {
    throw new JobDefinitionError(`${name}: the output type must be a Types.X() value`);
  }
  return add(kind, name, fn, outputType);
}

/** What a keyed kind also takes: the function of the same methods without keyed state (a keyed operator runs it as well). */
const ALSO_TAKES: Partial<Record<CoKind, string>> = {
  keyed_co_process: CO_FUNCTIONS.co_process.className,
  keyed_broadcast_process: CO_FUNCTIONS.broadcast_process.className,
};

/**
 * A co function is an object with both methods (an instance of the class, or a plain object):
 * there is no lambda form, since two functions are needed.
 */
function checkCoFunction(fn: unknown, kind: CoKind): void {
  const { className, methods } = CO_FUNCTIONS[kind];
  const [first, second] = methods;
  const call = kind === 'co_map' ? 'map()' : kind === 'co_flat_map' ? 'flatMap()' : 'process()';
  const on = isBroadcastKind(kind) ? 'a broadcast connected stream' : 'connected streams';
  // A class rather than an instance is refused as everywhere else.
  if (typeof fn === 'function') checkFunction(fn, first, call);
  const missing = [first, second].filter((m) => typeof (fn as Record<string, unknown> | null)?.[m] !== 'function');
  if (missing.length === 0) return;
  const also = ALSO_TAKES[kind];
  // broadcast() without descriptors is the partitioning: its stream connects as any other.
  const hint =
    !isBroadcastKind(kind) && typeof (fn as Record<string, unknown> | null)?.['processBroadcastElement'] === 'function'
      ? '; a broadcast process function needs a BroadcastStream: connect stream.broadcast(descriptor, ...), given the MapStateDescriptors of its broadcast state'
      : '';
  throw new JobDefinitionError(
    `${call} on ${on} takes a ${className}${also === undefined ? '' : ` (or a ${also})`}: an object with ${first}() and ${second}() methods; got ${described(fn, missing)}${hint}`,
  );
}

function described(fn: unknown, missing: string[]): string {
  if (typeof fn === 'function') return 'a plain function';
  if (typeof fn !== 'object' || fn === null) return fn === null ? 'null' : typeof fn;
  const name = (Object.getPrototypeOf(fn) as { constructor?: { name?: string } } | null)?.constructor?.name;
  const what = name !== undefined && name !== 'Object' && name !== '' ? `a ${name}` : 'an object';
  return `${what} without ${missing.map((m) => `${m}()`).join(' or ')}`;
}
