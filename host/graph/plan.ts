/**
 * Turns the logical graph into stages, Flink's "job graph":
 *  - a source stage per source, a sink stage per sink (host-side);
 *  - UDF stages: chains of consecutive user functions with no shuffle between them, run
 *    together in one worker per parallel instance (one round trip per batch).
 * A chain ends at a keyBy (its key selector is the chain's last function; the host partitions
 * by the keys it computes) and likewise at a partitionCustom() (the partition its partitioner
 * chooses travels as the row's key), at an assignTimestampsAndWatermarks (watermarks follow its
 * output), where parallelism changes, where a stream feeds more than one consumer, at a
 * partitioning the user chose (rebalance() and its kin; forward() keeps the chain), around
 * operators that said so (startNewChain(), disableChaining()), and everywhere when
 * udf.operator-chaining.enabled is false.
 */
import type { TypeDescriptor } from '../../shared/api/types.ts';
import type { Configuration } from '../../shared/config/configuration.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import { isBroadcastKind, isCoKind } from '../../shared/protocol/co-functions.ts';
import { DEAD_LETTER_SUFFIX } from '../../shared/protocol/layouts.ts';
import { defaultMaxParallelism, MAX_MAX_PARALLELISM } from '../state/key-groups.ts';
import { runsAsBatch } from './runtime-mode.ts';
import {
  type ExplicitPartitioning,
  inputsOf,
  isTimestamped,
  type SinkTransformation,
  type SourceTransformation,
  type Transformation,
  type UdfTransformation,
} from './transformation.ts';

/** 'custom': the partition a partitionCustom() partitioner chose travels as each row's key. */
export type Partitioning = ExplicitPartitioning | 'hash' | 'custom';

export interface Edge {
  from: Stage;
  /** Which output of `from`: the main output id, or a side output / dead-letter id. */
  outputId: string;
  /** The operator of `from` whose output that is. */
  producer: SourceTransformation | UdfTransformation;
  /** The tag name when the output is a side output (DEAD_LETTERS_TAG for dead letters); null for the main output. */
  sideOutputTag: string | null;
  to: Stage;
  partitioning: Partitioning;
  /** Which input of `to` the edge feeds: 2 for the second input of a two-input stage (connect()), else 1. */
  input: 1 | 2;
}

/** Where a stream's records come from, as producersOf finds them. */
interface Producer {
  stage: Stage;
  outputId: string;
  producer: SourceTransformation | UdfTransformation;
  sideOutputTag: string | null;
  /** The partitioning the user chose on the way, if any. */
  chosen: Exclude<Partitioning, 'hash'> | null;
}

interface StageCommon {
  /** Unique within the job, e.g. "udf-3". */
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  /**
   * Its key groups: pipeline.max-parallelism when set, else derived from its parallelism as
   * Flink derives an operator's (defaultMaxParallelism). A job resumed from a checkpoint gives a
   * keyed stage the one its state was written with (adoptRestoredMaxParallelism), hence not
   * readonly; it is settled before any attempt runs.
   */
  maxParallelism: number;
  readonly inputs: Edge[];
  /** Outgoing edges by output id. */
  readonly outputs: Map<string, Edge[]>;
}

export interface SourceStage extends StageCommon {
  readonly kind: 'source';
  readonly transformation: SourceTransformation;
  readonly outputId: string;
}

export interface UdfStage extends StageCommon {
  readonly kind: 'udf';
  readonly transforms: UdfTransformation[];
  readonly keyedInput: boolean;
  readonly timestampedInput: boolean;
  /** Descriptor of the input values; null for the generic column. */
  readonly inputType: TypeDescriptor | null;
  /**
   * A two-input stage (its head is a co_map, co_flat_map, co_process or keyed_co_process, or a
   * broadcast_process or keyed_broadcast_process): its edges with `input` 2 carry values of
   * input2Type. keyedInput and timestampedInput describe both inputs, except that the second
   * input of a broadcast kind is never keyed: its edges are 'broadcast', their rows keyless.
   */
  readonly twoInput: boolean;
  readonly input2Type: TypeDescriptor | null;
}

