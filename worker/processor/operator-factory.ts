/**
 * The operator a transform of a RegisterRequest becomes, by its kind: what the bundle processor
 * chains. Stateful kinds take the head's keyed state (only the head of a keyed processor has
 * one); the kinds keyed timers fire on are handed to the processor as its timer target.
 */
import { CountWindowAssigner } from '../../shared/api/windows.ts';
import { isBroadcastKind, type BroadcastKind } from '../../shared/protocol/co-functions.ts';
import type { TransformProto } from '../../shared/protocol/messages.ts';
import type { WindowSpec } from '../../shared/protocol/window-spec.ts';
import type { OperatorStateAccess, WorkerKeyedState } from '../state/worker-keyed-state.ts';
import { ProcessContextImpl, type Clock } from './contexts.ts';
import type { ElementScope } from './element-scope.ts';
import type { FunctionIdentity } from './failure.ts';
import type { OutputBuffer, SideOutputs } from './output-buffer.ts';
import type { ChainOperator, OperatorSetup } from './operators/base.ts';
import { BroadcastProcessOperator } from './operators/broadcast-process.ts';
import { CoFlatMapOperator, CoMapOperator, CoProcessOperator } from './operators/co-operators.ts';
import { AggregationOperator, ReduceOperator, type AggregationKind, type RunningValueOperator } from './operators/keyed-aggregation.ts';
import { PartitionCustomOperator } from './operators/partition-custom.ts';
import { ProcessOperator } from './operators/process.ts';
import { FilterOperator, FlatMapOperator, KeyByOperator, MapOperator, TimestampsOperator } from './operators/stateless.ts';
import { WindowOperator } from './operators/window.ts';
import { CountWindowOperator } from './operators/window-count.ts';
import type { TimerFiring } from './timer-firing.ts';

/**
 * An operator keyed timers fire on: a keyed process (or co-process, or broadcast process)
 * function, a window, or in BATCH mode a rolling aggregation.
 */
export type TimerTarget = ProcessOperator | WindowOperator | CountWindowOperator | RunningValueOperator;

/** What the processor lends every operator it builds. */
export interface OperatorEnvironment {
  readonly scope: ElementScope;
  readonly firing: TimerFiring;
  /** The processor's main output: a key_by or partition_custom, which must end the chain, writes its keys there. */
  readonly mainOutput: OutputBuffer;
  readonly state: WorkerKeyedState;
  /** Told the operator keyed timers fire on (there is at most one: the head). */
  setTimerTarget(target: TimerTarget): void;
  /** How a partition_custom's key selector is named in errors. */
  keySelectorIdentity(of: FunctionIdentity, t: TransformProto, keySelector: unknown): FunctionIdentity;
  /** The job runs in BATCH mode: rolling aggregations emit each key's final value only. */
  readonly batch: boolean;
}

/** One transform and what its operator is built from. */
export interface OperatorSpec {
  readonly kind: string;
  readonly t: TransformProto;
  readonly setup: OperatorSetup;
  /** The loaded function (null for built-ins); for a partition_custom its partitioner. */
  readonly fn: unknown;
  /** A partition_custom's key selector. */
  readonly keySelector: unknown;
  /** The head's keyed state, when its input is keyed; null otherwise. */
  readonly state: OperatorStateAccess | null;
  readonly sideOutputs: SideOutputs;
  readonly isLast: boolean;
  /** The watermark the operator sees (the head's, or that of the functions chained after it). */
  readonly clock: Clock;
}

