/** The RuntimeContext a function's open() receives, PyFlink's in camelCase. */
import type { RuntimeContext } from '../../shared/api/contexts.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../shared/api/state-descriptors.ts';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../../shared/api/state.ts';
import { TaskRuntimeContext, type TaskInfo } from '../../shared/api/task-runtime-context.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import type { OperatorStateAccess } from '../state/worker-keyed-state.ts';

export class RuntimeContextImpl extends TaskRuntimeContext implements RuntimeContext {
  constructor(
    task: TaskInfo,
    /** Null when the operator is not on a keyed stream. */
    private readonly state: OperatorStateAccess | null,
    /** A window operator's: its own states are named `__…`, which the function's are refused. */
    private readonly ofWindow = false,
  ) {
    super(task);
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.keyed(descriptor).getState(descriptor);
  }
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.keyed(descriptor).getListState(descriptor);
  }
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.keyed(descriptor).getMapState(descriptor);
  }
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.keyed(descriptor).getReducingState(descriptor);
  }
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.keyed(descriptor).getAggregatingState(descriptor);
  }

  private keyed(descriptor: { name?: unknown } | null | undefined): OperatorStateAccess {
    if (this.state === null) {
      throw new Error("Keyed state can only be used on a 'keyed stream', i.e., after a 'keyBy()' operation.");
    }
    const name = descriptor?.name;
    if (this.ofWindow && typeof name === 'string' && name.startsWith('__')) {
      throw new JobDefinitionError(
        `state '${name}' of a window function's runtime context: names beginning with '__' are the window operator's own ` +
          "(its windows' contents, sessions and counts); give the state another name",
      );
    }
    return this.state;
  }
}
