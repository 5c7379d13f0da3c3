/**
 * Sinks run in the host. Every sink is transactional under checkpointing: records written
 * since the last checkpoint are only made visible when it completes (or at the end of a
 * bounded input), so a restart never shows a record twice.
 */
import type { RuntimeContext } from '../../shared/api/contexts.ts';
import type { MaybePromise } from '../../shared/api/functions.ts';
import type { Duration } from '../../shared/api/windows.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import { localPath } from '../local-path.ts';
import { BucketAssigner, checkBucketAssigner } from './bucket-assigners.ts';
import { checkPartNamePiece, Encoder, OutputFileConfig, OutputFileConfigBuilder, positiveInterval, RollingPolicy, shownArgument } from './file-sink-config.ts';

/**
 * A user-defined sink: PyFlink's SinkFunction. invoke() may return a promise. Sinks run in the
 * host, on the object given to addSink (it is not copied, so it may hold clients and
 * connections); with a parallelism above 1, its subtasks share it.
 */
export abstract class SinkFunction<T = unknown> {
  /**
   * Called before the first record of each parallel instance, in each attempt, with that
   * instance's runtime context (its subtask index, the parallelism, the attempt, the job's
   * parameters; no keyed state). The instances share this object: each calls open() and close().
   */
  open(_runtimeContext: RuntimeContext): MaybePromise<void> {}
  abstract invoke(value: T): MaybePromise<void>;
  /**
   * Called once after each open(): after the job's final commit, or when the attempt stops
   * (cancelled, or failed anywhere). What it throws after the final commit fails the job;
   * otherwise it is logged.
   */
  close(): MaybePromise<void> {}
}

export interface FileSinkOptions {
  /** Prefix and suffix of part file names (default "part" and ""), as OutputFileConfig sets them. */
  partPrefix?: string;
  partSuffix?: string;
  /**
   * Turns a record into its line (default: Encoder.simpleStringEncoder(), the print format, see
   * formatValue). A function runs in the host, as a SinkFunction does: what it throws fails the
   * job as a UserFunctionError naming the sink, the encoder and the record.
   */
  encoder?: ((value: unknown) => string) | Encoder;
  /** Which bucket (subdirectory) a record goes into, as withBucketAssigner() sets it (default: BucketAssigner.dateTimeBucketAssigner()). */
  bucketAssigner?: BucketAssigner<unknown>;
}

/** What a file sink is made of, once checked: replaced as a whole by the builder, never changed. */
interface FileSinkSettings {
  /** The encoder: a function, or absent for Encoder.simpleStringEncoder(). */
  readonly options: Readonly<{ partPrefix: string; partSuffix: string; encoder?: (value: unknown) => string }>;
  readonly rollingPolicy: RollingPolicy;
  readonly bucketAssigner: BucketAssigner<unknown>;
  /** How often (ms) the in-progress part files are checked against the rolling policy's times. */
  readonly bucketCheckIntervalMs: number;
}

const OPTION_NAMES: ReadonlySet<string> = new Set(['partPrefix', 'partSuffix', 'encoder', 'bucketAssigner']);

/** Flink's default bucket check interval. */
const DEFAULT_BUCKET_CHECK_INTERVAL_MS = 60_000;

/**
 * Writes records as text lines into part files under a directory, as Flink's FileSink with a
 * row format: each record into the bucket (subdirectory) its BucketAssigner names, by default
 * the hour it is written in (`dir/2026-11-25--03/`). A bucket's part file is closed when its
 * rolling policy says so (by default at 128 MiB, after 60 s open or 60 s without a write,
 * the times checked every bucket check interval) and at every checkpoint (Flink's row format may
 * keep a file open across checkpoints, resuming it after a failure; Sluice's in-progress files
 * are not resumable, so a checkpoint always closes them). Closed files become visible (renamed
 * from their in-progress name) when a checkpoint completes or the bounded input ends.
 */
export class FileSink<T = unknown> {
  /** The records the sink takes: a FileSink<unknown> takes any stream (a function type, so that it is contravariant). */
  declare readonly __accepts?: (value: T) => void;

  /** @internal Use FileSink.forRowFormat(...). */
  constructor(
    readonly directory: string,
    protected settings: FileSinkSettings,
  ) {}

  /** The part file names and the encoder function (undefined: Encoder.simpleStringEncoder()). */
  get options(): FileSinkSettings['options'] {
    return this.settings.options;
  }

  get rollingPolicy(): RollingPolicy {
    return this.settings.rollingPolicy;
  }

  get bucketAssigner(): BucketAssigner<unknown> {
    return this.settings.bucketAssigner;
  }

  /** Milliseconds between checks of the in-progress part files' times. */
  get bucketCheckInterval(): number {
    return this.settings.bucketCheckIntervalMs;
  }