export function operatorFor(spec: OperatorSpec, env: OperatorEnvironment): ChainOperator {
  const { kind, t, setup, fn, state, sideOutputs, isLast, clock } = spec;
  const needState = (): OperatorStateAccess => {
    if (state === null) throw new Error(`a ${kind} operator must be the first of a keyed processor`);
    return state;
  };
  if (isBroadcastKind(kind)) return broadcastProcess(kind, spec, env);
  switch (kind) {
    case 'map':
      return new MapOperator(setup, fn);
    case 'filter':
      return new FilterOperator(setup, fn);
    case 'flat_map':
      return new FlatMapOperator(setup, fn);
    case 'timestamps':
      return new TimestampsOperator(setup, fn);
    case 'key_by':
      if (!isLast) throw new Error('a key_by transform must end its processor');
      return new KeyByOperator(setup, fn, env.mainOutput);
    case 'partition_custom': {
      if (!isLast) throw new Error('a partition_custom transform must end its processor');
      const numPartitions = t.numPartitions ?? 0;
      if (numPartitions < 1) throw new Error('a partition_custom transform needs num_partitions');
      const keySelector = spec.keySelector;
      return new PartitionCustomOperator(setup, fn, keySelector, env.keySelectorIdentity(setup.who, t, keySelector), numPartitions, env.mainOutput);
    }
    case 'co_map':
      return new CoMapOperator(setup, fn);
    case 'co_flat_map':
      return new CoFlatMapOperator(setup, fn);
    case 'process':
    case 'keyed_process':
    case 'co_process':
    case 'keyed_co_process': {
      const keyed = kind === 'keyed_process' || kind === 'keyed_co_process';
      const ctx = new ProcessContextImpl(env.scope, sideOutputs, clock, state, keyed ? env.firing : null);
      const op = kind === 'process' || kind === 'keyed_process' ? new ProcessOperator(setup, fn, ctx) : new CoProcessOperator(setup, fn, ctx, kind);
      if (keyed) {
        needState();
        env.setTimerTarget(op);
      }
      return op;
    }
    case 'window': {
      const windowSpec = fn as WindowSpec;
      const ctx = new ProcessContextImpl(env.scope, sideOutputs, clock, state, env.firing);
      const op =
        windowSpec.assigner instanceof CountWindowAssigner
          ? new CountWindowOperator(setup, windowSpec, needState(), ctx, clock)
          : new WindowOperator(setup, windowSpec, needState(), ctx, clock);
      env.setTimerTarget(op);
      return op;
    }
    case 'project': {
      const { project } = JSON.parse(Buffer.from(t.function?.payload ?? new Uint8Array()).toString('utf8')) as { project: number[] };
      return new MapOperator(setup, (tuple: unknown[]) => project.map((i) => tuple[i]));
    }
    case 'reduce':
      return rolling(new ReduceOperator(setup, fn, needState(), env.batch), env);
    case 'aggregate': {
      const builtin = JSON.parse(Buffer.from(t.function?.payload ?? new Uint8Array()).toString('utf8')) as {
        aggregation: AggregationKind;
        field: string | number | null;
        int64?: boolean;
      };
      return rolling(new AggregationOperator(setup, needState(), env.batch, builtin.aggregation, builtin.field, builtin.int64 === true), env);
    }
    default:
      throw new Error(`unknown transform kind '${kind}'`);
  }
}

/** A rolling aggregation; in BATCH mode the timers of its keys fire on it. */
function rolling(op: RunningValueOperator, env: OperatorEnvironment): RunningValueOperator {
  if (env.batch) env.setTimerTarget(op);
  return op;
}

/**
 * A broadcast process function: its broadcast states are the transform's (their writes go
 * through the state wire whether the input is keyed or not, so finishBundle waits for them).
 */
function broadcastProcess(kind: BroadcastKind, spec: OperatorSpec, env: OperatorEnvironment): ChainOperator {
  const { t, setup, fn, state, sideOutputs, clock } = spec;
  const keyed = kind === 'keyed_broadcast_process';
  if (keyed && state === null) throw new Error(`a ${kind} operator must be the first of a keyed processor`);
  const ctx = new ProcessContextImpl(env.scope, sideOutputs, clock, state, keyed ? env.firing : null);
  const states = env.state.broadcastStates(t.id ?? '', t.broadcastStates ?? []);
  const op = new BroadcastProcessOperator(setup, fn, ctx, kind, states, env.scope);
  if (keyed) env.setTimerTarget(op);
  return op;
}
