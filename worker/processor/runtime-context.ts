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
import type { OperatorStateAccess } from '../state/worker-keyed-state.ts';

export interface TaskInfo {
  taskName: string;
  parallelism: number;
  maxParallelism: number;
  subtaskIndex: number;
  attempt: number;
  config: Record<string, string>;
}

export class RuntimeContextImpl implements RuntimeContext {
  constructor(
    private readonly task: TaskInfo,
    /** Null when the operator is not on a keyed stream. */
    private readonly state: OperatorStateAccess | null,
  ) {}

  getTaskName(): string {
    return this.task.taskName;
  }
  getNumberOfParallelSubtasks(): number {
    return this.task.parallelism;
  }
  getMaxNumberOfParallelSubtasks(): number {
    return this.task.maxParallelism;
  }
  getIndexOfThisSubtask(): number {
    return this.task.subtaskIndex;
  }
  getAttemptNumber(): number {
    return this.task.attempt;
  }
  getJobParameter(key: string, defaultValue: string): string {
    return this.task.config[key] ?? defaultValue;
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
