/**
 * The MetricGroup a RuntimeContext gives (metrics.ts), and what its metrics are worth when they
 * are reported. One OperatorMetricGroup per function instance's context: a worker's transform in
 * one subtask, or a host-run source or sink subtask. Its metrics are identified by their groups
 * and name joined by '.', as Flink's metric identifiers are below the operator's scope.
 *
 * Asked again for a name it holds, a group returns the metric registered first (Flink logs a
 * warning and returns a new metric it does not report); asked for it as another kind of metric,
 * it refuses.
 */
import { JobDefinitionError } from '../errors/errors.ts';
import { DistributionRecorder, FunctionGauge, MeterView, SimpleCounter, type DistributionStatistics } from './metric-types.ts';
import { SCOPE_SEPARATOR, type Counter, type Distribution, type Gauge, type Meter, type MetricGroup } from './metrics.ts';

/**
 * One metric's value when it was sampled: exactly one of counter, gauge, meter, distribution is
 * set. The shape of proto MetricUpdate without its transform id.
 */
export interface MetricSample {
  /** The groups from the root down (a key/value group gives its key, then its value). */
  scope: string[];
  name: string;
  counter?: number;
  gauge?: number;
  meter?: { count: number; rate: number };
  distribution?: DistributionStatistics;
}

/** A gauge that could not be read: its function threw, or returned something other than a number. */
export type GaugeProblem = (identifier: string, problem: string) => void;

type Registered =
  | { kind: 'counter'; metric: SimpleCounter }
  | { kind: 'gauge'; metric: FunctionGauge }
  | { kind: 'meter'; metric: MeterView }
  | { kind: 'distribution'; metric: DistributionRecorder };

class MetricGroupImpl implements MetricGroup {
  /** In registration order, which is the order they are reported in. */
  private readonly metrics = new Map<string, Registered>();
  private readonly groups = new Map<string, MetricGroupImpl>();

  constructor(
    private readonly scope: readonly string[],
    private readonly clock: () => number,
    /** Shared by a root and every group below it: how many metrics they hold together. */
    protected readonly tree: { size: number },
  ) {}

  counter(name: string): Counter {
    return this.registered(name, 'counter', (id) => ({ kind: 'counter', metric: new SimpleCounter(id) }));
  }
  gauge(name: string, fn: () => number): Gauge {
    return this.registered(name, 'gauge', (id) => ({ kind: 'gauge', metric: new FunctionGauge(id, fn) }));
  }
  meter(name: string, timeSpanInSeconds = 60): Meter {
    return this.registered(name, 'meter', (id) => ({ kind: 'meter', metric: new MeterView(id, timeSpanInSeconds, this.clock) }));
  }
  distribution(name: string): Distribution {
    return this.registered(name, 'distribution', (id) => ({ kind: 'distribution', metric: new DistributionRecorder(id) }));
  }

  addGroup(name: string, value?: string | number): MetricGroup {
    const group = this.child(checkName(name, (n) => `group name ${n}`, this.scope));
    if (value === undefined) return group;
    const shown = typeof value === 'number' ? String(value) : value;
    return group.child(checkName(shown, (v) => `value ${v} of group '${name}'`, this.scope));
  }

  /** Every metric of this group and its subgroups, with its value now; a gauge that cannot be read is left out. */
  sample(onGaugeProblem: GaugeProblem, into: MetricSample[] = []): MetricSample[] {
    // One copy for the group's samples: what is done with a sample cannot reach the group.
    const scope = [...this.scope];
    for (const [name, registered] of this.metrics) {
      switch (registered.kind) {
        case 'counter':
          into.push({ scope, name, counter: registered.metric.getCount() });
          break;
        case 'meter':
          into.push({ scope, name, meter: { count: registered.metric.getCount(), rate: registered.metric.getRate() } });
          break;
        case 'distribution':
          into.push({ scope, name, distribution: registered.metric.statistics() });
          break;
        case 'gauge': {
          const gauge = readGauge(registered.metric, onGaugeProblem);
          if (gauge !== undefined) into.push({ scope, name, gauge });
          break;
        }
      }
    }
    for (const group of this.groups.values()) group.sample(onGaugeProblem, into);
    return into;
  }

  private child(name: string): MetricGroupImpl {
    let group = this.groups.get(name);
    if (group === undefined) this.groups.set(name, (group = new MetricGroupImpl([...this.scope, name], this.clock, this.tree)));
    return group;
  }

  private registered<M extends Registered>(name: string, kind: M['kind'], create: (identifier: string) => M): M['metric'] {
    const checked = checkName(name, (n) => `${kind} name ${n}`, this.scope);
    const identifier = metricIdentifier(this.scope, checked);
    const existing = this.metrics.get(checked);
    if (existing !== undefined) {
      if (existing.kind !== kind) {
        throw new JobDefinitionError(`metric '${identifier}' is a ${existing.kind}: it cannot be registered again as a ${kind}`);
      }
      return existing.metric as M['metric'];
    }
    const made = create(identifier);
    this.metrics.set(checked, made);
    this.tree.size++;
    return made.metric;
  }
}

/** The root group of one function instance's metrics (its RuntimeContext's getMetricsGroup()). */
export class OperatorMetricGroup extends MetricGroupImpl {
  /** `clock`: what meters measure time by (tests give their own). */
  constructor(clock: () => number = Date.now) {
    super([], clock, { size: 0 });
  }

  /** Whether no metric was registered here or below: nothing to report (most functions register none). */
  get empty(): boolean {
    return this.tree.size === 0;
  }
}

/** 'myGroup.processed': the groups and the name, joined by the scope separator. */
export function metricIdentifier(scope: readonly string[], name: string): string {
  return scope.length === 0 ? name : `${scope.join(SCOPE_SEPARATOR)}${SCOPE_SEPARATOR}${name}`;
}

/** `name` if it can be part of an identifier; `what` says what it is, given the name as shown. */
function checkName(name: unknown, what: (shown: string) => string, scope: readonly string[]): string {
  const where = scope.length === 0 ? '' : ` (in group '${scope.join(SCOPE_SEPARATOR)}')`;
  if (typeof name !== 'string' || name === '') {
    throw new JobDefinitionError(`${what(typeof name === 'string' ? "''" : String(name))}${where} must be a non-empty string`);
  }
  if (name.includes(SCOPE_SEPARATOR)) {
    throw new JobDefinitionError(
      `${what(`'${name}'`)}${where} contains '${SCOPE_SEPARATOR}', which separates the groups and the name in a metric's identifier: ` +
        `use addGroup() for a group, or another character`,
    );
  }
  return name;
}

function readGauge(gauge: FunctionGauge, onProblem: GaugeProblem): number | undefined {
  let value: unknown;
  try {
    value = gauge.getValue();
  } catch (error) {
    onProblem(gauge.identifier, `its function threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return undefined;
  }
  if (typeof value !== 'number') {
    onProblem(gauge.identifier, `its function returned ${value === null ? 'null' : typeof value}, not a number`);
    return undefined;
  }
  return value;
}
