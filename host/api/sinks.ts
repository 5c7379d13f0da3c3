/**
 * Sinks run in the host. Every sink is transactional under checkpointing: records written
 * since the last checkpoint are only made visible when it completes (or at the end of a
 * bounded input), so a restart never shows a record twice.
 */
import type { MaybePromise } from '../../shared/api/functions.ts';

/**
 * A user-defined sink: PyFlink's SinkFunction. invoke() may return a promise. Sinks run in the
 * host, on the object given to addSink (it is not copied, so it may hold clients and
 * connections); with a parallelism above 1, its subtasks share it.
 */
export abstract class SinkFunction<T = unknown> {
  open(): MaybePromise<void> {}
  abstract invoke(value: T): MaybePromise<void>;
  close(): MaybePromise<void> {}
}

export interface FileSinkOptions {
  /** Prefix and suffix of part file names (default "part" and ""). */
  partPrefix?: string;
  partSuffix?: string;
  /** Turns a record into its line (default: the print format, see formatValue). */
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

  static forRowFormat<T>(directory: string, options: FileSinkOptions = {}): FileSink<T> {
    if (typeof directory !== 'string' || directory === '') throw new TypeError('FileSink needs a directory');
    return new FileSink<T>(directory, options);
  }
}

export type SinkSpec =
  | { kind: 'print'; prefix: string }
  | { kind: 'collect'; limit: number | null; results: unknown[] }
  | { kind: 'file'; sink: FileSink<unknown> }
  | { kind: 'function'; fn: SinkFunction<unknown> };