  /**
   * A builder of a sink writing into `basePath`: a path, or a `file://` URI (as PyFlink jobs
   * usually write it; `directory` is then the path it names; other schemes are refused here).
   * The second argument is PyFlink's Encoder (Encoder.simpleStringEncoder(), also the default),
   * or options `{ partPrefix?, partSuffix?, encoder?, bucketAssigner? }`. The builder is a FileSink itself:
   * sinkTo() takes it with or without build().
   */
  static forRowFormat<T>(basePath: string, encoder: Encoder | FileSinkOptions = {}): FileSinkBuilder<T> {
    const call = 'FileSink.forRowFormat';
    if (typeof basePath !== 'string' || basePath === '') {
      throw new JobDefinitionError(`${call}: the base path must be a non-empty string (a directory or a file:// URI), got ${shownArgument(basePath)}`);
    }
    const path = localPath(basePath, call, 'a local directory', (message) => new JobDefinitionError(message));
    const options = encoder instanceof Encoder ? {} : checkOptions(encoder, call);
    return new FileSinkBuilder<T>(path, {
      options: {
        partPrefix: options.partPrefix ?? 'part',
        partSuffix: options.partSuffix ?? '',
        ...(typeof options.encoder === 'function' ? { encoder: options.encoder } : {}),
      },
      rollingPolicy: RollingPolicy.defaultRollingPolicy(),
      bucketAssigner: options.bucketAssigner ?? BucketAssigner.dateTimeBucketAssigner(),
      bucketCheckIntervalMs: DEFAULT_BUCKET_CHECK_INTERVAL_MS,
    });
  }
}

/**
 * What FileSink.forRowFormat returns: PyFlink's FileSink.RowFormatBuilder. Its with… methods
 * change it and return it, as PyFlink's do; build() returns a FileSink that later changes to the
 * builder do not reach. It is a FileSink itself, so that sinkTo() also takes it without build()
 * (as it always took forRowFormat(dir, options)): the job then writes as the builder is set
 * when the job runs.
 */
export class FileSinkBuilder<T = unknown> extends FileSink<T> {
  withOutputFileConfig(config: OutputFileConfig): this {
    if (!(config instanceof OutputFileConfig)) {
      throw new JobDefinitionError(
        `FileSink.forRowFormat(...).withOutputFileConfig takes an OutputFileConfig (OutputFileConfig.builder()...build()), got ${shownArgument(config)}` +
          ((config as unknown) instanceof OutputFileConfigBuilder ? ': call build() on it' : ''),
      );
    }
    this.settings = { ...this.settings, options: { ...this.settings.options, partPrefix: config.partPrefix, partSuffix: config.partSuffix } };
    return this;
  }

  withRollingPolicy(policy: RollingPolicy): this {
    if (!(policy instanceof RollingPolicy)) {
      throw new JobDefinitionError(
        'FileSink.forRowFormat(...).withRollingPolicy takes a RollingPolicy (RollingPolicy.defaultRollingPolicy() or ' +
          `RollingPolicy.onCheckpointRollingPolicy()), got ${shownArgument(policy)}`,
      );
    }
    this.settings = { ...this.settings, rollingPolicy: policy };
    return this;
  }

  /**
   * Which bucket (a subdirectory of the base path) each record goes into: a BucketAssigner
   * built-in, or an object with getBucketId(element, context) (see BucketAssigner).
   */
  withBucketAssigner(assigner: BucketAssigner<T>): this {
    const checked = checkBucketAssigner(assigner, 'FileSink.forRowFormat(...).withBucketAssigner');
    this.settings = { ...this.settings, bucketAssigner: checked };
    return this;
  }

  /**
   * How often the in-progress part files are checked against the rolling policy's rollover and
   * inactivity intervals (ms or a Time; Flink's default, 60 s): an idle file is closed at the
   * first check after its inactivity interval has passed.
   */
  withBucketCheckInterval(interval: Duration): this {
    const ms = positiveInterval(interval, 'FileSink.forRowFormat(...).withBucketCheckInterval', 'the interval');
    this.settings = { ...this.settings, bucketCheckIntervalMs: ms };
    return this;
  }

  build(): FileSink<T> {
    return new FileSink<T>(this.directory, this.settings);
  }
}

/** forRowFormat's options, each checked: an object of known keys, each of the right kind. */
function checkOptions(options: unknown, call: string): FileSinkOptions {
  const proto: unknown = typeof options === 'object' && options !== null ? Object.getPrototypeOf(options) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new JobDefinitionError(
      `${call}: the second argument must be an Encoder (Encoder.simpleStringEncoder()) or options { partPrefix?, partSuffix?, encoder?, bucketAssigner? }, got ${shownArgument(options)}`,
    );
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.has(key)) throw new JobDefinitionError(`${call}: unknown option ${JSON.stringify(key)} (the options are partPrefix, partSuffix, encoder and bucketAssigner)`);
  }
  const { partPrefix, partSuffix, encoder, bucketAssigner } = given;
  if (partPrefix !== undefined) checkPartNamePiece(partPrefix, call, 'partPrefix');
  if (partSuffix !== undefined) checkPartNamePiece(partSuffix, call, 'partSuffix');
  if (encoder !== undefined && typeof encoder !== 'function' && !(encoder instanceof Encoder)) {
    throw new JobDefinitionError(`${call}: the encoder must be a function (value) => string or an Encoder, got ${shownArgument(encoder)}`);
  }
  if (bucketAssigner !== undefined) checkBucketAssigner(bucketAssigner, call);
  return given as FileSinkOptions;
}

export type SinkSpec =
  | { kind: 'print'; prefix: string }
  | { kind: 'collect'; limit: number | null; results: unknown[] }
  | { kind: 'file'; sink: FileSink<unknown> }
  | { kind: 'function'; fn: SinkFunction<unknown> };
