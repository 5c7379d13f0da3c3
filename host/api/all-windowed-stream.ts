/**
 * AllWindowedStream: a stream cut into windows as a whole, not per key (DataStream.windowAll,
 * countWindowAll: PyFlink's window_all and count_window_all in camelCase). As in Flink, it is a
 * keyed window over one constant key: the stream is keyed by allWindowsKeySelector() and the
 * window operator runs as one instance (parallelism 1, refused otherwise). Everything but the
 * types is WindowedStream's (WindowedStreamBase); the window functions get no key.
 */
import type { AggregateFunction, ReduceLike } from '../../shared/api/functions.ts';
import type { TypeInformation } from '../../shared/api/types.ts';
import type { AllWindowFunctionLike, ProcessAllWindowFunction, ProcessAllWindowFunctionLike } from '../../shared/api/window-functions.ts';
import type { Evictor } from '../../shared/api/evictors.ts';
import type { Trigger } from '../../shared/api/triggers.ts';
import type { TimeWindow, WindowAssigner } from '../../shared/api/windows.ts';
import type { DataStream } from './data-stream.ts';
import { WindowedStreamBase, type AddWindowTransform } from './windowed-stream.ts';

/**
 * A window function given to reduce() or aggregate(): a ProcessAllWindowFunction, or an
 * AllWindowFunction. A plain function is an AllWindowFunction (called as apply(window, inputs,
 * out)), so it is typed as one, and its parameters get their types from the call.
 */
type AllWindowFunctionArg<IN, OUT, W> = AllWindowFunctionLike<IN, OUT, W> | ProcessAllWindowFunction<IN, OUT, W>;

/** `W`: the windows' type, TimeWindow, or CountWindow for countWindowAll(). */
export class AllWindowedStream<T, W = TimeWindow> extends WindowedStreamBase<T> {
  constructor(assigner: WindowAssigner, inputType: TypeInformation<T> | null, add: AddWindowTransform) {
    super(assigner, inputType, add, true);
  }

  /**
   * Fires the windows by `trigger` instead of the assigner's default trigger (Flink's trigger()).
   * Session windows take only a trigger that can merge; count windows take none.
   */
  trigger(trigger: Trigger<T, W>): this {
    this.setTrigger(trigger);
    return this;
  }

  /**
   * Passes each firing window's elements through `evictor` before (and after) its function runs
   * (Flink's evictor()): the window keeps every element, and reduce or aggregate run over what is
   * left when it fires. Count windows take none.
   */
  evictor(evictor: Evictor<T, W>): this {
    this.setEvictor(evictor);
    return this;
  }

  /**
   * Reduces each window's elements as they arrive; when the window fires, the reduced value goes
   * out, or through `windowFunction` (given the window and that one value).
   */
  reduce(fn: ReduceLike<T>): DataStream<T>;
  reduce<R>(fn: ReduceLike<T>, windowFunction: AllWindowFunctionArg<T, R, W>, outputType?: TypeInformation<R>): DataStream<R>;
  reduce<R>(fn: ReduceLike<T>, windowFunction?: AllWindowFunctionArg<T, R, W>, outputType?: TypeInformation<R>): DataStream<R> {
    return this.reduceWindows<R>(fn, windowFunction, outputType);
  }

  /**
   * Aggregates each window's elements with an AggregateFunction as they arrive (session windows
   * merge accumulators with its merge()); when the window fires, getResult() goes out, or
   * through `windowFunction`. `accumulatorType` is accepted for PyFlink's signature.
   */
  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    windowFunction: AllWindowFunctionArg<V, R, W> | null,
    accumulatorType?: TypeInformation<ACC> | null,
    outputType?: TypeInformation<R>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    windowFunction?: AllWindowFunctionArg<V, R, W> | null,
    accumulatorType?: TypeInformation<ACC> | null,
    outputType?: TypeInformation<R>,
  ): DataStream<R> {
    return this.aggregateWindows<R>(fn, windowFunction, accumulatorType, outputType);
  }

  /** Keeps every element of a window; when it fires, `fn` gets a context (its window(), …) and the elements. */
  process<R>(fn: ProcessAllWindowFunctionLike<T, R, W>, outputType?: TypeInformation<R>): DataStream<R> {
    return this.processWindows<R>(fn, outputType);
  }

  /** Keeps every element of a window; when it fires, `fn` gets the window and the elements. */
  apply<R>(fn: AllWindowFunctionLike<T, R, W>, outputType?: TypeInformation<R>): DataStream<R> {
    return this.applyWindows<R>(fn, outputType);
  }
}
