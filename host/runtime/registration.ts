/**
 * What a worker is told about its stage: the RegisterRequest. Functions are shipped once per
 * job (shipFunctions), before any worker starts and any data flows, so an unshippable function
 * fails the job at once with an error that names it.
 */
import type { Configuration } from '../../shared/config/configuration.ts';
import type { FunctionSpec, RegisterRequest } from '../../shared/protocol/messages.ts';
import { customPartitionsOf, DEAD_LETTERS_TAG, sideOutputId, transformId, typeOf, type JobPlan, type UdfStage } from '../graph/plan.ts';
import type { UdfTransformation } from '../graph/transformation.ts';
import { CO_FUNCTIONS, isBroadcastKind } from '../../shared/protocol/co-functions.ts';
import { windowFunctionName, type WindowSpec } from '../../shared/protocol/window-spec.ts';
import { describeFunction, shipFunction } from '../shipping/ship-function.ts';
import type { BroadcastStateContents, BroadcastStateStore } from '../state/broadcast-state-store.ts';
import { keyGroupRangeFor } from '../state/key-groups.ts';

export const BUILTIN_URN = 'sluice:fn:builtin:v1';
export const EMBEDDED_URN = 'sluice:fn:embedded:v1';

export interface ShippedFunctions {
  specs: Map<UdfTransformation, FunctionSpec>;
  names: Map<UdfTransformation, string>;
  /** The key selectors of partitionCustom() transformations, and their names. */
  keySelectors: Map<UdfTransformation, { spec: FunctionSpec; name: string }>;
}

/** How embedded mode refers to a transformation's key selector (its function is the transform id). */
export function embeddedKeySelectorRef(t: UdfTransformation): string {
  return `${transformId(t)}#key-selector`;
}

const ROLE: Record<UdfTransformation['udf'], string> = {
  map: 'map function',
  flat_map: 'flatMap function',
  filter: 'filter function',
  key_by: 'key selector',
  reduce: 'reduce function',
  process: 'process function',
  keyed_process: 'keyed process function',
  window: 'window function',
  aggregate: 'aggregation',
  timestamps: 'timestamp assigner',
  partition_custom: 'partitioner',
  project: 'projection',
  co_map: CO_FUNCTIONS.co_map.className,
  co_flat_map: CO_FUNCTIONS.co_flat_map.className,
  co_process: CO_FUNCTIONS.co_process.className,
  keyed_co_process: CO_FUNCTIONS.keyed_co_process.className,
  broadcast_process: CO_FUNCTIONS.broadcast_process.className,
  keyed_broadcast_process: CO_FUNCTIONS.keyed_broadcast_process.className,
};

function builtin(payload: unknown): FunctionSpec {
  return { urn: BUILTIN_URN, payload: Buffer.from(JSON.stringify(payload)) };
}

/** Ships every user function of the plan (embedded mode: checks that it could, and refers to them instead). */
export async function shipFunctions(plan: JobPlan, embedded: boolean): Promise<ShippedFunctions> {
  const specs = new Map<UdfTransformation, FunctionSpec>();
  const names = new Map<UdfTransformation, string>();
  const keySelectors = new Map<UdfTransformation, { spec: FunctionSpec; name: string }>();
  for (const stage of plan.stages) {
    if (stage.kind !== 'udf') continue;
    for (const t of stage.transforms) {
      if (t.udf === 'project') {
        specs.set(t, builtin({ project: t.projection }));
        names.set(t, 'project');
      } else if (t.builtin !== null) {
        specs.set(t, builtin(t.builtin));
        names.set(t, t.builtin.aggregation);
      } else if (t.fn === null) {
        // assignTimestampsAndWatermarks without an assigner keeps the records' own timestamps.
        specs.set(t, builtin({ timestamps: 'keep' }));
        names.set(t, 'record timestamps');
      } else {
        // Embedded mode runs the function itself, but refuses what the other modes would: a
        // job debugged there runs unchanged in a worker.
        // A window ships its functions in one object, named for the one that runs when it fires.
        const name = t.udf === 'window' ? windowFunctionName(t.fn as WindowSpec, describeFunction) : undefined;
        const shipped = await shipFunction(t.fn, { role: ROLE[t.udf], operator: t.name, ...(name === undefined ? {} : { name }) });
        specs.set(t, embedded ? { urn: EMBEDDED_URN, payload: Buffer.from(transformId(t)) } : { urn: shipped.urn, payload: shipped.payload });
        names.set(t, embedded ? (name ?? describeFunction(t.fn)) : shipped.name);
      }
      if (t.keySelector !== null) {
        const shipped = await shipFunction(t.keySelector, { role: 'key selector', operator: t.name });
        keySelectors.set(
          t,
          embedded
            ? { spec: { urn: EMBEDDED_URN, payload: Buffer.from(embeddedKeySelectorRef(t)) }, name: describeFunction(t.keySelector) }
            : { spec: { urn: shipped.urn, payload: shipped.payload }, name: shipped.name },
        );
      }
    }
  }
  return { specs, names, keySelectors };
}