export interface SinkStage extends StageCommon {
  readonly kind: 'sink';
  readonly transformation: SinkTransformation;
}

export type Stage = SourceStage | UdfStage | SinkStage;

export interface JobPlan {
  readonly stages: Stage[];
  /** pipeline.max-parallelism when the job sets it (every stage has it); null when each stage's is derived. */
  readonly configuredMaxParallelism: number | null;
  /** Whether the job runs in BATCH mode (execution.runtime-mode, resolved: runtime-mode.ts). */
  readonly batch: boolean;
}

/** The transform id on the wire (and the prefix of its state names): the uid, or a stable counter. */
export function transformId(t: Transformation): string {
  return t.uid ?? String(t.id);
}

export function sideOutputId(t: UdfTransformation, tagId: string): string {
  return `${transformId(t)}/side/${tagId}`;
}

export function deadLetterId(t: UdfTransformation): string {
  return `${transformId(t)}${DEAD_LETTER_SUFFIX}`;
}

export function planJob(transformations: Transformation[], config: Configuration): JobPlan {
  const defaultParallelism = config.get('parallelism.default');
  const configuredMaxParallelism = config.has('pipeline.max-parallelism') ? config.get('pipeline.max-parallelism') : null;
  const chaining = config.get('udf.operator-chaining.enabled');
  const batch = runsAsBatch(transformations, config);
  const parallelismOf = (t: Transformation): number => {
    const p = t.parallelism ?? implicitParallelism(t);
    if (configuredMaxParallelism !== null && p > configuredMaxParallelism) {
      throw new JobDefinitionError(`operator '${t.name}' has parallelism ${p}, above pipeline.max-parallelism (${configuredMaxParallelism})`);
    }
    if (p > MAX_MAX_PARALLELISM) {
      throw new JobDefinitionError(`operator '${t.name}' has parallelism ${p}, above ${MAX_MAX_PARALLELISM}, the most key groups an operator can have`);
    }
    return p;
  };
  /** A stage's parallelism, and its max parallelism: the configured one, else Flink's default for that parallelism. */
  const sizeOf = (t: Transformation): { parallelism: number; maxParallelism: number } => {
    const parallelism = parallelismOf(t);
    return { parallelism, maxParallelism: configuredMaxParallelism ?? defaultMaxParallelism(parallelism) };
  };
  /**
   * What an operator without a parallelism of its own gets. The ones the API adds to a stream
   * (keyBy's and partitionCustom()'s key selector, assignTimestampsAndWatermarks) take their
   * input's, as in Flink and PyFlink (whose key-by map runs beside its input): each upstream
   * instance then keeps its own watermark, merged by the keyed operator as the minimum, instead
   * of one instance merging streams that are out of step (and making late records of on-time
   * ones).
   */
  const implicitParallelism = (t: Transformation): number => {
    if (t.kind === 'source') return t.source.kind === 'sequence' ? defaultParallelism : 1;
    if (t.kind === 'udf' && (t.udf === 'key_by' || t.udf === 'partition_custom' || t.udf === 'timestamps')) return streamParallelism(t.input);
    return defaultParallelism;
  };
  /** The parallelism of the instances that produce the stream `t` (a union: its first input's, as in Flink). */
  const streamParallelism = (t: Transformation): number => {
    switch (t.kind) {
      case 'union':
        return streamParallelism(t.inputs[0]!);
      case 'partition':
        return streamParallelism(t.input);
      case 'side_output':
        return parallelismOf(t.input);
      default:
        return parallelismOf(t);
    }
  };
  checkUids(transformations);

  const mainConsumers = new Map<Transformation, number>();
  for (const t of transformations) {
    if (t.kind === 'side_output') continue;
    for (const input of inputsOf(t)) mainConsumers.set(input, (mainConsumers.get(input) ?? 0) + 1);
  }

  const stages: Stage[] = [];
  const stageOf = new Map<Transformation, Stage>();
  const newStage = <S extends Stage>(stage: S): S => {
    stages.push(stage);
    return stage;
  };

  for (const t of transformations) {
    switch (t.kind) {
      case 'source':
        stageOf.set(
          t,
          newStage<SourceStage>({
            kind: 'source',
            id: `source-${t.id}`,
            name: t.name,
            ...sizeOf(t),
            inputs: [],
            outputs: new Map(),
            transformation: t,
            outputId: transformId(t),
          }),
        );
        break;
      case 'udf': {
        // forward() leaves the records where they are: the chain may go on through it.
        const viaForward = t.input.kind === 'partition' && t.input.partitioning === 'forward';
        const input = viaForward && t.input.kind === 'partition' ? t.input.input : t.input;
        const upstream = input.kind === 'udf' ? stageOf.get(input) : undefined;
        // A two-input operator heads a stage of its own (what follows it may chain to it).
        const input2 = t.input2;
        const canChain =
          input2 === null &&
          chaining &&
          t.chaining === 'always' &&
          upstream?.kind === 'udf' &&
          input.kind === 'udf' &&
          input.chaining !== 'never' &&
          upstream.transforms[upstream.transforms.length - 1] === input &&
          input.udf !== 'key_by' &&
          input.udf !== 'partition_custom' &&
          input.udf !== 'timestamps' &&
          !t.keyedInput &&
          parallelismOf(t) === upstream.parallelism &&
          (mainConsumers.get(input) ?? 0) === 1 &&
          (!viaForward || (mainConsumers.get(t.input) ?? 0) === 1);
        if (canChain) {
          upstream.transforms.push(t);
          stageOf.set(t, upstream);
        } else {
          stageOf.set(
            t,
            newStage<UdfStage>({
              kind: 'udf',
              id: `udf-${t.id}`,
              name: t.name,
              ...sizeOf(t),
              inputs: [],
              outputs: new Map(),
              transforms: [t],
              keyedInput: t.keyedInput,
              timestampedInput: isTimestamped(input, batch) || (input2 !== null && isTimestamped(input2, batch)),
              inputType: typeOf(input),
              twoInput: input2 !== null,
              input2Type: input2 === null ? null : typeOf(input2),
            }),
          );
        }
        break;
      }
      case 'sink':
        stageOf.set(
          t,
          newStage<SinkStage>({
            kind: 'sink',
            id: `sink-${t.id}`,
            name: t.name,
            ...sizeOf(t),
            inputs: [],
            outputs: new Map(),
            transformation: t,
          }),
        );
        break;
      case 'union':
      case 'partition':
      case 'side_output':
        break;
    }
  }

  // Wire each stage's head to the producers of its input.
  for (const t of transformations) {
    if (t.kind !== 'udf' && t.kind !== 'sink') continue;
    const stage = stageOf.get(t)!;
    if (stage.kind === 'udf' && stage.transforms[0] !== t) continue;
    const inputs: [Transformation, 1 | 2][] = t.kind === 'udf' && t.input2 !== null ? [[t.input, 1], [t.input2, 2]] : [[t.input, 1]];
    for (const [streamIn, input] of inputs) {
      // A broadcast process function's second input is a BroadcastStream: every instance gets every record, keyed or not.
      const broadcastInput = input === 2 && t.kind === 'udf' && isBroadcastKind(t.udf);
      for (const { stage: from, outputId, producer, sideOutputTag, chosen } of producersOf(streamIn, stageOf, null)) {
        // A keyed stream connected with one that is not keeps its partitioning by key (as in Flink).
        const byKey = (stage.kind === 'udf' && stage.keyedInput) || (t.kind === 'udf' && isCoKind(t.udf) && producer.kind === 'udf' && producer.udf === 'key_by');
        const partitioning: Partitioning = broadcastInput
          ? 'broadcast'
          : byKey
            ? 'hash'
            : (chosen ?? (from.parallelism === stage.parallelism ? 'forward' : 'rebalance'));
        if (partitioning === 'forward' && from.parallelism !== stage.parallelism) {
          throw new JobDefinitionError(
            `forward() cannot change the parallelism: '${from.name}' has parallelism ${from.parallelism} and '${stage.name}' ${stage.parallelism}; ` +
              'use rebalance(), rescale(), shuffle() or broadcast() instead',
          );
        }
        const edge: Edge = { from, outputId, producer, sideOutputTag, to: stage, partitioning, input };
        stage.inputs.push(edge);
        let out = from.outputs.get(outputId);
        if (out === undefined) from.outputs.set(outputId, (out = []));
        out.push(edge);
      }
    }
  }
  checkCustomPartitionings(stages);
  return { stages, configuredMaxParallelism, batch };
}

