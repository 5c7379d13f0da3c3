/**
 * DataStream and KeyedStream: PyFlink's API in camelCase. Every call adds a transformation to
 * the job graph; nothing runs until execute(). (One file: KeyedStream extends DataStream and
 * DataStream.keyBy makes KeyedStreams, which in two ES modules would be an import cycle.)
 */
import type {
  FilterLike,
  FlatMapLike,
  KeyedProcessLike,
  KeySelectorLike,
  MapLike,
  PartitionerLike,
  ProcessLike,
  ReduceLike,
} from '../../shared/api/functions.ts';
import { OutputTag } from '../../shared/api/output-tag.ts';
import type { MapStateDescriptor } from '../../shared/api/state-descriptors.ts';
import { describeType, TypeInformation } from '../../shared/api/types.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import type {
  ChainingStrategy,
  ExplicitPartitioning,
  FailurePolicyName,
  PartitionTransformation,
  SideOutputTransformation,
  SinkTransformation,
  Transformation,
  UdfKind,
  UdfTransformation,
} from '../graph/transformation.ts';
import { resolveAggregationField, type AggregationName } from './aggregation-field.ts';
import { BroadcastConnectedStream, BroadcastStream, checkBroadcastStateDescriptors } from './broadcast-stream.ts';
import { ConnectedStreams } from './connected-streams.ts';
import type { StreamExecutionEnvironment } from './environment.ts';
import { checkFunction, checkPositiveInt } from './function-checks.ts';
import { FileSink, SinkFunction, type SinkSpec } from './sinks.ts';
import type { WatermarkStrategy } from './watermark-strategy.ts';
import { WindowedStream } from './windowed-stream.ts';
import { CountSlidingWindowAssigner, CountTumblingWindowAssigner, type CountWindow, type WindowAssigner } from '../../shared/api/windows.ts';
import { allWindowsKeySelector, type WindowSpec } from '../../shared/protocol/window-spec.ts';
import { AllWindowedStream } from './all-windowed-stream.ts';

export interface CollectOptions {
  /** Stop after this many results (the job is cancelled once they are in). */
  limit?: number;
}

/** The end of a pipeline: returned by print(), addSink() and sinkTo(). */
export class DataStreamSink {
  constructor(private readonly transformation: SinkTransformation) {}
  name(name: string): this {
    this.transformation.name = name;
    return this;
  }
  uid(uid: string): this {
    this.transformation.uid = uid;
    return this;
  }
  setParallelism(parallelism: number): this {
    this.transformation.parallelism = checkPositiveInt(parallelism, 'parallelism');
    return this;
  }
  setDescription(description: string): this {
    this.transformation.description = checkDescription(description);
    return this;
  }
  /** For a SinkFunction's sink (addSink): 'restart' restarts the job through the restart strategy when it throws. */
  setFailurePolicy(policy: 'fail' | 'restart'): this {
    const t = this.transformation;
    if (t.sink.kind !== 'function') throw new JobDefinitionError('setFailurePolicy applies to operators that run a user function');
    t.failurePolicy = checkHostFunctionPolicy(policy, t.name);
    return this;
  }
}

/** A source's or sink's function runs in the host and has no stream for dead letters: it fails or restarts. */
function checkHostFunctionPolicy(policy: unknown, name: string): 'fail' | 'restart' {
  if (policy === 'fail' || policy === 'restart') return policy;
  if (policy === 'skip') {
    throw new JobDefinitionError(`'${name}' runs its function in the host, with no stream to send dead letters on: its failure policy is 'fail' or 'restart'`);
  }
  throw new JobDefinitionError(`failure policy must be 'fail', 'restart' or 'skip', got ${String(policy)}`);
}

/** A stream's type as union() compares it: no declared type is GENERIC, as Types.GENERIC() is. */
function streamTypeName(type: TypeInformation<unknown> | null): string {
  return type === null ? 'GENERIC' : describeType(type.descriptor);
}

/** Whether `t` is the window operator of windowAll() or countWindowAll(). */
function isAllWindows(t: Transformation): boolean {
  return t.kind === 'udf' && t.udf === 'window' && (t.fn as WindowSpec).allWindows;
}

function checkDescription(description: unknown): string {
  if (typeof description !== 'string' || description === '') throw new JobDefinitionError('setDescription() takes a non-empty string');
  return description;
}

