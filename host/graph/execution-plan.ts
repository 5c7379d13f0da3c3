/**
 * The job's plan as JSON, in the shape of Flink's getExecutionPlan() (what Flink's plan
 * visualizer reads): one node per operator, each with its predecessors and how records are
 * shipped to it. Sluice adds where each operator runs: sources and sinks in the host, user
 * functions in a worker stage, whose operators are chained (one worker per parallel instance
 * runs them all, one round trip per batch).
 */
import { DEAD_LETTERS_TAG, type Edge, type JobPlan, type Partitioning } from './plan.ts';
import type { SinkTransformation, SourceTransformation, Transformation, UdfKind, UdfTransformation } from './transformation.ts';
import type { WindowSpec } from '../../shared/protocol/window-spec.ts';

export interface PlanPredecessor {
  /** The producing operator's node id. */
  id: number;
  ship_strategy: string;
  /** The side output the records come from (a tag name, or 'dead-letters'); absent for the main output. */
  side_output?: string;
}

export interface PlanNode {
  id: number;
  type: string;
  pact: 'Data Source' | 'Operator' | 'Data Sink';
  contents: string;
  /** What setDescription() said; absent when not set. */
  description?: string;
  parallelism: number;
  /** 'host' for sources and sinks; the worker stage (e.g. 'udf-2') for a user function. */
  runs_in: string;
  predecessors?: PlanPredecessor[];
}

export interface ExecutionPlan {
  nodes: PlanNode[];
}

const SHIP_STRATEGIES: Record<Partitioning, string> = {
  forward: 'FORWARD',
  hash: 'HASH',
  rebalance: 'REBALANCE',
  rescale: 'RESCALE',
  shuffle: 'SHUFFLE',
  broadcast: 'BROADCAST',
  custom: 'CUSTOM',
};

const UDF_TYPES: Record<Exclude<UdfKind, 'aggregate'>, string> = {
  map: 'Map',
  flat_map: 'Flat Map',
  filter: 'Filter',
  key_by: 'Key By',
  reduce: 'Keyed Reduce',
  process: 'Process',
  keyed_process: 'Keyed Process',
  window: 'Window',
  timestamps: 'Timestamps/Watermarks',
  partition_custom: 'Partition Custom',
  project: 'Projection',
  co_map: 'Co-Map',
  co_flat_map: 'Co-Flat Map',
  co_process: 'Co-Process',
  keyed_co_process: 'Keyed Co-Process',
  broadcast_process: 'Co-Process-Broadcast',
  keyed_broadcast_process: 'Co-Process-Broadcast-Keyed',
};

const SOURCE_TYPES: Record<SourceTransformation['source']['kind'], string> = {
  collection: 'Source: Collection Source',
  sequence: 'Source: Sequence Source',
  'text-file': 'Source: Text File Source',
  file: 'Source: File Source',
  function: 'Source: Custom Source',
};

const SINK_TYPES: Record<SinkTransformation['sink']['kind'], string> = {
  print: 'Sink: Print to Std. Out',
  collect: 'Sink: Collect',
  file: 'Sink: File Sink',
  function: 'Sink: Custom Sink',
};

export function describePlan(plan: JobPlan): ExecutionPlan {
  const nodes: PlanNode[] = [];
  for (const stage of plan.stages) {
    switch (stage.kind) {
      case 'source': {
        const t = stage.transformation;
        nodes.push(node(t, SOURCE_TYPES[t.source.kind], 'Data Source', stage.parallelism, 'host', null));
        break;
      }
      case 'udf':
        stage.transforms.forEach((t, i) => {
          const predecessors = i === 0 ? stage.inputs.map(predecessorOf) : [{ id: stage.transforms[i - 1]!.id, ship_strategy: 'FORWARD' }];
          nodes.push(node(t, udfType(t), 'Operator', stage.parallelism, stage.id, predecessors));
        });
        break;
      case 'sink': {
        const t = stage.transformation;
        nodes.push(node(t, SINK_TYPES[t.sink.kind], 'Data Sink', stage.parallelism, 'host', stage.inputs.map(predecessorOf)));
        break;
      }
    }
  }
  return { nodes: nodes.sort((a, b) => a.id - b.id) };
}

function node(t: Transformation, type: string, pact: PlanNode['pact'], parallelism: number, runsIn: string, predecessors: PlanPredecessor[] | null): PlanNode {
  return {
    id: t.id,
    type,
    pact,
    contents: t.name,
    ...(t.description === null ? {} : { description: t.description }),
    parallelism,
    runs_in: runsIn,
    ...(predecessors === null ? {} : { predecessors }),
  };
}

function udfType(t: UdfTransformation): string {
  if (t.udf === 'window' && (t.fn as WindowSpec).allWindows) return 'AllWindow';
  if (t.udf !== 'aggregate') return UDF_TYPES[t.udf];
  return `Keyed Aggregation (${t.builtin?.aggregation ?? 'unknown'})`;
}

function predecessorOf(edge: Edge): PlanPredecessor {
  const predecessor: PlanPredecessor = { id: edge.producer.id, ship_strategy: SHIP_STRATEGIES[edge.partitioning] };
  if (edge.sideOutputTag !== null) predecessor.side_output = edge.sideOutputTag === DEAD_LETTERS_TAG ? 'dead-letters' : edge.sideOutputTag;
  return predecessor;
}