/** A partitionCustom() partitioner chooses among one number of partitions: its consumers' parallelism. */
function checkCustomPartitionings(stages: Stage[]): void {
  for (const stage of stages) {
    if (stage.kind !== 'udf' || stage.transforms.at(-1)!.udf !== 'partition_custom') continue;
    const parallelisms = new Set((stage.outputs.get(mainOutputOf(stage)) ?? []).map((e) => e.to.parallelism));
    if (parallelisms.size > 1) {
      throw new JobDefinitionError(
        `the operators after partitionCustom() ('${stage.name}') must have one parallelism, the number of partitions; got ${[...parallelisms].join(' and ')}`,
      );
    }
  }
}

/** How many partitions the partitionCustom() ending `stage` chooses among (1 when nothing reads them). */
export function customPartitionsOf(stage: UdfStage): number {
  return stage.outputs.get(mainOutputOf(stage))?.[0]?.to.parallelism ?? 1;
}

/**
 * The stage outputs whose records make up the stream `t`, each with the partitioning the user
 * chose on the way (the one nearest the consumer wins, as in Flink), else `chosen`.
 */
function producersOf(t: Transformation, stageOf: Map<Transformation, Stage>, chosen: Exclude<Partitioning, 'hash'> | null): Producer[] {
  switch (t.kind) {
    case 'source':
      return [{ stage: stageOf.get(t)!, outputId: transformId(t), producer: t, sideOutputTag: null, chosen }];
    case 'udf': {
      const partitioning = chosen ?? (t.udf === 'partition_custom' ? 'custom' : null);
      return [{ stage: stageOf.get(t)!, outputId: transformId(t), producer: t, sideOutputTag: null, chosen: partitioning }];
    }
    case 'union':
      return t.inputs.flatMap((i) => producersOf(i, stageOf, chosen));
    case 'partition':
      return producersOf(t.input, stageOf, chosen ?? t.partitioning);
    case 'side_output': {
      const tagId = t.tag.tagId;
      const outputId = tagId === DEAD_LETTERS_TAG ? deadLetterId(t.input) : sideOutputId(t.input, tagId);
      return [{ stage: stageOf.get(t.input)!, outputId, producer: t.input, sideOutputTag: tagId, chosen }];
    }
    case 'sink':
      throw new JobDefinitionError('a sink has no output');
  }
}

