/** Functions the window-state tests run (a module, so that workers load them from here). */
import {
  MapFunction,
  MapStateDescriptor,
  OutputTag,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  ReducingStateDescriptor,
  ListStateDescriptor,
  ValueStateDescriptor,
  type CountWindow,
  type ProcessWindowContext,
  type RuntimeContext,
  type TimeWindow,
} from '../../host/index.ts';

export type Event = [string, number];
type AnyWindow = TimeWindow | CountWindow;

/** A window as numbers: [start, end] of a time window, [id] of a count window. */
export function windowOf(w: AnyWindow): number[] {
  return 'id' in w ? [w.id] : [w.start, w.end];
}

/** [key, window, sum of the values, the window's firings so far, the key's firings so far over all its windows]. */
export type Fired = [string, number[], number, number, number];
/** What clear() saw: [key, window, the window's firings before it cleared them, after]. */
export type Cleared = [string, number[], number | null, number | null];
export const CLEARED = new OutputTag<Cleared>('cleared');

/** One name in both stores: two states apart, the window's and the key's. */
const FIRINGS = new ValueStateDescriptor<number>('firings');
/** The key, for clear(), which is not given it. */
const KEY = new ValueStateDescriptor<string>('key');

/** Counts firings per window (windowState) and per key (globalState); clear() reports and clears the window's count. */
export class FiringCounts extends ProcessWindowFunction<Event, Fired, string, AnyWindow> {
  process(key: string, ctx: ProcessWindowContext<AnyWindow>, elements: Iterable<Event>): Fired[] {
    const mine = ctx.windowState().getState(FIRINGS);
    const n = (mine.value() ?? 0) + 1;
    mine.update(n);
    const all = ctx.globalState().getState(FIRINGS);
    const g = (all.value() ?? 0) + 1;
    all.update(g);
    ctx.globalState().getState(KEY).update(key);
    let sum = 0;
    for (const [, v] of elements) sum += v;
    return [[key, windowOf(ctx.window()), sum, n, g]];
  }

  override clear(ctx: ProcessWindowContext<AnyWindow>): void {
    const mine = ctx.windowState().getState(FIRINGS);
    const before = mine.value();
    mine.clear();
    ctx.output(CLEARED, [ctx.globalState().getState(KEY).value() ?? '?', windowOf(ctx.window()), before, mine.value()]);
  }
}

/** [key, window, the number of elements the window held at each of its firings]. */
export type Sizes = [string, number[], number[]];
export const CLEARED_SIZES = new OutputTag<Sizes>('cleared sizes');
const SIZES = new ListStateDescriptor<number>('sizes');

/** Keeps, per window, a list of its sizes at each firing; clear() reports it and clears it. */
export class SizesPerWindow extends ProcessWindowFunction<Event, Sizes, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext, elements: Iterable<Event>): Sizes[] {
    const sizes = ctx.windowState().getListState(SIZES);
    sizes.add([...elements].length);
    ctx.globalState().getState(KEY).update(key);
    return [[key, windowOf(ctx.window()), sizes.get()]];
  }

  override clear(ctx: ProcessWindowContext): void {
    const sizes = ctx.windowState().getListState(SIZES);
    const before = sizes.get();
    sizes.clear();
    if (sizes.get().length !== 0) throw new Error('the sizes were not cleared');
    ctx.output(CLEARED_SIZES, [ctx.globalState().getState(KEY).value() ?? '?', windowOf(ctx.window()), before]);
  }
}

/** windowAll: [window, sum, the window's firings so far, the stream's firings so far]. */
export type AllFired = [number[], number, number, number];
export type AllCleared = [number[], number | null, number | null];
export const ALL_CLEARED = new OutputTag<AllCleared>('all cleared');

