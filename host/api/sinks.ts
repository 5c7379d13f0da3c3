/**
 * Sinks run in the host. Every sink is transactional under checkpointing: records written
 * since the last checkpoint are only made visible when it completes (or at the end of a
 * bounded input), so a restart never shows a record twice.
 */
import type { RuntimeContext } from '../../shared/api/contexts.ts';
import type { MaybePromise } from '../../shared/api/functions.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import { localPath } from '../local-path.ts';

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
  /** Prefix and suffix of part file names (default "part" and ""). */
  partPrefix?: string;
  partSuffix?: string;
  /**
   * Turns a record into its line (default: the print format, see formatValue). It runs in the
   * host, as a SinkFunction does: what it throws fails the job as a UserFunctionError naming the
   * sink, the encoder and the record.
   */
  encoder?: (value: unknown) => string;
}

/**
 * Writes records as text lines into part files under a directory, as Flink's FileSink with a
 * row format. Files become visible (renamed from their in-progress name) when a checkpoint
 * completes or the bounded input ends.
 */
export class FileSink<T = unknown> {
  declare readonly __valueType?: T;
  private constructor(
    readonly directory: string,
    readonly options: FileSinkOptions,
  ) {}

  /**
   * `directory`: a path, or a `file://` URI (as PyFlink jobs usually write it); `directory` is
   * then the path it names. Other schemes are refused here.
   */
  static forRowFormat<T>(directory: string, options: FileSinkOptions = {}): FileSink<T> {
    if (typeof directory !== 'string' || directory === '') throw new TypeError('FileSink needs a directory');
    if (options.encoder !== undefined && typeof options.encoder !== 'function') {
      throw new JobDefinitionError(`FileSink.forRowFormat: the encoder must be a function (value) => string, got ${typeof options.encoder}`);
    }
    const path = localPath(directory, 'FileSink.forRowFormat', 'a local directory', (message) => new JobDefinitionError(message));
    return new FileSink<T>(path, options);
  }
}

export type SinkSpec =
  | { kind: 'print'; prefix: string }
  | { kind: 'collect'; limit: number | null; results: unknown[] }
  | { kind: 'file'; sink: FileSink<unknown> }
  | { kind: 'function'; fn: SinkFunction<unknown> };