/** The tag name of the dead-letter side output (see DEAD_LETTERS in the API). */
export const DEAD_LETTERS_TAG = 'sluice-dead-letters';

/** The declared type of a stream's values, or null (generic). union() refused inputs of different types: a union's is its first input's. */
export function typeOf(t: Transformation): TypeDescriptor | null {
  if (t.kind === 'union') return typeOf(t.inputs[0]!);
  if (t.kind === 'side_output') return t.tag.typeInfo.descriptor.kind === 'GENERIC' ? null : t.tag.typeInfo.descriptor;
  const d = t.outputType?.descriptor ?? null;
  return d === null || d.kind === 'GENERIC' ? null : d;
}

function checkUids(transformations: Transformation[]): void {
  const seen = new Set<string>();
  for (const t of transformations) {
    if (t.uid === null) continue;
    if (t.uid.includes('/')) throw new JobDefinitionError(`uid '${t.uid}' must not contain '/'`);
    if (/^\d+$/.test(t.uid)) throw new JobDefinitionError(`uid '${t.uid}' must not be a number`);
    if (seen.has(t.uid)) throw new JobDefinitionError(`uid '${t.uid}' is used by more than one operator`);
    seen.add(t.uid);
  }
}

/** The id of a UDF stage's main output: its last transform's. */
export function mainOutputOf(stage: UdfStage): string {
  return transformId(stage.transforms[stage.transforms.length - 1]!);
}
