/**
 * WindowedStream: a keyed stream cut into windows (KeyedStream.window(assigner)), PyFlink's in
 * camelCase. reduce, aggregate, process or apply each add one window transform, run in a worker
 * by the window operator (worker/processor/operators/window.ts) on the worker's keyed state and
 * host-owned timers, so windows are checkpointed and restored with the rest of the keyed state.
 *
 * WindowedStreamBase holds what the keyed WindowedStream and the non-keyed AllWindowedStream
 * (all-windowed-stream.ts) share: the assigner, lateness and late-data tag, the argument checks
 * and the WindowSpec each call ships. The two subclasses only give the calls their types, which
 * differ by the key their window functions get or do not get.
 */
import type { AggregateFunction, ReduceLike } from '../../shared/api/functions.ts';
import { OutputTag } from '../../shared/api/output-tag.ts';
import { Time } from '../../shared/api/time.ts';
import { TypeInformation } from '../../shared/api/types.ts';
import {
  AllWindowFunction,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  WindowFunction,
  type ProcessWindowFunctionLike,
  type WindowFunctionLike,
} from '../../shared/api/window-functions.ts';
import { Evictor } from '../../shared/api/evictors.ts';
import { Trigger } from '../../shared/api/triggers.ts';
import { CountWindowAssigner, WindowAssigner, type Duration, type TimeWindow } from '../../shared/api/windows.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import type { WindowContentsKind, WindowFunctionKind, WindowSpec } from '../../shared/protocol/window-spec.ts';
import type { DataStream } from './data-stream.ts';
import { checkFunction } from './function-checks.ts';

/** Adds the window transform (the stream hands this in: only it may add a transform on its input). */
export type AddWindowTransform = <R>(name: string, spec: WindowSpec, outputType: TypeInformation<R> | undefined) => DataStream<R>;

/**
 * A window function given to reduce() or aggregate(): a ProcessWindowFunction, or a
 * WindowFunction. A plain function is a WindowFunction (it is called as apply()), so it is
 * typed as one, and its parameters get their types from the call.
 */
type WindowFunctionArg<IN, OUT, KEY, W> = WindowFunctionLike<IN, OUT, KEY, W> | ProcessWindowFunction<IN, OUT, KEY, W>;

/**
 * The windows of a WindowedStream (one set per key) or of an AllWindowedStream (one set for the
 * whole stream, keyed by a constant). `allWindows` says which: it picks the call named in
 * messages (window() or windowAll()), the operator names ('Window(reduce)' or
 * 'AllWindow(reduce)') and how the worker calls the window function (with the key or without).
 */
export abstract class WindowedStreamBase<T> {
  private lateness = 0;
  private lateDataTag: OutputTag<unknown> | null = null;
  private windowTrigger: Trigger | null = null;
  private windowEvictor: Evictor | null = null;

  constructor(
    private readonly assigner: WindowAssigner,
    private readonly inputType: TypeInformation<T> | null,
    private readonly add: AddWindowTransform,
    private readonly allWindows: boolean,
  ) {
    if (!(assigner instanceof WindowAssigner)) {
      throw new JobDefinitionError(
        `${allWindows ? 'windowAll()' : 'window()'} takes a WindowAssigner (TumblingEventTimeWindows.of(size), EventTimeSessionWindows.withGap(gap), …)`,
      );
    }
  }

