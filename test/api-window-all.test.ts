/**
 * windowAll() and countWindowAll() in the API: as in Flink, a keyed window over one constant key
 * whose operator runs as one instance. What the calls add to the job (a key_by that gives every
 * element the key 0, then a window transform at parallelism 1 whose WindowSpec says allWindows),
 * the operator names ('AllWindow(reduce)', …), the plan, the refusal of any other parallelism,
 * and the refusal of what makes no sense, each saying what was expected, with nothing left in
 * the job. The types are checked too (this file is typechecked): the window functions' parameters
 * get their types from the call, and a keyed window function does not fit.
 */
import { describe, expect, it } from 'vitest';
import {
  AggregateFunction,
  AllWindowFunction,
  AllWindowedStream,
  CountSlidingWindowAssigner,
  CountTumblingWindowAssigner,
  CountWindow,
  JobDefinitionError,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  StreamExecutionEnvironment,
  TimeWindow,
  TumblingEventTimeWindows,
  Types,
  WindowFunction,
  type Collector,
  type DataStream,
  type ProcessWindowContext,
} from '../host/index.ts';
import type { Transformation, UdfTransformation } from '../host/graph/transformation.ts';
import type { WindowSpec } from '../shared/protocol/window-spec.ts';

type E = [string, number];

function environment(settings: Record<string, unknown> = {}): StreamExecutionEnvironment {
  return StreamExecutionEnvironment.getExecutionEnvironment({ 'udf.execution-mode': 'embedded', ...settings });
}

function transformationsOf(env: StreamExecutionEnvironment): Transformation[] {
  return env['transformations'];
}

function events(env = environment()): DataStream<E> {
  return env.fromCollection<E>([['a', 1]]);
}

const sum = (x: E, y: E): E => [x[0], x[1] + y[1]];

class Count extends AggregateFunction<E, number, number> {
  createAccumulator(): number {
    return 0;
  }
  add(_e: E, acc: number): number {
    return acc + 1;
  }
  getResult(acc: number): number {
    return acc;
  }
}

class AllProcess extends ProcessAllWindowFunction<E, string> {
  process(ctx: ProcessWindowContext, elements: Iterable<E>): string[] {
    return [`${ctx.window().start}: ${[...elements].length}`];
  }
}

class AllApply extends AllWindowFunction<number, string> {
  apply(window: TimeWindow, inputs: Iterable<number>, out: Collector<string>): void {
    for (const n of inputs) out.collect(`${window.start}: ${n}`);
  }
}

class KeyedProcess extends ProcessWindowFunction<E, string, string> {
  process(key: string): string[] {
    return [key];
  }
}

class KeyedApply extends WindowFunction<E, string, string> {
  apply(key: string): string[] {
    return [key];
  }
}

function refusal(define: () => unknown): string {
  try {
    define();
  } catch (error) {
    expect(error).toBeInstanceOf(JobDefinitionError);
    return (error as Error).message;
  }
  return 'accepted';
}

/** The window transformation `stream` is the output of, and the key_by before it. */
function windowOf<X>(stream: DataStream<X>): { window: UdfTransformation; keyBy: UdfTransformation; spec: WindowSpec } {
  const window = stream.transformation as UdfTransformation;
  return { window, keyBy: window.input as UdfTransformation, spec: window.fn as WindowSpec };
}