/** FiringCounts without a key: the global state is that of the whole stream. */
export class AllFiringCounts extends ProcessAllWindowFunction<Event, AllFired, AnyWindow> {
  process(ctx: ProcessWindowContext<AnyWindow>, elements: Iterable<Event>): AllFired[] {
    const mine = ctx.windowState().getState(FIRINGS);
    const n = (mine.value() ?? 0) + 1;
    mine.update(n);
    const all = ctx.globalState().getState(FIRINGS);
    const g = (all.value() ?? 0) + 1;
    all.update(g);
    let sum = 0;
    for (const [, v] of elements) sum += v;
    return [[windowOf(ctx.window()), sum, n, g]];
  }

  override clear(ctx: ProcessWindowContext<AnyWindow>): void {
    const mine = ctx.windowState().getState(FIRINGS);
    const before = mine.value();
    mine.clear();
    ctx.output(ALL_CLEARED, [windowOf(ctx.window()), before, mine.value()]);
  }
}

/** windowAll: [window, the window's map of firing → its size, the stream's firings so far]. */
export type AllSizes = [number[], Array<[number, number]>, number];
export const ALL_CLEARED_SIZES = new OutputTag<[number[], Array<[number, number]>, boolean]>('all cleared sizes');
const SIZE_AT = new MapStateDescriptor<number, number>('size at');
const FIRED = new ReducingStateDescriptor<number>('fired', (a, b) => a + b);

function entriesOf(map: Iterable<[number, number]>): Array<[number, number]> {
  return [...map].sort((x, y) => x[0] - y[0]);
}

/** Per window, a MapState of each firing's number to the window's size then; per stream, a ReducingState of firings. */
export class AllSizesPerWindow extends ProcessAllWindowFunction<Event, AllSizes> {
  process(ctx: ProcessWindowContext, elements: Iterable<Event>): AllSizes[] {
    const sizes = ctx.windowState().getMapState(SIZE_AT);
    sizes.put([...sizes.keys()].length + 1, [...elements].length);
    const fired = ctx.globalState().getReducingState(FIRED);
    fired.add(1);
    return [[windowOf(ctx.window()), entriesOf(sizes.entries()), fired.get() ?? 0]];
  }

  override clear(ctx: ProcessWindowContext): void {
    const sizes = ctx.windowState().getMapState(SIZE_AT);
    const before = entriesOf(sizes.entries());
    sizes.clear();
    ctx.output(ALL_CLEARED_SIZES, [windowOf(ctx.window()), before, sizes.isEmpty()]);
  }
}

/** Keeps the first call's per-window state and uses it in the next call: refused. */
export class KeepsWindowState extends ProcessWindowFunction<Event, number, string> {
  private kept: { value(): number | null } | null = null;
  process(_key: string, ctx: ProcessWindowContext): number[] {
    if (this.kept !== null) return [this.kept.value() ?? -1];
    this.kept = ctx.windowState().getState(FIRINGS);
    return [];
  }
}

/** Asks `store` for a state named `name`: one of the operator's own names is refused. */
export class AsksForState extends ProcessWindowFunction<Event, number, string> {
  constructor(
    private readonly store: 'windowState' | 'globalState',
    private readonly name: string,
  ) {
    super();
  }
  process(_key: string, ctx: ProcessWindowContext): number[] {
    const state = (this.store === 'windowState' ? ctx.windowState() : ctx.globalState()).getState(new ValueStateDescriptor<number>(this.name));
    return [state.value() ?? 0];
  }
}

/** Asks its runtime context, in open(), for a state named `name`: one of the operator's own names is refused there too. */
export class OpensOwnState extends ProcessWindowFunction<Event, number, string> {
  constructor(private readonly name: string) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    ctx.getState(new ValueStateDescriptor<number>(this.name));
  }
  process(): number[] {
    return [];
  }
}

/** Passes events on; fails on the event of timestamp `failAt`, in the job's first attempt only. */
export class FailsOnceAt extends MapFunction<Event, Event> {
  private attempt = -1;
  constructor(private readonly failAt: number) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    this.attempt = ctx.getAttemptNumber();
  }
  map(e: Event): Event {
    if (this.attempt === 0 && e[1] === this.failAt) throw new Error(`failing once at ${e[1]}`);
    return e;
  }
}
