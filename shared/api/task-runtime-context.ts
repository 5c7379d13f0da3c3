/**
 * What every RuntimeContext knows of its task, whoever runs the function (a worker, or the host
 * for source and sink functions): which parallel instance it is, of how many, in which attempt,
 * the job's parameters, and its metrics. The keyed state getters are each runner's own.
 */
import type { RuntimeContext } from './contexts.ts';
import { OperatorMetricGroup } from './metric-group.ts';
import type { MetricGroup } from './metrics.ts';

export interface TaskInfo {
  taskName: string;
  parallelism: number;
  maxParallelism: number;
  subtaskIndex: number;
  attempt: number;
  /** The job's configuration entries set explicitly, as strings (what a worker receives). */
  config: Readonly<Record<string, string>>;
}

export abstract class TaskRuntimeContext
  implements
    Pick<
      RuntimeContext,
      | 'getTaskName'
      | 'getNumberOfParallelSubtasks'
      | 'getMaxNumberOfParallelSubtasks'
      | 'getIndexOfThisSubtask'
      | 'getAttemptNumber'
      | 'getJobParameter'
      | 'getMetricsGroup'
    >
{
  /**
   * The metrics the functions given this context register: whoever runs them samples it to
   * report them (worker/metric-reports.ts; the host's own for sources and sinks).
   */
  readonly metricGroup = new OperatorMetricGroup();

  constructor(protected readonly task: TaskInfo) {}

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
  getMetricsGroup(): MetricGroup {
    return this.metricGroup;
  }
}