describe('windowAll()', () => {
  it('keys the stream by one constant and runs the window operator at parallelism 1, its spec saying allWindows', () => {
    const env = environment();
    const source = events(env);
    const result = source.windowAll(TumblingEventTimeWindows.of(10)).reduce(sum);
    const { window, keyBy, spec } = windowOf(result);
    expect(transformationsOf(env).map((t) => t.name)).toEqual(['Source: Collection Source', 'Key By (windowAll)', 'AllWindow(reduce)']);
    expect([keyBy.udf, keyBy.input, keyBy.parallelism]).toEqual(['key_by', source.transformation, null]);
    expect((keyBy.fn as (e: E) => unknown)(['z', 99])).toBe(0);
    expect([window.udf, window.keyedInput, window.parallelism, window.nonParallel]).toEqual(['window', true, 1, true]);
    expect([spec.allWindows, spec.contents, spec.windowFunctionKind]).toEqual([true, 'reduce', 'none']);
  });

  it('adds nothing until a window function is given', () => {
    const env = environment();
    const windowed = events(env).windowAll(TumblingEventTimeWindows.of(10)).allowedLateness(5);
    expect(windowed).toBeInstanceOf(AllWindowedStream);
    expect(transformationsOf(env)).toHaveLength(1);
  });

  it('names its operators AllWindow(…); a keyed window stays Window(…) without allWindows', () => {
    const windowed = () => events().windowAll(TumblingEventTimeWindows.of(10));
    expect(windowOf(windowed().aggregate(new Count())).window.name).toBe('AllWindow(aggregate)');
    expect(windowOf(windowed().process(new AllProcess())).window.name).toBe('AllWindow(process)');
    expect(windowOf(windowed().apply((w, inputs) => [w.start, [...inputs].length])).window.name).toBe('AllWindow(apply)');
    const keyed = windowOf(
      events()
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(10))
        .reduce(sum),
    );
    expect([keyed.window.name, keyed.spec.allWindows, keyed.window.parallelism, keyed.window.nonParallel]).toEqual(['Window(reduce)', false, null, false]);
  });

  it('takes a window function for reduce and aggregate: an object with process() is a ProcessAllWindowFunction, anything else an AllWindowFunction', () => {
    const windowed = () => events().windowAll(TumblingEventTimeWindows.of(10));
    expect(windowOf(windowed().reduce(sum, new AllProcessOfOne())).spec.windowFunctionKind).toBe('process');
    expect(windowOf(windowed().aggregate(new Count(), new AllApply(), null, Types.STRING())).spec.windowFunctionKind).toBe('apply');
    expect(windowOf(windowed().reduce(sum, (window, inputs) => [...inputs].map((e) => [window.end, e[1]]))).spec.windowFunctionKind).toBe('apply');
    const spec = windowOf(windowed().allowedLateness(7).aggregate(new Count(), null)).spec;
    expect([spec.windowFunctionKind, spec.allowedLateness, spec.contents]).toEqual(['none', 7, 'aggregate']);
  });

  it('on a KeyedStream, keys again by the constant (as Flink does): one window instance for every key', () => {
    const env = environment();
    const keyed = events(env).keyBy((e) => e[0]);
    const { keyBy, window } = windowOf(keyed.windowAll(TumblingEventTimeWindows.of(10)).reduce(sum));
    expect(keyBy.input).toBe(keyed.transformation);
    expect([window.parallelism, (window.fn as WindowSpec).allWindows]).toEqual([1, true]);
  });

  it('refuses any parallelism but 1 on its result, as Flink does', () => {
    const result = events().windowAll(TumblingEventTimeWindows.of(10)).reduce(sum);
    expect(refusal(() => result.setParallelism(2))).toBe(
      "'AllWindow(reduce)' is a windowAll() operator, which is not parallel (as in Flink): its parallelism must be 1",
    );
    expect(refusal(() => result.name('totals').setParallelism(1).forceNonParallel())).toBe('accepted');
    expect(refusal(() => result.setParallelism(3))).toBe("'totals' is a windowAll() operator, which is not parallel (as in Flink): its parallelism must be 1");
  });

  it('shows in the plan: the key_by beside its input, a HASH edge into the one window instance', () => {
    const env = environment({ 'parallelism.default': 2 });
    env
      .fromCollection<E>([['a', 1]])
      .map((e) => e)
      .windowAll(TumblingEventTimeWindows.of(10))
      .process(new AllProcess())
      .print();
    const nodes = (
      JSON.parse(env.getExecutionPlan()) as {
        nodes: { id: number; type: string; contents: string; parallelism: number; predecessors?: { id: number; ship_strategy: string }[] }[];
      }
    ).nodes;
    expect(nodes.map(({ id, type, contents, parallelism, predecessors }) => ({ id, type, contents, parallelism, predecessors }))).toEqual([
      { id: 1, type: 'Source: Collection Source', contents: 'Source: Collection Source', parallelism: 1, predecessors: undefined },
      { id: 2, type: 'Map', contents: 'Map', parallelism: 2, predecessors: [{ id: 1, ship_strategy: 'REBALANCE' }] },
      { id: 3, type: 'Key By', contents: 'Key By (windowAll)', parallelism: 2, predecessors: [{ id: 2, ship_strategy: 'FORWARD' }] },
      { id: 4, type: 'AllWindow', contents: 'AllWindow(process)', parallelism: 1, predecessors: [{ id: 3, ship_strategy: 'HASH' }] },
      { id: 5, type: 'Sink: Print to Std. Out', contents: 'Sink: Print to Std. Out', parallelism: 2, predecessors: [{ id: 4, ship_strategy: 'REBALANCE' }] },
    ]);
  });

  it('refuses what is not a WindowAssigner, and a wrong function or type, leaving nothing in the job', () => {
    const env = environment();
    const source = events(env);
    const windowed = () => source.windowAll(TumblingEventTimeWindows.of(10));
    const refusals = [
      refusal(() => source.windowAll(10 as unknown as TumblingEventTimeWindows)),
      refusal(() => windowed().reduce(42 as unknown as typeof sum)),
      refusal(() => windowed().reduce(async (x: E, y: E): Promise<E> => sum(x, y))),
      refusal(() => windowed().aggregate({ add: () => 0 } as unknown as Count)),
      refusal(() => windowed().aggregate(new Count(), null, 'LONG' as unknown as null)),
      refusal(() => windowed().process({} as unknown as AllProcess)),
      refusal(() => windowed().apply(null as unknown as AllWindowFunction<E, string>)),
      refusal(() => windowed().apply(new AllApply() as unknown as AllWindowFunction<E, string>, 'STRING' as unknown as undefined)),
      refusal(() => windowed().allowedLateness(-1)),
      refusal(() => windowed().sideOutputLateData('late' as never)),
    ];
    expect(refusals).toEqual([
      'windowAll() takes a WindowAssigner (TumblingEventTimeWindows.of(size), EventTimeSessionWindows.withGap(gap), …)',
      'reduce() must be a function or an object with a reduce() method, got number',
      "reduce(): the function is async; a window's reduce function must return its result (the window keeps it in its state within the call, as in Flink); use process() for asynchronous work",
      'aggregate() takes an AggregateFunction (createAccumulator, add, getResult, and merge for session windows); it has no createAccumulator()',
      'aggregate(): the accumulator type must be a Types.X() value',
      'process() must be a function or an object with a process() method, got an object without a method of that name (Object)',
      'apply() must be a function or an object with a apply() method, got null',
      'AllWindow(apply): the output type must be a Types.X() value',
      'allowedLateness() takes a non-negative number of milliseconds or a Time, got -1',
      'sideOutputLateData takes an OutputTag',
    ]);
    expect(transformationsOf(env)).toHaveLength(1);
  });

  it('refuses a keyed window function, whose arguments would be shifted by the key it would not get', () => {
    const env = environment();
    const source = events(env);
    const windowed = () => source.windowAll(TumblingEventTimeWindows.of(10));
    expect([
      // @ts-expect-error a ProcessWindowFunction's process() takes a key first
      refusal(() => windowed().process(new KeyedProcess())),
      // @ts-expect-error a WindowFunction's apply() takes a key first
      refusal(() => windowed().apply(new KeyedApply())),
      // @ts-expect-error likewise as reduce()'s window function
      refusal(() => windowed().reduce(sum, new KeyedProcess())),
      // @ts-expect-error and as aggregate()'s
      refusal(() => windowed().aggregate(new Count(), new KeyedApply())),
    ]).toEqual([
      'process(): windowAll() windows have no key: give a ProcessAllWindowFunction (process(context, elements, out)), not a ProcessWindowFunction',
      'apply(): windowAll() windows have no key: give an AllWindowFunction (apply(window, inputs, out)), not a WindowFunction',
      'reduce(): windowAll() windows have no key: give a ProcessAllWindowFunction (process(context, elements, out)), not a ProcessWindowFunction',
      'aggregate(): windowAll() windows have no key: give an AllWindowFunction (apply(window, inputs, out)), not a WindowFunction',
    ]);
    expect(transformationsOf(env)).toHaveLength(1);
  });

  it('and a keyed window refuses an all-window function', () => {
    const windowed = () =>
      events()
        .keyBy((e) => e[0])
        .window(TumblingEventTimeWindows.of(10));
    expect([
      // @ts-expect-error a ProcessAllWindowFunction's process() takes no key
      refusal(() => windowed().process(new AllProcess())),
      // @ts-expect-error an AllWindowFunction's apply() takes no key
      refusal(() => windowed().aggregate(new Count(), new AllApply())),
    ]).toEqual([
      "process(): a keyed stream's windows are given their key: give a ProcessWindowFunction (process(key, context, elements, out)), not a ProcessAllWindowFunction, which is for windowAll()",
      "aggregate(): a keyed stream's windows are given their key: give a WindowFunction (apply(key, window, inputs, out)), not an AllWindowFunction, which is for windowAll()",
    ]);
  });
});

