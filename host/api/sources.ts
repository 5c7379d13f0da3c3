/**
 * Sources run in the host (as PyFlink's sources run in the JVM): they read input, and the
 * records flow from them to the workers. Each source reports a position, so that checkpoints can
 * record where it was and a restart can rewind it.
 */
import type { RuntimeContext } from '../../shared/api/contexts.ts';
import type { MaybePromise } from '../../shared/api/functions.ts';

/**
 * A user-defined source: PyFlink's SourceFunction, for a source written in TypeScript. As Flink
 * deserialises a fresh function for every attempt, each attempt (and each parallel instance)
 * runs its own copy of the object given to addSource, which itself never runs: the copy has its
 * plain-data fields copied (numbers, flags, arrays, plain objects, Maps, Sets) and shares
 * anything else (clients, promises, instances of classes). Private `#members` cannot be copied:
 * a source class declaring them is refused.
 */
export abstract class SourceFunction<T = unknown> {
  /**
   * Called before run(), with the runtime context of this copy (its subtask, the attempt, the
   * job's parameters; no keyed state). What it throws fails the attempt.
   */
  open(_runtimeContext: RuntimeContext): MaybePromise<void> {}
  /**
   * Releases what open() or run() acquired. Called once, after run() has ended: at the end of the
   * input, when run() failed, or when the attempt stopped (cancelled, or failed anywhere) and
   * run() has returned after cancel(); not when open() did not complete. What it throws at the
   * end of the input fails the job; otherwise it is logged.
   */
  close(): MaybePromise<void> {}
  /**
   * Produces the records. Either yield them (an async generator gets backpressure for free),
   * or call `ctx.collect` and await what it returns when it returns a promise (the pipeline is
   * full). Returning ends the source; a bounded job ends when all its sources have.
   */
  abstract run(ctx: SourceContext<T>): MaybePromise<void> | AsyncIterable<T> | Iterable<T>;
  /**
   * Asks a running source to stop (job cancelled or failed). run() should then return; from
   * then on ctx.collect throws a SourceCancelledError, so one that ignores cancel() stops at its
   * next record, and a generator is closed.
   */
  cancel(): void {}
  /** The source's position, stored in checkpoints; must be plain data. */
  snapshotState(): unknown {
    return null;
  }
  /**
   * Called before run() with what snapshotState() returned, when the job restarts or resumes
   * from a checkpoint; not on a fresh start (nor on a restart before any checkpoint completed).
   */
  restoreState(_state: unknown): void {}
}

export interface SourceContext<T> {
  /** Emits a record; returns a promise when the pipeline is full (await it to respect backpressure). */
  collect(value: T): void | Promise<void>;
  /** Emits a record with an event-time timestamp (ms). */
  collectWithTimestamp(value: T, timestamp: number): void | Promise<void>;
}

export type SourceSpec =
  | { kind: 'collection'; values: readonly unknown[]; timestamped: false }
  | { kind: 'sequence'; start: bigint; end: bigint; timestamped: false }
  | { kind: 'text-file'; path: string; timestamped: false }
  /** A FileSource: its paths, and the interval between looks for new files (null: the files there at the start). */
  | { kind: 'file'; paths: readonly string[]; monitorIntervalMs: number | null; timestamped: false }
  | { kind: 'function'; fn: SourceFunction<unknown>; timestamped: boolean };