export class DataStream<T> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
  ) {}

  /** The declared type of the values, or GENERIC. */
  getType(): TypeInformation<T> | null {
    return this.transformation.outputType as TypeInformation<T> | null;
  }

  getName(): string {
    return this.transformation.name;
  }

  name(name: string): this {
    this.refuseUnlessOperator('name');
    if (typeof name !== 'string' || name === '') throw new JobDefinitionError('name() takes a non-empty string');
    this.transformation.name = name;
    return this;
  }

  uid(uid: string): this {
    this.refuseUnlessOperator('uid');
    if (typeof uid !== 'string' || uid === '') throw new JobDefinitionError('uid() takes a non-empty string');
    this.transformation.uid = uid;
    return this;
  }

  setParallelism(parallelism: number): this {
    this.refuseUnlessOperator('setParallelism');
    if (this.transformation.kind === 'source' && this.transformation.source.kind !== 'sequence' && parallelism !== 1) {
      throw new JobDefinitionError(`the source '${this.transformation.name}' is not parallel: its parallelism must be 1`);
    }
    if (this.transformation.nonParallel && parallelism !== 1) {
      const why = isAllWindows(this.transformation) ? 'is a windowAll() operator, which is not parallel (as in Flink)' : 'was made non-parallel with forceNonParallel()';
      throw new JobDefinitionError(`'${this.transformation.name}' ${why}: its parallelism must be 1`);
    }
    this.transformation.parallelism = checkPositiveInt(parallelism, 'parallelism');
    return this;
  }

  /** Runs this operator as one instance, whatever the environment's parallelism (Flink's forceNonParallel()). */
  forceNonParallel(): this {
    this.refuseUnlessOperator('forceNonParallel');
    this.transformation.parallelism = 1;
    this.transformation.nonParallel = true;
    return this;
  }

  /** A longer description of the operator than its name, shown in getExecutionPlan(). */
  setDescription(description: string): this {
    this.refuseUnlessOperator('setDescription');
    this.transformation.description = checkDescription(description);
    return this;
  }

  getExecutionEnvironment(): StreamExecutionEnvironment {
    return this.env;
  }

  /**
   * What happens when this operator's function throws: 'fail' the job (default), 'restart' it
   * through the restart strategy, or 'skip' the record and send it with its error to
   * getSideOutput(DEAD_LETTERS). Overrides udf.failure-policy for this operator.
   */
  setFailurePolicy(policy: FailurePolicyName): this {
    const t = this.transformation;
    if (t.kind === 'source' && t.source.kind === 'function') {
      t.failurePolicy = checkHostFunctionPolicy(policy, t.name);
      return this;
    }
    if (t.kind !== 'udf') throw new JobDefinitionError('setFailurePolicy applies to operators that run a user function');
    if (!['fail', 'restart', 'skip'].includes(policy)) {
      throw new JobDefinitionError(`failure policy must be 'fail', 'restart' or 'skip', got ${String(policy)}`);
    }
    t.failurePolicy = policy;
    return this;
  }

  /**
   * This operator starts a new chain: it does not share a worker with the operator before it,
   * but the operators after it may share its worker (Flink's startNewChain()).
   */
  startNewChain(): this {
    return this.setChaining('head', 'startNewChain()');
  }

  /** This operator shares a worker with neither the operator before it nor those after it. */
  disableChaining(): this {
    return this.setChaining('never', 'disableChaining()');
  }

  /**
   * The streams rebalance() and its kin, union() and getSideOutput() return are no operators:
   * they have no name, parallelism or uid of their own (in Flink they are DataStreams, not
   * SingleOutputStreamOperators), so a call that would be dropped is refused.
   */
  private refuseUnlessOperator(call: string): void {
    const t = this.transformation;
    const madeBy = t.kind === 'partition' ? `${t.partitioning}()` : t.kind === 'union' ? 'union()' : t.kind === 'side_output' ? 'getSideOutput()' : null;
    if (madeBy !== null) {
      throw new JobDefinitionError(`${call}() applies to sources, operators and sinks, not to the stream ${madeBy} returns: call it on the operator that follows`);
    }
  }

  private setChaining(strategy: ChainingStrategy, call: string): this {
    const t = this.transformation;
    if (t.kind !== 'udf') throw new JobDefinitionError(`${call} applies to operators that run a user function`);
    t.chaining = strategy;
    return this;
  }

  /** Each record goes to the next operator's instance of the same index; both must have the same parallelism. */
  forward(): DataStream<T> {
    return this.partition('forward');
  }

  /** Records go round-robin to every instance of the next operator. */
  rebalance(): DataStream<T> {
    return this.partition('rebalance');
  }

  /**
   * Records go round-robin to a subset of the next operator's instances: with parallelism 2
   * before and 4 after, instance 0 feeds 0 and 1, instance 1 feeds 2 and 3 (and the other way
   * round from more instances to fewer), so that each instance talks to few others.
   */
  rescale(): DataStream<T> {
    return this.partition('rescale');
  }

  /** Each record goes to an instance of the next operator chosen at random. */
  shuffle(): DataStream<T> {
    return this.partition('shuffle');
  }

  /** Every record goes to every instance of the next operator. */
  broadcast(): DataStream<T>;
  /**
   * A BroadcastStream, for connect(): every record goes to every instance of the operator it is
   * connected to, which keeps what it learns in the broadcast states these descriptors name
   * (PyFlink's broadcast(broadcast_state_descriptor); several may be given, each named once).
   */
  broadcast(...descriptors: [MapStateDescriptor<unknown, unknown>, ...MapStateDescriptor<unknown, unknown>[]]): BroadcastStream<T>;
  broadcast(...descriptors: unknown[]): DataStream<T> | BroadcastStream<T> {
    if (descriptors.length === 0) return this.partition('broadcast');
    // Checked before the partitioning is added: a refused call leaves nothing in the job.
    this.refusePartitioningOfKeyed('broadcast');
    const states = checkBroadcastStateDescriptors(descriptors);
    return new BroadcastStream<T>(this.env, this.partitionTransformation('broadcast'), states);
  }

  /**
   * Each record goes to the instance of the next operator that `partitioner` chooses for its
   * key: partition(key, numPartitions) returns 0 to numPartitions - 1, numPartitions being the
   * next operator's parallelism. Both functions run in a worker.
   */
  partitionCustom<K>(partitioner: PartitionerLike<K>, keySelector: KeySelectorLike<T, K>): DataStream<T> {
    this.refusePartitioningOfKeyed('partitionCustom');
    checkFunction(partitioner, 'partition', 'partitionCustom(): the partitioner');
    checkFunction(keySelector, 'getKey', 'partitionCustom(): the key selector');
    return new DataStream<T>(this.env, this.newUdf('partition_custom', 'Partition Custom', partitioner, this.getType() ?? undefined, { keySelector }));
  }

  protected refusePartitioningOfKeyed(_call: string): void {}

  protected partition(partitioning: ExplicitPartitioning): DataStream<T> {
    return new DataStream<T>(this.env, this.partitionTransformation(partitioning));
  }

  private partitionTransformation(partitioning: ExplicitPartitioning): PartitionTransformation {
    this.refusePartitioningOfKeyed(partitioning);
    return this.env.addTransformation({
      kind: 'partition',
      name: partitioning.charAt(0).toUpperCase() + partitioning.slice(1),
      input: this.transformation,
      partitioning,
      outputType: this.transformation.outputType,
    } as Omit<PartitionTransformation, 'id' | 'uid' | 'parallelism'>);
  }

  /** With an output type, the function's results are checked against it (and travel typed). */
  map<R>(fn: MapLike<T, NoInfer<R>>, outputType: TypeInformation<R>): DataStream<R>;
  map<R>(fn: MapLike<T, R>): DataStream<R>;
  map<R>(fn: MapLike<T, R>, outputType?: TypeInformation<R>): DataStream<R> {
    checkFunction(fn, 'map', 'map()');
    return this.udf<R>('map', 'Map', fn, outputType);
  }

  flatMap<R>(fn: FlatMapLike<T, NoInfer<R>>, outputType: TypeInformation<R>): DataStream<R>;
  flatMap<R>(fn: FlatMapLike<T, R>): DataStream<R>;
  flatMap<R>(fn: FlatMapLike<T, R>, outputType?: TypeInformation<R>): DataStream<R> {
    checkFunction(fn, 'flatMap', 'flatMap()');
    return this.udf<R>('flat_map', 'Flat Map', fn, outputType);
  }

  /**
   * Keeps the tuple fields at `fieldIndexes`, in that order (PyFlink's project): only a stream
   * declared as a Types.TUPLE can be projected, as in Flink. A built-in map, run in the worker
   * like any other function of the stream.
   */
  project<R extends unknown[] = unknown[]>(...fieldIndexes: number[]): DataStream<R> {
    const type = this.getType();
    if (type?.descriptor.kind !== 'TUPLE') {
      throw new JobDefinitionError(`project() applies to a stream of tuples (declared with Types.TUPLE); this one is of type ${type === null ? 'GENERIC' : String(type)}`);
    }
    const fields = type.descriptor.fields;
    if (fieldIndexes.length === 0) throw new JobDefinitionError('project() needs at least one field index');
    for (const i of fieldIndexes) {
      if (!Number.isInteger(i) || i < 0 || i >= fields.length) {
        throw new JobDefinitionError(`project(): ${String(i)} is not a field index of ${String(type)} (0 to ${fields.length - 1})`);
      }
    }
    const outputType = new TypeInformation<R>({ kind: 'TUPLE', fields: fieldIndexes.map((i) => fields[i]!) });
    return new DataStream<R>(this.env, this.newUdf('project', 'Projection', null, outputType, { projection: [...fieldIndexes] }));
  }

  filter(fn: FilterLike<T>): DataStream<T> {
    checkFunction(fn, 'filter', 'filter()');
    return this.udf<T>('filter', 'Filter', fn, this.getType() ?? undefined);
  }

  process<R>(fn: ProcessLike<T, NoInfer<R>>, outputType: TypeInformation<R>): DataStream<R>;
  process<R>(fn: ProcessLike<T, R>): DataStream<R>;
  process<R>(fn: ProcessLike<T, R>, outputType?: TypeInformation<R>): DataStream<R> {
    checkFunction(fn, 'processElement', 'process()');
    return this.udf<R>('process', 'Process', fn, outputType);
  }

  keyBy<K>(keySelector: KeySelectorLike<T, K>): KeyedStream<T, K> {
    checkFunction(keySelector, 'getKey', 'keyBy()');
    const t = this.newUdf('key_by', 'Key By', keySelector, this.getType() ?? undefined);
    return new KeyedStream<T, K>(this.env, t);
  }

  /**
   * Cuts the whole stream into windows, not per key (PyFlink's window_all). As in Flink, the
   * window operator is not parallel: one instance gets every element (the stream is keyed by one
   * constant key), and its parallelism cannot be set above 1.
   */
  windowAll(assigner: WindowAssigner): AllWindowedStream<T> {
    return new AllWindowedStream<T>(assigner, this.getType(), (name, spec, type) => this.allWindowsTransform(name, spec, type));
  }

  /**
   * Windows of `size` elements of the whole stream (PyFlink's count_window_all): one after the
   * other, or with `slide`, one starting every `slide` elements. Not parallel, as windowAll().
   */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, CountWindow> {
    const assigner = slide === undefined || slide === 0 ? CountTumblingWindowAssigner.of(size) : CountSlidingWindowAssigner.of(size, slide);
    return new AllWindowedStream<T, CountWindow>(assigner, this.getType(), (name, spec, type) => this.allWindowsTransform(name, spec, type));
  }

  /**
   * windowAll's transform, added only once a window function is given (a refused call adds
   * nothing): the stream keyed by one constant, then the window operator, kept at one instance.
   */
  private allWindowsTransform<R>(name: string, spec: WindowSpec, outputType: TypeInformation<R> | undefined): DataStream<R> {
    const keyed = this.keyBy(allWindowsKeySelector());
    keyed.transformation.name = 'Key By (windowAll)';
    const t = keyed.newUdf('window', name, spec, outputType);
    t.parallelism = 1;
    t.nonParallel = true;
    return new DataStream<R>(this.env, t);
  }

  /**
   * One stream of the records of this one and `streams`, which must have the same type, as in
   * Flink. A stream with no declared type is GENERIC (PyFlink's PICKLED_BYTE_ARRAY), another
   * type than any declared one: map(x => x, type) gives a stream the type of the others.
   */
  union(...streams: DataStream<T>[]): DataStream<T> {
    const type = streamTypeName(this.transformation.outputType);
    for (const s of streams) {
      if (!(s instanceof DataStream) || s.env !== this.env) {
        throw new JobDefinitionError('union() takes streams of the same environment');
      }
      const other = streamTypeName(s.transformation.outputType);
      if (other !== type) {
        const generic = type === 'GENERIC' || other === 'GENERIC' ? ' (a stream made without a type is GENERIC)' : '';
        throw new JobDefinitionError(
          `Cannot union streams of different types: ${type} and ${other}${generic}; give every input the same type (map(x => x, type) converts a stream)`,
        );
      }
    }
    const t = this.env.addTransformation({
      kind: 'union',
      name: 'Union',
      inputs: [this.transformation, ...streams.map((s) => s.transformation)],
      outputType: this.transformation.outputType,
    });
    return new DataStream<T>(this.env, t);
  }

  /**
   * This stream and a BroadcastStream (other.broadcast(descriptors)), for a
   * BroadcastProcessFunction: every instance gets every record of the broadcast stream and keeps
   * what it learns in broadcast state.
   */
  connect<T2>(other: BroadcastStream<T2>): BroadcastConnectedStream<T, T2>;
  /**
   * This stream and `other`, of any type, for one operator with a method for each
   * (ConnectedStreams: map, flatMap, process, keyBy). Two KeyedStreams make keyed connected
   * streams, whose operator shares each key's state and timers between the two inputs.
   */
  connect<T2>(other: DataStream<T2>): ConnectedStreams<T, T2>;
  connect<T2>(other: DataStream<T2> | BroadcastStream<T2>): ConnectedStreams<T, T2> | BroadcastConnectedStream<T, T2> {
    if (other instanceof BroadcastStream) {
      if (other.env !== this.env) throw new JobDefinitionError('connect() takes a stream of the same environment');
      return this.connectBroadcast(other);
    }
    if (!(other instanceof DataStream) || other.env !== this.env) {
      throw new JobDefinitionError('connect() takes a stream of the same environment');
    }
    const keyed = this.isKeyed() && other.isKeyed();
    return new ConnectedStreams<T, T2>(this, other, keyed, (kind, name, fn, outputType) => {
      const t = this.newUdf(kind, name, fn, outputType, { input2: other.transformation, keyedInput: keyed });
      return new DataStream(this.env, t);
    });
  }

  /** On a KeyedStream the operator is keyed by the first stream's key; the broadcast stream's records have none. */
  private connectBroadcast<T2>(other: BroadcastStream<T2>): BroadcastConnectedStream<T, T2> {
    const keyed = this.isKeyed();
    return new BroadcastConnectedStream<T, T2>(this, other, keyed, (kind, name, fn, outputType) => {
      const t = this.newUdf(kind, name, fn, outputType, {
        input2: other.transformation,
        keyedInput: keyed,
        broadcastStates: other.broadcastStateDescriptors,
      });
      return new DataStream(this.env, t);
    });
  }

  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    const assigner = strategy.timestampAssigner;
    if (assigner !== null) checkFunction(assigner, 'extractTimestamp', 'withTimestampAssigner()');
    const t = this.newUdf('timestamps', 'Timestamps/Watermarks', assigner, this.getType() ?? undefined, {
      watermarkStrategy: strategy as WatermarkStrategy<unknown>,
    });
    return new DataStream<T>(this.env, t);
  }

  /** The values a process function emitted with ctx.output(tag, value). */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const t = this.transformation;
    if (!(tag instanceof OutputTag)) throw new JobDefinitionError('getSideOutput takes an OutputTag');
    if (t.kind !== 'udf') throw new JobDefinitionError('getSideOutput applies to the output of a process function');
    const existing = t.sideOutputs.get(tag.tagId);
    if (existing !== undefined && !existing.typeInfo.equals(tag.typeInfo)) {
      throw new JobDefinitionError(`side output '${tag.tagId}' was requested with two different types`);
    }
    t.sideOutputs.set(tag.tagId, tag as OutputTag<unknown>);
    const side = this.env.addTransformation({
      kind: 'side_output',
      name: `Side Output: ${tag.tagId}`,
      input: t,
      tag: tag as OutputTag<unknown>,
      outputType: tag.typeInfo,
    } as Omit<SideOutputTransformation, 'id' | 'uid' | 'parallelism'>);
    return new DataStream<X>(this.env, side);
  }

  print(prefix = ''): DataStreamSink {
    return this.sink({ kind: 'print', prefix }, 'Print to Std. Out');
  }

  addSink(sink: SinkFunction<T>): DataStreamSink {
    if (!(sink instanceof SinkFunction) && typeof (sink as { invoke?: unknown })?.invoke !== 'function') {
      throw new JobDefinitionError('addSink takes a SinkFunction (an object with invoke(value))');
    }
    return this.sink({ kind: 'function', fn: sink as SinkFunction<unknown> }, 'Unnamed');
  }

  sinkTo(sink: FileSink<T>): DataStreamSink {
    if (!(sink instanceof FileSink)) throw new JobDefinitionError('sinkTo takes a FileSink (FileSink.forRowFormat(dir))');
    return this.sink({ kind: 'file', sink: sink as FileSink<unknown> }, 'File Sink');
  }

  /**
   * Runs the job (every sink of this environment, and this stream collected) and returns the
   * collected values. For a bounded input: all of them; with `limit`, the first `limit`. The
   * options may also come first (`executeAndCollect({ limit: 10 })`, as PyFlink's keyword
   * arguments read).
   */
  async executeAndCollect(options?: CollectOptions): Promise<T[]>;
  async executeAndCollect(jobName?: string, options?: CollectOptions): Promise<T[]>;
  async executeAndCollect(first?: string | CollectOptions, second?: CollectOptions): Promise<T[]> {
    const optionsFirst = typeof first === 'object' && first !== null;
    if (optionsFirst && second !== undefined) {
      throw new JobDefinitionError('executeAndCollect takes (jobName?, options?) or (options?), not two option objects');
    }
    const jobName = optionsFirst || first === undefined ? 'collect' : first;
    // Everything is checked before the Collect sink is added: a refused call leaves no sink behind for the next execute().
    if (typeof jobName !== 'string') {
      throw new JobDefinitionError(
        `executeAndCollect takes (jobName?, options?) or (options?): the job name must be a string, got ${jobName === null ? 'null' : typeof jobName}` +
          (typeof jobName === 'number' ? `; a limit goes in the options: executeAndCollect({ limit: ${jobName} })` : ''),
      );
    }
    const options = (optionsFirst ? first : second) ?? {};
    if (typeof options !== 'object') throw new JobDefinitionError(`executeAndCollect: the options must be an object ({ limit }), got ${typeof options}`);
    const limit = options.limit === undefined ? null : checkPositiveInt(options.limit, 'limit');
    const spec: SinkSpec = { kind: 'collect', limit, results: [] };
    this.sink(spec, 'Collect');
    await this.env.execute(jobName);
    return spec.results as T[];
  }

  protected sink(spec: SinkSpec, name: string): DataStreamSink {
    const t = this.env.addTransformation({
      kind: 'sink',
      name: `Sink: ${name}`,
      input: this.transformation,
      sink: spec,
      outputType: null,
      failurePolicy: null,
    });
    return new DataStreamSink(t);
  }

  protected udf<R>(kind: UdfKind, name: string, fn: unknown, outputType: TypeInformation<R> | undefined): DataStream<R> {
    return new DataStream<R>(this.env, this.newUdf(kind, name, fn, outputType));
  }

  protected newUdf(
    kind: UdfKind,
    name: string,
    fn: unknown,
    outputType: TypeInformation<unknown> | undefined,
    extra: Partial<Pick<UdfTransformation, 'builtin' | 'watermarkStrategy' | 'keySelector' | 'input2' | 'keyedInput' | 'broadcastStates' | 'projection'>> = {},
  ): UdfTransformation {
    if (outputType !== undefined && !(outputType instanceof TypeInformation)) {
      throw new JobDefinitionError(`${name}: the output type must be a Types.X() value`);
    }
    return this.env.addTransformation({
      kind: 'udf',
      udf: kind,
      name,
      input: this.transformation,
      input2: extra.input2 ?? null,
      broadcastStates: extra.broadcastStates ?? [],
      fn,
      keySelector: extra.keySelector ?? null,
      builtin: extra.builtin ?? null,
      projection: extra.projection ?? null,
      keyedInput: extra.keyedInput ?? this.isKeyed(),
      sideOutputs: new Map(),
      failurePolicy: null,
      watermarkStrategy: extra.watermarkStrategy ?? null,
      chaining: 'always',
      outputType: outputType ?? null,
    });
  }

  protected isKeyed(): boolean {
    return false;
  }
}

