/**
 * StreamExecutionEnvironment: where a job starts. Sources and configuration are set here;
 * execute() plans the graph and runs it on the local runtime (host + workers).
 */
import { TypeInformation, Types } from '../../shared/api/types.ts';
import { Configuration } from '../../shared/config/configuration.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import { describePlan } from '../graph/execution-plan.ts';
import { planJob } from '../graph/plan.ts';
import { withUpstream, type Transformation } from '../graph/transformation.ts';
import { commandLineConfiguration } from '../cli-config.ts';
import { localPath } from '../local-path.ts';
import { runJob, type JobClient } from '../runtime/job-runner.ts';
import { DataStream } from './data-stream.ts';
import { checkPositiveInt } from './function-checks.ts';
import type { JobExecutionResult } from './job-result.ts';
import { FileSource, NumberSequenceSource, sequenceBound, type Source } from './source-builders.ts';
import type { RuntimeExecutionMode } from './runtime-execution-mode.ts';
import { SourceWithWatermarks } from './source-with-watermarks.ts';
import { SourceFunction, type SourceSpec } from './sources.ts';
import { WatermarkStrategy } from './watermark-strategy.ts';
import { noteEnvironment, noteJobStarted } from './submissions.ts';
import { typedCollection } from './typed-collection.ts';

/** What addTransformation adds to a new transformation. */
type AddedFields = { id: number; uid: string | null; parallelism: number | null; description: string | null; nonParallel: boolean };

type NewTransformation = Omit<Transformation, 'id' | 'uid' | 'parallelism' | 'description' | 'nonParallel'> & { parallelism?: number | null };

export class CheckpointConfig {
  constructor(private readonly config: Configuration) {}
  setCheckpointTimeout(ms: number): this {
    this.config.set('execution.checkpointing.timeout', ms, 'code', 'CheckpointConfig.setCheckpointTimeout()');
    return this;
  }
  setMinPauseBetweenCheckpoints(ms: number): this {
    this.config.set('execution.checkpointing.min-pause', ms, 'code', 'CheckpointConfig.setMinPauseBetweenCheckpoints()');
    return this;
  }
  setCheckpointStorage(directory: string): this {
    this.config.set('state.checkpoints.dir', directory, 'code', 'CheckpointConfig.setCheckpointStorage()');
    return this;
  }
  setNumRetainedCheckpoints(count: number): this {
    this.config.set('state.checkpoints.num-retained', count, 'code', 'CheckpointConfig.setNumRetainedCheckpoints()');
    return this;
  }
  getCheckpointInterval(): number {
    return this.config.get('execution.checkpointing.interval');
  }
}

export class StreamExecutionEnvironment {
  private readonly config: Configuration;
  private transformations: Transformation[] = [];
  private nextId = 1;

  private constructor(config: Configuration) {
    this.config = config;
  }

  /**
   * A new environment for the local runtime, configured with `configuration` (entries, or a
   * Configuration as PyFlink takes). Configuration from the command line (`sluice run -D
   * key=value`, `--config file`) applies to it and wins over values set in code.
   */
  static getExecutionEnvironment(configuration?: Configuration | Record<string, unknown>): StreamExecutionEnvironment {
    const config = new Configuration();
    config.merge(commandLineConfiguration());
    const env = new StreamExecutionEnvironment(config);
    noteEnvironment(env);
    if (configuration !== undefined) env.configure(configuration);
    return env;
  }

  /**
   * Sets configuration entries (keys as in docs/configuration.md; or the values set in a
   * Configuration); a bad one throws at once.
   */
  configure(entries: Configuration | Record<string, unknown>): this {
    if (entries instanceof Configuration) this.config.merge(entries);
    else this.config.setAll(entries, 'code');
    return this;
  }

  getConfig(): Configuration {
    return this.config;
  }

  setParallelism(parallelism: number): this {
    this.config.set('parallelism.default', checkPositiveInt(parallelism, 'parallelism'), 'code', 'env.setParallelism()');
    return this;
  }

  getParallelism(): number {
    return this.config.get('parallelism.default');
  }

  /**
   * The number of key groups of every operator, and so the highest parallelism a keyed operator
   * can be rescaled to. Without it each operator's is derived from its parallelism, as Flink
   * derives it (pipeline.max-parallelism in docs/configuration.md).
   */
  setMaxParallelism(maxParallelism: number): this {
    this.config.set('pipeline.max-parallelism', maxParallelism, 'code', 'env.setMaxParallelism()');
    return this;
  }

  /**
   * STREAMING (the default), BATCH or AUTOMATIC (execution.runtime-mode): BATCH runs a job whose
   * sources are all bounded as Flink's batch execution does (README, "Batch execution").
   */
  setRuntimeMode(mode: RuntimeExecutionMode): this {
    this.config.set('execution.runtime-mode', mode, 'code', 'env.setRuntimeMode()');
    return this;
  }

