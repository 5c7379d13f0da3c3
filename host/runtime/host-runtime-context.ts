/**
 * The RuntimeContext that the open() of a function the host runs (a SourceFunction, a
 * SinkFunction) receives: which parallel instance it is, of how many, in which attempt, the
 * job's parameters and a metric group, as a worker's functions get them
 * (worker/processor/runtime-context.ts). Its metrics are read where they are, when they are asked
 * for (host/metrics/attempt-metrics.ts), not reported. No keyed state: neither reads a keyed stream.
 */
import type { RuntimeContext } from '../../shared/api/contexts.ts';
import { TaskRuntimeContext } from '../../shared/api/task-runtime-context.ts';

export class HostRuntimeContext extends TaskRuntimeContext implements RuntimeContext {
  getState(): never {
    return noKeyedState(this.task.taskName);
  }
  getListState(): never {
    return noKeyedState(this.task.taskName);
  }
  getMapState(): never {
    return noKeyedState(this.task.taskName);
  }
  getReducingState(): never {
    return noKeyedState(this.task.taskName);
  }
  getAggregatingState(): never {
    return noKeyedState(this.task.taskName);
  }
}

function noKeyedState(taskName: string): never {
  throw new Error(
    `'${taskName}' has no keyed state: keyed state can only be used on a 'keyed stream', i.e., after a 'keyBy()' operation, ` +
      'by the functions run in workers (a source or a sink function is not one of them).',
  );
}