/** A stream partitioned by key: its operators see one key at a time and may use keyed state. */
export class KeyedStream<T, K> extends DataStream<T> {
  protected override isKeyed(): boolean {
    return true;
  }

  override keyBy<K2>(keySelector: KeySelectorLike<T, K2>): KeyedStream<T, K2> {
    return this.unkeyed().keyBy(keySelector);
  }

  override union(...streams: DataStream<T>[]): DataStream<T> {
    return this.unkeyed().union(...streams);
  }

  /** Connected with a BroadcastStream: processElement has its key's state and timers (a KeyedBroadcastProcessFunction). */
  override connect<T2>(other: BroadcastStream<T2>): BroadcastConnectedStream<T, T2, K>;
  /** Connected with another KeyedStream of the same key type, keyed: the operator shares each key's state between the two. */
  override connect<T2>(other: KeyedStream<T2, K>): ConnectedStreams<T, T2, K>;
  override connect<T2>(other: DataStream<T2>): ConnectedStreams<T, T2>;
  override connect<T2>(
    other: DataStream<T2> | BroadcastStream<T2>,
  ): ConnectedStreams<T, T2, K> | ConnectedStreams<T, T2> | BroadcastConnectedStream<T, T2, K> | BroadcastConnectedStream<T, T2> {
    // Two calls: each overload takes one kind of stream, not the union.
    return other instanceof BroadcastStream ? super.connect(other) : super.connect(other);
  }

