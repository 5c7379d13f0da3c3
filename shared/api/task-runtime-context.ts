/**
 * What every RuntimeContext knows of its task, whoever runs the function (a worker, or the host
 * for source and sink functions): which parallel instance it is, of how many, in which attempt,
 * and the job's parameters. The keyed state getters are each runner's own.
 */
import type { RuntimeContext } from './contexts.ts';

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
  implements Pick<RuntimeContext, 'getTaskName' | 'getNumberOfParallelSubtasks' | 'getMaxNumberOfParallelSubtasks' | 'getIndexOfThisSubtask' | 'getAttemptNumber' | 'getJobParameter'>
{
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
}