  /**
   * Event time: how long (ms, or a Time) after its end a window still takes late elements; each
   * one fires the window again with everything it holds. The window's state goes once the
   * watermark passes its end plus this. Default 0. Processing-time windows have no lateness.
   */
  allowedLateness(lateness: Duration): this {
    const ms = lateness instanceof Time ? lateness.toMilliseconds() : lateness;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new JobDefinitionError(`allowedLateness() takes a non-negative number of milliseconds or a Time, got ${String(lateness)}`);
    }
    this.lateness = ms;
    return this;
  }

  /** Elements too late for every window they belong to go to this side output (getSideOutput(tag) of the result) instead of nowhere. */
  sideOutputLateData(tag: OutputTag<T>): this {
    if (!(tag instanceof OutputTag)) throw new JobDefinitionError('sideOutputLateData takes an OutputTag');
    this.lateDataTag = tag as OutputTag<unknown>;
    return this;
  }

  /**
   * The trigger the windows fire by instead of the assigner's default (Flink's trigger()).
   * Refused: what is not a Trigger, any trigger on count windows (they are counted by the
   * operator: use window(GlobalWindows.create()) with a CountTrigger), and on merging (session)
   * windows one whose canMerge() is false.
   */
  protected setTrigger(trigger: unknown): void {
    const call = `${this.windowCall()}.trigger()`;
    if (!(trigger instanceof Trigger)) {
      throw new JobDefinitionError(`${call} takes a Trigger (CountTrigger.of(n), PurgingTrigger.of(trigger), a subclass of Trigger, …), got ${describe(trigger)}`);
    }
    this.refuseOnCountWindows(call);
    if (this.assigner.isMerging() && !trigger.canMerge()) {
      throw new JobDefinitionError(`${call}: a merging window assigner (session windows) cannot be used with a trigger that does not support merging (${describe(trigger)}: canMerge() is false)`);
    }
    this.windowTrigger = trigger;
  }

  /** The evictor the windows' elements go through when they fire (Flink's evictor()); refused on count windows. */
  protected setEvictor(evictor: unknown): void {
    const call = `${this.windowCall()}.evictor()`;
    if (!(evictor instanceof Evictor)) {
      throw new JobDefinitionError(`${call} takes an Evictor (CountEvictor.of(n), TimeEvictor.of(size), DeltaEvictor.of(threshold, fn), a subclass of Evictor), got ${describe(evictor)}`);
    }
    this.refuseOnCountWindows(call);
    this.windowEvictor = evictor;
  }

  private refuseOnCountWindows(call: string): void {
    if (this.assigner instanceof CountWindowAssigner) {
      throw new JobDefinitionError(
        `${call}: count windows (${this.allWindows ? 'countWindowAll' : 'countWindow'}()) take neither a trigger nor an evictor; as Flink builds its count windows, use ` +
          `${this.allWindows ? 'windowAll' : 'window'}(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(size)))`,
      );
    }
  }

  private windowCall(): string {
    return this.allWindows ? 'windowAll()' : 'window()';
  }

  protected reduceWindows<R>(fn: ReduceLike<T>, windowFunction: unknown, outputType: TypeInformation<R> | undefined): DataStream<R> {
    checkFunction(fn, 'reduce', 'reduce()');
    refuseAsync(fn, ['reduce'], 'reduce()');
    const type = windowFunction === undefined ? (this.inputType as TypeInformation<unknown> | null) ?? undefined : outputType;
    return this.transform<R>('reduce', fn, windowFunction, type);
  }

  protected aggregateWindows<R>(fn: unknown, windowFunction: unknown, accumulatorType: unknown, outputType: TypeInformation<R> | undefined): DataStream<R> {
    for (const method of ['createAccumulator', 'add', 'getResult']) {
      if (typeof (fn as Record<string, unknown> | null)?.[method] !== 'function') {
        throw new JobDefinitionError(`aggregate() takes an AggregateFunction (createAccumulator, add, getResult, and merge for session windows); it has no ${method}()`);
      }
    }
    refuseAsync(fn, ['createAccumulator', 'add', 'getResult', 'merge'], 'aggregate()');
    if (accumulatorType != null && !(accumulatorType instanceof TypeInformation)) {
      throw new JobDefinitionError('aggregate(): the accumulator type must be a Types.X() value');
    }
    return this.transform<R>('aggregate', fn, windowFunction ?? undefined, outputType);
  }

  protected processWindows<R>(fn: unknown, outputType: TypeInformation<R> | undefined): DataStream<R> {
    checkFunction(fn, 'process', 'process()');
    this.refuseOtherKind(fn, 'process()');
    return this.build<R>('list', null, 'process', fn, outputType, 'process');
  }

  protected applyWindows<R>(fn: unknown, outputType: TypeInformation<R> | undefined): DataStream<R> {
    checkFunction(fn, 'apply', 'apply()');
    this.refuseOtherKind(fn, 'apply()');
    return this.build<R>('list', null, 'apply', fn, outputType, 'apply');
  }

  private transform<R>(contents: 'reduce' | 'aggregate', combine: unknown, windowFunction: unknown, outputType: TypeInformation<unknown> | undefined): DataStream<R> {
    if (windowFunction === undefined) return this.build<R>(contents, combine, 'none', null, outputType, contents);
    const isProcess = typeof windowFunction === 'object' && windowFunction !== null && typeof (windowFunction as { process?: unknown }).process === 'function';
    if (!isProcess) checkFunction(windowFunction, 'apply', `${this.operatorName(contents)}: the window function`);
    this.refuseOtherKind(windowFunction, `${contents}()`);
    return this.build<R>(contents, combine, isProcess ? 'process' : 'apply', windowFunction, outputType, contents);
  }

  /**
   * A window function written for the other kind of stream would be called with arguments
   * shifted by the key: a keyed window's ProcessWindowFunction or WindowFunction on windowAll,
   * or an AllWindowFunction or ProcessAllWindowFunction on a keyed window. Refused here, at
   * the call that passed it. (A plain function's parameters cannot be told apart: TypeScript
   * checks those.)
   */
  private refuseOtherKind(fn: unknown, call: string): void {
    if (this.allWindows) {
      if (fn instanceof ProcessWindowFunction) {
        throw new JobDefinitionError(`${call}: windowAll() windows have no key: give a ProcessAllWindowFunction (process(context, elements, out)), not a ProcessWindowFunction`);
      }
      if (fn instanceof WindowFunction) {
        throw new JobDefinitionError(`${call}: windowAll() windows have no key: give an AllWindowFunction (apply(window, inputs, out)), not a WindowFunction`);
      }
    } else {
      if (fn instanceof ProcessAllWindowFunction) {
        throw new JobDefinitionError(
          `${call}: a keyed stream's windows are given their key: give a ProcessWindowFunction (process(key, context, elements, out)), not a ProcessAllWindowFunction, which is for windowAll()`,
        );
      }
      if (fn instanceof AllWindowFunction) {
        throw new JobDefinitionError(
          `${call}: a keyed stream's windows are given their key: give a WindowFunction (apply(key, window, inputs, out)), not an AllWindowFunction, which is for windowAll()`,
        );
      }
    }
  }

  /** 'Window(reduce)' for a keyed stream's windows, 'AllWindow(reduce)' for windowAll's. */
  private operatorName(call: string): string {
    return `${this.allWindows ? 'AllWindow' : 'Window'}(${call})`;
  }

  private build<R>(
    contents: WindowContentsKind,
    combine: unknown,
    windowFunctionKind: WindowFunctionKind,
    windowFunction: unknown,
    outputType: TypeInformation<unknown> | undefined,
    call: string,
  ): DataStream<R> {
    const name = this.operatorName(call);
    if (outputType !== undefined && !(outputType instanceof TypeInformation)) {
      throw new JobDefinitionError(`${name}: the output type must be a Types.X() value`);
    }
    const spec: WindowSpec = {
      assigner: this.assigner,
      allowedLateness: this.lateness,
      lateDataTag: this.lateDataTag,
      contents,
      combine,
      windowFunctionKind,
      windowFunction,
      allWindows: this.allWindows,
      trigger: this.windowTrigger,
      evictor: this.windowEvictor,
    };
    // Late data is a side output of the window transform: getSideOutput(tag) on the result reads it.
    return this.add<R>(name, spec, outputType as TypeInformation<R> | undefined);
  }
}

