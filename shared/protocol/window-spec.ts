/**
 * What a window transform ships as its function: one plain object the host builds
 * (host/api/windowed-stream.ts) and the worker's window operator reads
 * (worker/processor/operators/window.ts). Its functions and API objects travel as every
 * function object's fields do (proto/functions.md).
 */
import type { Evictor } from '../api/evictors.ts';
import type { OutputTag } from '../api/output-tag.ts';
import type { Trigger } from '../api/triggers.ts';
import type { WindowAssigner } from '../api/windows.ts';

/** How a window keeps its contents: reduced, aggregated, or every element (for process/apply). */
export type WindowContentsKind = 'reduce' | 'aggregate' | 'list';

/** Which window function runs on the contents when the window fires; 'none': the reduced or aggregated value goes out as it is. */
export type WindowFunctionKind = 'none' | 'apply' | 'process';

export interface WindowSpec {
  readonly assigner: WindowAssigner;
  /** Event time only: how long after its end a window still takes late elements (ms). */
  readonly allowedLateness: number;
  /** Where elements too late for every window go; null: they are dropped. */
  readonly lateDataTag: OutputTag<unknown> | null;
  readonly contents: WindowContentsKind;
  /** The reduce function ('reduce') or the AggregateFunction ('aggregate'); null for 'list'. */
  readonly combine: unknown;
  readonly windowFunctionKind: WindowFunctionKind;
  /**
   * A WindowFunction ('apply') or ProcessWindowFunction ('process'); null for 'none'. For
   * windowAll, an AllWindowFunction or ProcessAllWindowFunction: see `allWindows`.
   */
  readonly windowFunction: unknown;
  /**
   * True for windowAll() and countWindowAll(): the stream was keyed by allWindowsKeySelector()
   * and the window function is called without that key (AllWindowFunction,
   * ProcessAllWindowFunction).
   */
  readonly allWindows: boolean;
  /**
   * The trigger WindowedStream.trigger() gave, which replaces the assigner's default one; null:
   * the assigner's default (the operator's built-in event-time and processing-time triggers, or
   * GlobalWindows' NeverTrigger). A user's Trigger subclass travels as a function object does.
   */
  readonly trigger: Trigger | null;
  /** The evictor WindowedStream.evictor() gave: the window then keeps every element (Flink's EvictingWindowOperator). */
  readonly evictor: Evictor | null;
}

/**
 * windowAll()'s key selector (Flink's NullByteKeySelector): every element gets the one key 0,
 * so that one instance of the window operator, run at parallelism 1, holds every window. The
 * arrow is made here, not in host/, because the host never ships a function of its own
 * runtime; it uses nothing outside itself, so it travels as its source. Messages name it
 * allWindowsKey.
 */
export function allWindowsKeySelector(): (value: unknown) => number {
  const allWindowsKey = (): number => 0;
  return allWindowsKey;
}

/** What messages call a window's functions: the one that runs when it fires (its window function, else its reduce or aggregate function). */
export function windowFunctionName(spec: WindowSpec, nameOf: (fn: unknown) => string): string {
  return nameOf(spec.windowFunction ?? spec.combine);
}