describe('countWindowAll()', () => {
  it('makes count windows of the whole stream, tumbling or (with a slide but 0) sliding, given to the functions as CountWindows', () => {
    const windowed = events().countWindowAll(3);
    const tumbling = windowOf(windowed.apply((window: CountWindow, inputs) => [window.id, [...inputs].length])).spec;
    expect(tumbling.assigner).toEqual(CountTumblingWindowAssigner.of(3));
    expect(windowOf(events().countWindowAll(3, 0).reduce(sum)).spec.assigner).toEqual(CountTumblingWindowAssigner.of(3));
    const sliding = windowOf(events().countWindowAll(3, 2).process(new CountIds()));
    expect([sliding.spec.assigner, sliding.spec.allWindows, sliding.window.name, sliding.window.parallelism]).toEqual([
      CountSlidingWindowAssigner.of(3, 2),
      true,
      'AllWindow(process)',
      1,
    ]);
  });

  it('refuses a size or slide that is not a positive integer, as countWindow() does', () => {
    expect(() => events().countWindowAll(0)).toThrow(new RangeError("a count window's size must be a positive integer, got 0"));
    expect(() => events().countWindowAll(3, -1)).toThrow(new RangeError("a count window's slide must be a positive integer, got -1"));
  });
});

class AllProcessOfOne extends ProcessAllWindowFunction<E, number> {
  process(_ctx: ProcessWindowContext, elements: Iterable<E>): number[] {
    return [...elements].map((e) => e[1]);
  }
}

class CountIds extends ProcessAllWindowFunction<E, number, CountWindow> {
  process(ctx: ProcessWindowContext<CountWindow>): number[] {
    return [ctx.window().id];
  }
}