  /** What setMaxParallelism() (or pipeline.max-parallelism) set; -1 when not set, as in Flink: each operator's is then derived from its parallelism. */
  getMaxParallelism(): number {
    return this.config.has('pipeline.max-parallelism') ? this.config.get('pipeline.max-parallelism') : -1;
  }

  enableCheckpointing(intervalMs: number): this {
    this.config.set('execution.checkpointing.interval', intervalMs, 'code', 'env.enableCheckpointing()');
    return this;
  }

  getCheckpointConfig(): CheckpointConfig {
    return new CheckpointConfig(this.config);
  }

  fromCollection<T>(values: Iterable<T>, typeInfo?: TypeInformation<T>): DataStream<T> {
    if (values === null || typeof (values as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
      throw new JobDefinitionError('fromCollection takes an array (or another iterable) of values');
    }
    if (typeof values === 'string') throw new JobDefinitionError('fromCollection takes an array of values, not a string');
    const name = 'Collection Source';
    checkType(typeInfo, name);
    // With a type, the elements are checked now, as PyFlink's from_collection does (typed-collection.ts).
    const d = typeInfo?.descriptor;
    const elements = d === undefined || d.kind === 'GENERIC' ? [...values] : typedCollection([...values], d);
    return this.source<T>({ kind: 'collection', values: elements, timestamped: false }, name, typeInfo);
  }

  /** The numbers start..end inclusive, as LONG (bigints beyond ±(2^53-1)); a parallel source. */
  fromSequence(start: number | bigint, end: number | bigint): DataStream<number> {
    const s = sequenceBound('fromSequence', 'start', start);
    const e = sequenceBound('fromSequence', 'end', end);
    if (e < s) throw new JobDefinitionError(`fromSequence: end (${e}) is before start (${s})`);
    return this.source({ kind: 'sequence', start: s, end: e, timestamped: false }, 'Sequence Source', Types.LONG(), null);
  }

  /**
   * The lines of a UTF-8 text file, as STRING: a path, or a file:// URI. Given a directory, the
   * lines of every file in it, file after file in the order of their names, as Flink's
   * readTextFile reads one: not those of its subdirectories, nor hidden files (names starting
   * with "." or "_", such as a file sink's in-progress files).
   */
  readTextFile(path: string): DataStream<string> {
    if (typeof path !== 'string' || path === '') throw new JobDefinitionError('readTextFile takes a file or directory path');
    const local = localPath(path, 'readTextFile', 'a local file or directory', (message) => new JobDefinitionError(message));
    return this.source({ kind: 'text-file', path: local, timestamped: false }, `Text File Source (${path})`, Types.STRING());
  }

  /**
   * A stream from a Source (PyFlink's from_source): a FileSource or a NumberSequenceSource.
   * `watermarkStrategy` is applied to the source's records (WatermarkStrategy.noWatermarks()
   * for none; any other adds its Timestamps/Watermarks operator right after the source, and
   * name(), uid(), setDescription(), setParallelism() and forceNonParallel() on the stream
   * returned still apply to the source), and `sourceName` names the source.
   */
  fromSource(source: NumberSequenceSource, watermarkStrategy: WatermarkStrategy<number>, sourceName: string, typeInfo?: TypeInformation<number>): DataStream<number>;
  fromSource<T>(source: FileSource<T>, watermarkStrategy: WatermarkStrategy<T>, sourceName: string, typeInfo?: TypeInformation<T>): DataStream<T>;
  fromSource<T>(source: Source<T>, watermarkStrategy: WatermarkStrategy<T>, sourceName: string, typeInfo?: TypeInformation<T>): DataStream<T>;
  fromSource<T>(source: Source<T>, watermarkStrategy: WatermarkStrategy<T>, sourceName: string, typeInfo?: TypeInformation<T>): DataStream<T> {
    if (!(watermarkStrategy instanceof WatermarkStrategy)) {
      throw new JobDefinitionError('fromSource takes a Source, a WatermarkStrategy (WatermarkStrategy.noWatermarks() for none) and a source name');
    }
    if (typeof sourceName !== 'string' || sourceName === '') throw new JobDefinitionError('fromSource needs a source name (a non-empty string)');
    checkType(typeInfo, sourceName);
    let stream: DataStream<T>;
    if (source instanceof FileSource) {
      refuseOtherType(typeInfo, Types.STRING(), sourceName, 'a FileSource with a text line format reads STRING records');
      stream = this.source<T>({ kind: 'file', paths: source.paths, monitorIntervalMs: source.monitorIntervalMs, timestamped: false }, sourceName, Types.STRING() as TypeInformation<T>);
    } else if (source instanceof NumberSequenceSource) {
      refuseOtherType(typeInfo, Types.LONG(), sourceName, 'a NumberSequenceSource reads LONG records');
      stream = this.source<T>({ kind: 'sequence', start: source.from, end: source.to, timestamped: false }, sourceName, Types.LONG() as TypeInformation<T>, null);
    } else {
      throw new JobDefinitionError('fromSource takes a FileSource or a NumberSequenceSource; a SourceFunction goes to addSource()');
    }
    const s = watermarkStrategy as WatermarkStrategy<unknown>;
    const nothingToDo = s.generator.kind === 'none' && s.timestampAssigner === null && s.idlenessMs === null;
    return nothingToDo ? stream : new SourceWithWatermarks(this, stream.assignTimestampsAndWatermarks(watermarkStrategy).transformation, stream);
  }

  addSource<T>(source: SourceFunction<T>, name = 'Custom Source', typeInfo?: TypeInformation<T>): DataStream<T> {
    if (!(source instanceof SourceFunction) && typeof (source as { run?: unknown })?.run !== 'function') {
      throw new JobDefinitionError('addSource takes a SourceFunction (an object with run(ctx))');
    }
    return this.source<T>({ kind: 'function', fn: source as SourceFunction<unknown>, timestamped: true }, name, typeInfo);
  }

  private source<T>(
    spec: SourceSpec,
    name: string,
    typeInfo: TypeInformation<T> | undefined,
    parallelism: number | null = 1,
  ): DataStream<T> {
    checkType(typeInfo, name);
    const t = this.addTransformation({ kind: 'source', name: `Source: ${name}`, source: spec, outputType: typeInfo ?? null, parallelism, failurePolicy: null });
    return new DataStream<T>(this, t);
  }

  /** @internal Used by DataStream to grow the graph. */
  addTransformation<X extends NewTransformation>(t: X): X & AddedFields {
    const full = { uid: null, parallelism: null, description: null, nonParallel: false, ...t, id: this.nextId++ };
    this.transformations.push(full as unknown as Transformation);
    return full as X & AddedFields;
  }

  /**
   * The job built so far, planned as execute() would plan it, as JSON in the shape of Flink's
   * getExecutionPlan(): a node per operator with its parallelism and predecessors (and how
   * records are shipped: FORWARD, HASH, REBALANCE, …), and `runs_in`, the host or the worker
   * stage the operator is chained into. The graph stays: execute() still runs it. A graph that
   * cannot run (a forward() between different parallelisms, say) throws as execute() would.
   */
  getExecutionPlan(): string {
    if (this.transformations.length === 0) throw new JobDefinitionError('no operators are defined: the plan is empty');
    this.config.validate();
    return JSON.stringify(describePlan(planJob(withUpstream(this.transformations), this.config)), null, 2);
  }

  /** Runs the job and resolves when it has finished (bounded inputs) or failed. */
  async execute(jobName = 'Sluice Job'): Promise<JobExecutionResult> {
    return this.executeAsync(jobName).getJobExecutionResult();
  }

  /** Starts the job and returns at once with a client that can wait for it or cancel it. */
  executeAsync(jobName = 'Sluice Job'): JobClient {
    if (typeof jobName !== 'string') {
      throw new JobDefinitionError(`the job name must be a string, got ${jobName === null ? 'null' : typeof jobName}`);
    }
    const transformations = this.transformations;
    if (!transformations.some((t) => t.kind === 'sink')) {
      throw new JobDefinitionError('no sinks are defined: add print(), addSink(), sinkTo() or executeAndCollect()');
    }
    // As Flink does, a job takes the graph built so far; the environment starts afresh.
    this.transformations = [];
    this.config.validate();
    const client = runJob(jobName, withUpstream(transformations), this.config.clone());
    noteJobStarted();
    return client;
  }

  /** @internal Sinks defined since the last execute, which no job has run. */
  pendingSinks(): number {
    return this.transformations.filter((t) => t.kind === 'sink').length;
  }
}

/** A type given for a source whose records have one type already must be that one. */
function refuseOtherType(typeInfo: TypeInformation<unknown> | undefined, type: TypeInformation<unknown>, sourceName: string, why: string): void {
  if (typeInfo !== undefined && !typeInfo.equals(type)) throw new JobDefinitionError(`${sourceName}: ${why}, not ${typeInfo.toString()}`);
}

function checkType(typeInfo: unknown, sourceName: string): void {
  if (typeInfo !== undefined && !(typeInfo instanceof TypeInformation)) {
    throw new JobDefinitionError(`${sourceName}: the type must be a Types.X() value`);
  }
}
