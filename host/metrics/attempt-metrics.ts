/**
 * The user metrics of one attempt: what each instance of each operator last reported (a worker's
 * with each bundle's answer and finish's; embedded stages the same, handed over directly), and
 * the metric groups of host-run sources and sinks, read when asked. A restart builds a new
 * attempt, whose metrics start from zero, as a restarted Flink task's do.
 *
 * A report holds every metric of its processor with its value then, so it replaces the one
 * before it: one lost or read twice changes nothing once the next arrives.
 */
import type { OperatorMetricGroup } from '../../shared/api/metric-group.ts';
import type { Logger } from '../log.ts';
import { aggregate, type InstanceSamples, type MetricsByOperator, type OperatorMetrics, type ReportedSample } from './metric-values.ts';

/** A worker's report of one metric: the sample, and the transform whose context registered it. */
export type ReportedUpdate = ReportedSample & { transformId?: string | null };

interface OperatorSlot {
  name: string;
  parallelism: number;
  /** By subtask: what the worker (or embedded stage) reported last. */
  readonly reported: Map<number, readonly ReportedSample[]>;
  /** By subtask: a host-run function's group, sampled when the metrics are read. */
  readonly hostGroups: Map<number, OperatorMetricGroup>;
}

export class AttemptMetrics {
  /** By operator (transform id), in the order the attempt built them: the plan's. */
  private readonly operators = new Map<string, OperatorSlot>();
  /** Host gauges whose reading failed, warned about once each. */
  private readonly warned = new Set<string>();
  /** Embedded stages, which report their metrics as they stand when asked (view()). */
  private readonly samplers: (() => void)[] = [];

  constructor(private readonly log: Logger) {}

  /**
   * Where subtask `subtask` of a UDF stage reports: `transforms` are the stage's chained
   * operators, by transform id (what reports name) and name.
   */
  udfSubtask(transforms: readonly { id: string; name: string }[], parallelism: number, subtask: number): (updates: readonly ReportedUpdate[]) => void {
    const slots = transforms.map((t) => [t.id, this.slot(t.id, t.name, parallelism)] as const);
    return (updates) => {
      const byTransform = new Map<string, ReportedSample[]>();
      for (const update of updates) {
        const id = update.transformId ?? '';
        let list = byTransform.get(id);
        if (list === undefined) byTransform.set(id, (list = []));
        list.push(update);
      }
      for (const [id, slot] of slots) slot.reported.set(subtask, byTransform.get(id) ?? []);
    };
  }

  /** The metric group of a host-run source's or sink's subtask `subtask` (its runtime context's). */
  hostSubtask(id: string, name: string, parallelism: number, subtask: number, group: OperatorMetricGroup): void {
    this.slot(id, name, parallelism).hostGroups.set(subtask, group);
  }

  /** `sample` reports a stage's metrics as they stand: called whenever they are read (an embedded stage's functions are on the host's thread). */
  sampleWhenViewed(sample: () => void): void {
    this.samplers.push(sample);
  }

  /** Every operator that has metrics, by name, each metric over the operator's instances. */
  view(): MetricsByOperator {
    for (const sample of this.samplers) {
      try {
        sample();
      } catch (error) {
        this.log.warn(`user metrics could not be read: ${(error as Error).message}`);
      }
    }
    const byName = new Map<string, { parallelism: number; instances: InstanceSamples[] }>();
    for (const slot of this.operators.values()) {
      let entry = byName.get(slot.name);
      if (entry === undefined) byName.set(slot.name, (entry = { parallelism: 0, instances: [] }));
      entry.parallelism = Math.max(entry.parallelism, slot.parallelism);
      for (const [subtask, samples] of slot.reported) entry.instances.push({ subtask, samples });
      for (const [subtask, group] of slot.hostGroups) {
        const samples = group.sample((identifier, problem) => this.gaugeProblem(slot.name, identifier, problem));
        entry.instances.push({ subtask, samples });
      }
    }
    const out: Record<string, OperatorMetrics> = {};
    for (const [name, { parallelism, instances }] of byName) {
      const metrics = aggregate(
        [...instances].sort((a, b) => a.subtask - b.subtask),
        parallelism,
      );
      if (Object.keys(metrics).length > 0) out[name] = metrics;
    }
    return out;
  }

  private slot(id: string, name: string, parallelism: number): OperatorSlot {
    let slot = this.operators.get(id);
    if (slot === undefined) this.operators.set(id, (slot = { name, parallelism, reported: new Map(), hostGroups: new Map() }));
    return slot;
  }

  private gaugeProblem(operator: string, identifier: string, problem: string): void {
    const key = `${operator}/${identifier}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(`gauge '${identifier}' of '${operator}' is left out of the metrics reported: ${problem}`);
  }
}
