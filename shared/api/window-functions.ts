/**
 * The functions a WindowedStream runs on a window's contents when it fires: PyFlink's
 * WindowFunction and ProcessWindowFunction in camelCase, and for an AllWindowedStream
 * (windowAll, countWindowAll) their twins without a key, AllWindowFunction and
 * ProcessAllWindowFunction. Like a process function, each may return an iterable (a generator
 * included) or an async iterable, or call `out.collect`.
 */
import type { Collector } from './contexts.ts';
import { RichFunction, type Emitted, type MaybePromise } from './functions.ts';
import type { OutputTag } from './output-tag.ts';
import type { TimeWindow } from './windows.ts';

/** What a ProcessWindowFunction is given beside the window's elements. */
export interface ProcessWindowContext<W = TimeWindow> {
  /** The window being evaluated. */
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** Emits to a side output, as a process function's ctx.output. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

export abstract class ProcessWindowFunction<IN = unknown, OUT = unknown, KEY = unknown, W = TimeWindow> extends RichFunction {
  abstract process(key: KEY, context: ProcessWindowContext<W>, elements: Iterable<IN>, out: Collector<OUT>): MaybePromise<Emitted<OUT>>;
  /** Called when the window is purged (its allowed lateness over); the base version does nothing. */
  clear(_context: ProcessWindowContext<W>): void {}
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
  /** Called when the window is purged (its allowed lateness over); the base version does nothing. */
  clear(_context: ProcessWindowContext<W>): void {}
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
