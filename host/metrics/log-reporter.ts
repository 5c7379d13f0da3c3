/**
 * The log reporter (metrics.reporter.log.interval), as Flink's Slf4jReporter: every interval, one
 * INFO line per operator that has user metrics, with each metric's value over the operator's
 * instances, as the running attempt last heard them (metric-values.ts says how they add up).
 *
 *   metrics of 'Counting' in job 'orders': myGroup.processed=1000, myGroup.sizes={count=1000, min=1, …}
 */
import type { Logger } from '../log.ts';
import { formatMetricValue, type MetricsByOperator } from './metric-values.ts';

export class LogReporter {
  private readonly timer: NodeJS.Timeout;

  /** Starts reporting every `intervalMs` what `read` gives (nothing while it gives nothing). */
  constructor(
    private readonly jobName: string,
    intervalMs: number,
    private readonly read: () => MetricsByOperator,
    private readonly log: Logger,
  ) {
    this.timer = setInterval(() => this.report(), intervalMs);
    // A job holds the process open by itself; a reporter never does.
    this.timer.unref();
  }

  report(): void {
    let metrics: MetricsByOperator;
    try {
      metrics = this.read();
    } catch (error) {
      // A report missed is not worth a job: the next one may do.
      this.log.warn(`the metrics of job '${this.jobName}' could not be read for the log reporter: ${(error as Error).message}`);
      return;
    }
    for (const [operator, values] of Object.entries(metrics)) {
      const parts = Object.entries(values).map(([identifier, value]) => `${identifier}=${formatMetricValue(value)}`);
      this.log.info(`metrics of '${operator}' in job '${this.jobName}': ${parts.join(', ')}`);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
