/**
 * The functions a WindowedStream runs on a window's contents when it fires: PyFlink's
 * WindowFunction and ProcessWindowFunction in camelCase, and for an AllWindowedStream
 * (windowAll, countWindowAll) their twins without a key, AllWindowFunction and
 * ProcessAllWindowFunction. Like a process function, each may return an iterable (a generator
 * included) or an async iterable, or call `out.collect`.
 */
import type { Collector, KeyedStateStore } from './contexts.ts';
import { RichFunction, type Emitted, type MaybePromise } from './functions.ts';
import type { OutputTag } from './output-tag.ts';
import type { TimeWindow } from './windows.ts';

/**
 * What a ProcessWindowFunction (or ProcessAllWindowFunction) is given beside the window's
 * elements, in process() and in clear(). As in Flink, a context, and the state its stores give,
 * is good for the call it was given to only: kept and used in a later call (or after an
 * asynchronous process() has finished), windowState(), globalState() and the per-window states
 * throw.
 */
export interface ProcessWindowContext<W = TimeWindow> {
  /** The window being evaluated (or purged, in clear()). */
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** Emits to a side output, as a process function's ctx.output. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /**
   * The key's state scoped to this window (Flink's windowState()): each window of the key has its
   * own, kept across the window's firings (a late element fires it again with the same state)
   * until the function clears it, in clear(): nothing else does, as in Flink. A session window's
   * is that of the session it grew from: when sessions merge, the merged session keeps the
   * earliest one's, and the others' is neither merged nor cleared. For windowAll, the state of
   * the one key the whole stream has. Names beginning with `__` are the window operator's own.
   */
  windowState(): KeyedStateStore;
  /**
   * The key's state shared by all its windows (Flink's globalState()): the default namespace,
   * the state getRuntimeContext() gives too. Names beginning with `__` are the window operator's own.
   */
  globalState(): KeyedStateStore;
}

export abstract class ProcessWindowFunction<IN = unknown, OUT = unknown, KEY = unknown, W = TimeWindow> extends RichFunction {
  abstract process(key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  /**
   * Called when the window is purged (its allowed lateness over; a count window once it fired):
   * the place to clear the window's `context.windowState()`, which is not cleared otherwise. The
   * base version does nothing.
   */
  clear(_context: ProcessWindowContext<W>): MaybePromise<void> {}
}

export abstract class WindowFunction<IN = unknown, OUT = unknown, KEY = unknown, W = TimeWindow> extends RichFunction {
  abstract apply(key: KEY, window: W, inputs: Iterable<IN>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
}

export type ProcessWindowFunctionLike<IN, OUT, KEY, W = TimeWindow> =
  | ProcessWindowFunction<IN, OUT, KEY, W>
  | ((key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>) => MaybePromise<Emitted<OUT>>);

export type WindowFunctionLike<IN, OUT, KEY, W = TimeWindow> =
  | WindowFunction<IN, OUT, KEY, W>
  | ((key: KEY, window: W, inputs: Iterable<IN>, out: Collector<OUT>) => MaybePromise<Emitted<OUT>>);

/** A ProcessWindowFunction without the key, for windowAll() and countWindowAll(): every element is in one stream of windows. */
export abstract class ProcessAllWindowFunction<IN = unknown, OUT = unknown, W = TimeWindow> extends RichFunction {
  abstract process(context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  /**
   * Called when the window is purged (its allowed lateness over; a count window once it fired):
   * the place to clear the window's `context.windowState()`, which is not cleared otherwise. The
   * base version does nothing.
   */
  clear(_context: ProcessWindowContext<W>): MaybePromise<void> {}
}

/** A WindowFunction without the key, for windowAll() and countWindowAll(). */
export abstract class AllWindowFunction<IN = unknown, OUT = unknown, W = TimeWindow> extends RichFunction {
  abstract apply(window: W, inputs: Iterable<IN>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
}

export type ProcessAllWindowFunctionLike<IN, OUT, W = TimeWindow> =
  | ProcessAllWindowFunction<IN, OUT, W>
  | ((context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>) => MaybePromise<Emitted<OUT>>);

export type AllWindowFunctionLike<IN, OUT, W = TimeWindow> =
  | AllWindowFunction<IN, OUT, W>
  | ((window: W, inputs: Iterable<IN>, out: Collector<OUT>) => MaybePromise<Emitted<OUT>>);