  /** A keyed stream is partitioned by its key; as in Flink, no other partitioning may replace it. */
  protected override refusePartitioningOfKeyed(call: string): void {
    throw new JobDefinitionError(`${call}() cannot override the partitioning of a KeyedStream: it is partitioned by key`);
  }

  override process<R>(fn: KeyedProcessLike<K, T, NoInfer<R>> | ProcessLike<T, NoInfer<R>>, outputType: TypeInformation<R>): DataStream<R>;
  override process<R>(fn: KeyedProcessLike<K, T, R> | ProcessLike<T, R>): DataStream<R>;
  override process<R>(fn: KeyedProcessLike<K, T, R> | ProcessLike<T, R>, outputType?: TypeInformation<R>): DataStream<R> {
    checkFunction(fn, 'processElement', 'process()');
    return this.udf<R>('keyed_process', 'KeyedProcess', fn, outputType);
  }

  reduce(fn: ReduceLike<T>): DataStream<T> {
    checkFunction(fn, 'reduce', 'reduce()');
    return this.udf<T>('reduce', 'Keyed Reduce', fn, this.getType() ?? undefined);
  }

  /** Cuts the stream into windows per key (TumblingEventTimeWindows.of(size), EventTimeSessionWindows.withGap(gap), …). */
  window(assigner: WindowAssigner): WindowedStream<T, K> {
    return new WindowedStream<T, K>(assigner, this.getType(), (name, spec, type) => this.udf('window', name, spec, type));
  }

