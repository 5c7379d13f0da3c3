/** What execute() returns: PyFlink's JobExecutionResult, with per-operator record counts and user metrics. */
import type { MetricsByOperator } from '../metrics/metric-values.ts';

export interface OperatorCounts {
  /** The operator's name (as set by name(), or its default). */
  name: string;
  /** Where it ran: 'source', 'udf' (a worker), 'sink'. */
  kind: 'source' | 'udf' | 'sink';
  parallelism: number;
  recordsIn: number;
  recordsOut: number;
  /**
   * Keyed operators: State requests the host answered for it, and the operations in them (a
   * request carries many operations: the worker batches its writes and caches its reads).
   */
  stateRequests: number;
  stateOperations: number;
}

export class JobExecutionResult {
  constructor(
    readonly jobName: string,
    readonly netRuntimeMs: number,
    readonly operators: readonly OperatorCounts[],
    /** How many times the job restarted after a failure. */
    readonly restarts: number,
    /** Why each restart happened, in order. */
    readonly restartCauses: readonly string[],
    readonly completedCheckpoints: number,
    /** How long each completed checkpoint took, trigger to completion (ms), in order. */
    readonly checkpointDurationsMs: readonly number[] = [],
    private readonly metrics: MetricsByOperator = {},
  ) {}

  getJobName(): string {
    return this.jobName;
  }

  getNetRuntime(): number {
    return this.netRuntimeMs;
  }

  /**
   * The user-defined metrics (RuntimeContext.getMetricsGroup()) of every operator that has any,
   * by operator name, then by identifier ('myGroup.processed'), each over the operator's parallel
   * instances (counters summed, …: see the README, "Metrics"), as they stood when the job ended.
   * Only the last attempt's: a restart starts them from zero, as Flink's task metrics.
   */
  getMetrics(): MetricsByOperator {
    return this.metrics;
  }

  /** The counts of the operator with this name; throws if there is none or several. */
  operator(name: string): OperatorCounts {
    const found = this.operators.filter((o) => o.name === name);
    if (found.length !== 1) {
      throw new Error(
        `${found.length === 0 ? 'no' : 'more than one'} operator named '${name}' (operators: ${this.operators
          .map((o) => o.name)
          .join(', ')})`,
      );
    }
    return found[0]!;
  }
}
