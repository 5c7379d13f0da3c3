/**
 * What a worker reports of its functions' user metrics: every metric of every transform of a
 * processor, with its value when the report is made (proto MetricUpdate). Sent with each
 * bundle's answer and with finish's (harness.ts), as Beam's SDK harness sends monitoring infos
 * with its ProcessBundleResponse; embedded mode hands the same reports to the host directly
 * (embedded.ts).
 */
import type { OperatorMetricGroup } from '../shared/api/metric-group.ts';
import type { sluice } from '../shared/generated/protocol.js';
import type { BundleProcessor } from './processor/bundle-processor.ts';

export type MetricUpdate = sluice.fn.v1.IMetricUpdate;

/** The reports of one processor's functions. */
export class MetricReports {
  /** Each transform's root group, in chain order (a processor's chain is fixed once it is created). */
  private readonly groups: readonly [string, OperatorMetricGroup][];
  /** Gauges whose reading failed, by transform and identifier: each is warned about once. */
  private readonly warned = new Set<string>();

  constructor(processor: BundleProcessor) {
    this.groups = metricGroupsOf(processor);
  }

  /** Every registered metric of the processor's transforms, in chain order, with its value now. */
  take(): MetricUpdate[] {
    const updates: MetricUpdate[] = [];
    for (const [transformId, group] of this.groups) {
      if (group.empty) continue;
      for (const sample of group.sample((identifier, problem) => this.gaugeProblem(transformId, identifier, problem))) {
        updates.push({ transformId, ...sample });
      }
    }
    return updates;
  }

  private gaugeProblem(transformId: string, identifier: string, problem: string): void {
    const key = `${transformId}/${identifier}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    // In a worker, console reaches the host's log (log-forwarding.ts).
    console.warn(`gauge '${identifier}' is left out of the metrics reported: ${problem}`);
  }
}

/**
 * The root metric group of each transform's runtime context, by transform id, in chain order.
 *
 * Until BundleProcessor gives them out itself (a `metricGroups()` method beside `metrics()`),
 * they are read from its stages, whose context and transform id are private to it: element
 * access, which TypeScript checks as it would the method.
 */
function metricGroupsOf(processor: BundleProcessor): [string, OperatorMetricGroup][] {
  return processor['stages'].map((stage) => [stage.transformId, stage.context.metricGroup]);
}