export interface RegistrationContext {
  jobName: string;
  subtask: number;
  attempt: number;
  maxParallelism: number;
  config: Configuration;
  shipped: ShippedFunctions;
  /**
   * The subtask's broadcast state, when the stage's head is a broadcast process function: the
   * worker is given its entries (none on a first start; after a restore, the checkpoint's).
   */
  broadcast?: BroadcastStateStore | null;
  /** The job runs in BATCH mode (JobPlan.batch). */
  batch?: boolean;
}

export function registerRequest(stage: UdfStage, ctx: RegistrationContext): RegisterRequest {
  const globalPolicy = ctx.config.get('udf.failure-policy');
  const range = keyGroupRangeFor(ctx.subtask, stage.parallelism, ctx.maxParallelism);
  return {
    processorId: stage.id,
    transforms: stage.transforms.map((t) => ({
      id: transformId(t),
      name: t.name,
      kind: t.udf,
      function: ctx.shipped.specs.get(t)!,
      functionName: ctx.shipped.names.get(t) ?? '',
      outputType: descriptorJson(typeOf(t)),
      sideOutputs: [...t.sideOutputs.values()]
        .filter((tag) => tag.tagId !== DEAD_LETTERS_TAG)
        .map((tag) => ({ id: sideOutputId(t, tag.tagId), tag: tag.tagId, type: descriptorJson(tag.typeInfo.descriptor) })),
      failurePolicy: t.failurePolicy ?? globalPolicy,
      ...(t.udf === 'partition_custom'
        ? {
            keySelector: ctx.shipped.keySelectors.get(t)!.spec,
            keySelectorName: ctx.shipped.keySelectors.get(t)!.name,
            numPartitions: customPartitionsOf(stage),
          }
        : {}),
      ...(isBroadcastKind(t.udf) ? { broadcastStates: broadcastStatesOf(t, ctx.broadcast ?? null) } : {}),
    })),
    inputType: descriptorJson(stage.inputType),
    keyedInput: stage.keyedInput,
    timestampedInput: stage.timestampedInput,
    ...(stage.twoInput ? { twoInput: true, input2Type: descriptorJson(stage.input2Type) } : {}),
    config: ctx.config.toStringMap(),
    jobName: ctx.jobName,
    subtaskIndex: ctx.subtask,
    parallelism: stage.parallelism,
    maxParallelism: ctx.maxParallelism,
    keyGroupStart: range.start,
    keyGroupEnd: range.end,
    attempt: ctx.attempt,
    ...(ctx.batch === true ? { batchExecution: true } : {}),
  };
}

/** A broadcast process function's states, in the order it declares them, each with the subtask's entries. */
function broadcastStatesOf(t: UdfTransformation, store: BroadcastStateStore | null): BroadcastStateContents[] {
  if (store === null) throw new Error(`the registration of '${t.name}' needs its subtask's broadcast state`);
  return t.broadcastStates.map((d) => store.contents(d.name));
}

function descriptorJson(d: { kind: string } | null): string {
  return d === null || d.kind === 'GENERIC' ? '' : JSON.stringify(d);
}

/** The output ids of a stage that have consumers (the others are not decoded). */
export function consumedOutputs(stage: UdfStage): Set<string> {
  const ids = new Set<string>();
  for (const [id, edges] of stage.outputs) if (edges.length > 0) ids.add(id);
  return ids;
}