  /**
   * Windows of `size` elements per key (PyFlink's count_window): one after the other, or with
   * `slide`, one starting every `slide` elements. A window fires once it holds `size` elements.
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K, CountWindow> {
    const assigner = slide === undefined || slide === 0 ? CountTumblingWindowAssigner.of(size) : CountSlidingWindowAssigner.of(size, slide);
    return new WindowedStream<T, K, CountWindow>(assigner, this.getType(), (name, spec, type) => this.udf('window', name, spec, type));
  }

  /** Sums a field (an index of a tuple/array or a property name); other fields keep the first record's values. */
  sum(field: number | string = 0): DataStream<T> {
    return this.aggregate('sum', field);
  }
  min(field: number | string = 0): DataStream<T> {
    return this.aggregate('min', field);
  }
  max(field: number | string = 0): DataStream<T> {
    return this.aggregate('max', field);
  }
  /** The whole record with the smallest value of the field. */
  minBy(field: number | string = 0): DataStream<T> {
    return this.aggregate('min_by', field);
  }
  maxBy(field: number | string = 0): DataStream<T> {
    return this.aggregate('max_by', field);
  }

  private aggregate(aggregation: AggregationName, field: number | string): DataStream<T> {
    const type = this.getType();
    const resolved = resolveAggregationField(aggregation, field, type);
    const name = `Keyed Aggregation (${aggregation}(${JSON.stringify(field)}))`;
    const t = this.newUdf('aggregate', name, null, type ?? undefined, { builtin: { aggregation, ...resolved } });
    return new DataStream<T>(this.env, t);
  }

  /** The same stream, no longer treated as keyed by what follows. */
  private unkeyed(): DataStream<T> {
    return new DataStream<T>(this.env, this.transformation);
  }
}