/** `W`: the windows' type, TimeWindow, or CountWindow for countWindow(). */
export class WindowedStream<T, K, W = TimeWindow> extends WindowedStreamBase<T> {
  constructor(assigner: WindowAssigner, inputType: TypeInformation<T> | null, add: AddWindowTransform) {
    super(assigner, inputType, add, false);
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
   * out, or through `windowFunction` (given the key, the window and that one value).
   */
  reduce(fn: ReduceLike<T>): DataStream<T>;
  reduce<R>(fn: ReduceLike<T>, windowFunction: WindowFunctionArg<T, R, K, W>, outputType?: TypeInformation<R>): DataStream<R>;
  reduce<R>(fn: ReduceLike<T>, windowFunction?: WindowFunctionArg<T, R, K, W>, outputType?: TypeInformation<R>): DataStream<R> {
    return this.reduceWindows<R>(fn, windowFunction, outputType);
  }

  /**
   * Aggregates each window's elements with an AggregateFunction as they arrive (session windows
   * merge accumulators with its merge()); when the window fires, getResult() goes out, or
   * through `windowFunction`. `accumulatorType` is accepted for PyFlink's signature: an
   * accumulator is state, kept as a generic value.
   */
  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    windowFunction: WindowFunctionArg<V, R, K, W> | null,
    accumulatorType?: TypeInformation<ACC> | null,
    outputType?: TypeInformation<R>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    windowFunction?: WindowFunctionArg<V, R, K, W> | null,
    accumulatorType?: TypeInformation<ACC> | null,
    outputType?: TypeInformation<R>,
  ): DataStream<R> {
    return this.aggregateWindows<R>(fn, windowFunction, accumulatorType, outputType);
  }

  /** Keeps every element of a window; when it fires, `fn` gets the key, a context (its window(), …) and the elements. */
  process<R>(fn: ProcessWindowFunctionLike<T, R, K, W>, outputType?: TypeInformation<R>): DataStream<R> {
    return this.processWindows<R>(fn, outputType);
  }

  /** Keeps every element of a window; when it fires, `fn` gets the key, the window and the elements. */
  apply<R>(fn: WindowFunctionLike<T, R, K, W>, outputType?: TypeInformation<R>): DataStream<R> {
    return this.applyWindows<R>(fn, outputType);
  }
}

/** A value as refusals name it: its class, or its type. */
function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? `a function ${value.name || '(anonymous)'}` : String(value);
  const name = (value as { constructor?: { name?: string } }).constructor?.name;
  return name === undefined || name === '' || name === 'Object' ? 'a plain object' : `a ${name}`;
}

/**
 * A window's reduce and aggregate functions run inside its state's update, one call per element
 * (as Flink's and PyFlink's do): they must return their result, not a promise. One declared
 * `async` is refused here; one that returns a promise otherwise fails on its first element.
 */
function refuseAsync(fn: unknown, methods: readonly string[], call: string): void {
  for (const method of methods) {
    const f = typeof fn === 'function' && method === 'reduce' ? fn : (fn as Record<string, unknown> | null)?.[method];
    const kind = typeof f === 'function' ? f.constructor.name : '';
    if (kind === 'AsyncFunction' || kind === 'AsyncGeneratorFunction') {
      throw new JobDefinitionError(
        `${call}: ${typeof fn === 'function' ? 'the function' : `its ${method}()`} is async; a window's ${call.slice(0, -2)} function must return its ` +
          'result (the window keeps it in its state within the call, as in Flink); use process() for asynchronous work',
      );
    }
  }
}
