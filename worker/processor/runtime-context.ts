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
import type { OperatorStateAccess } from '../state/worker-keyed-state.ts';

export class RuntimeContextImpl extends TaskRuntimeContext implements RuntimeContext {
  constructor(
    task: TaskInfo,
    /** Null when the operator is not on a keyed stream. */
    private readonly state: OperatorStateAccess | null,
  ) {
    super(task);
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.keyed().getState(descriptor);
  }
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.keyed().getListState(descriptor);
  }
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.keyed().getMapState(descriptor);
  }
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.keyed().getReducingState(descriptor);
  }
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.keyed().getAggregatingState(descriptor);
  }

  private keyed(): OperatorStateAccess {
    if (this.state === null) {
      throw new Error("Keyed state can only be used on a 'keyed stream', i.e., after a 'keyBy()' operation.");
    }
    return this.state;
  }
}
