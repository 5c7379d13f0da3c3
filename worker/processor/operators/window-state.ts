/**
 * The context a ProcessWindowFunction (or ProcessAllWindowFunction) is given in process() and
 * clear(), with its two state stores (Flink's InternalProcessWindowContext and its
 * PerWindowStateStore):
 *
 * - globalState(): the key's state in the default namespace, the one getRuntimeContext() gives:
 *   the handles the operator state gives, as they are.
 * - windowState(): the key's state scoped to a window. A descriptor named 'x' is the operator's
 *   state '__window-state/x' in the window's namespace (windowNamespace; for sessions, the
 *   namespace of the state window the session's contents are in, which outlives the session's
 *   growth and merges). The name of its own keeps it apart from the window's contents
 *   ('__window-elements', …, in the same namespace) and from the key's state 'x' of
 *   globalState(): the operator state gives one handle per name, and one handle for both would
 *   be in whichever namespace was set on it last.
 *
 * A per-window state is a view of that handle which points it at its window before every call:
 * the handle is shared by every window's view, and is not prefetched (prefetch leaves
 * namespaced handles out). A context is good for its call only, as in Flink: from the call until
 * what it led to downstream has settled (a generator or an async process() runs until then);
 * afterwards the context's stores, and every per-window state it gave, throw rather than read or
 * write a window they no longer stand for.
 *
 * Per-window state is the function's to clear, in clear(), as in Flink: a purge calls clear(),
 * then only forgets the window's namespace objects (StateContext.releaseNamespace), not its
 * state. A merge of sessions does not merge their per-window state: the merged session keeps its
 * state window's, the others' stays as it was.
 *
 * A trigger's getPartitionedState() is a PerWindowStateStore too, of names prefixed
 * '__trigger-state/' and the namespace of the window the trigger was called for
 * (window-trigger-context.ts).
 */
import type { KeyedStateStore } from '../../../shared/api/contexts.ts';
import type { OutputTag } from '../../../shared/api/output-tag.ts';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
  type StateDescriptor,
} from '../../../shared/api/state-descriptors.ts';
import type { AggregatingState, ListState, MapState, ReducingState, State, ValueState } from '../../../shared/api/state.ts';
import type { ProcessWindowContext } from '../../../shared/api/window-functions.ts';
import { JobDefinitionError } from '../../../shared/errors/errors.ts';
import { namespaced, type Namespaced } from '../../state/namespaced-state.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import type { Clock, ProcessContextImpl } from '../contexts.ts';
import type { Pushed } from '../downstream.ts';
import { isPromiseLike } from '../failure.ts';
import { windowNamespace, type AnyWindow } from './window-contents.ts';

/** What a per-window state's name is prefixed with, on the wire. */
export const PER_WINDOW_PREFIX = '__window-state/';

/**
 * Where a store of per-window states takes them from: the operator state, and the remembering of
 * each handle made, whose namespaces a purge releases.
 */
export interface PerWindowScope {
  readonly state: OperatorStateAccess;
  perWindowHandle<S>(handle: S): S & Namespaced;
}

/** The call a store was given to: its states throw once it is over. */
export interface LiveCall {
  checkLive(what: string): void;
}

/** How a store's states are named on the wire (`prefix` + the user's name) and how messages name the store. */
export interface PerWindowNaming {
  readonly prefix: string;
  /** The context method that gives the store: `windowState`, `getPartitionedState`. */
  readonly store: string;
}

const WINDOW_STATE: PerWindowNaming = { prefix: PER_WINDOW_PREFIX, store: 'windowState' };

/** A window function's clear(): called with the context of a purged window. */
export type WindowClear = (context: ProcessWindowContext<AnyWindow>) => unknown;

/** The window state stores of one window operator, and the contexts of its window function's calls. */
export class WindowStates implements PerWindowScope {
  readonly global: KeyedStateStore;
  /** The handles per-window states were made of: a purge releases its window's namespace in each. */
  private readonly perWindow = new Set<Namespaced>();

  constructor(
    readonly state: OperatorStateAccess,
    readonly ctx: ProcessContextImpl,
    readonly clock: Clock,
  ) {
    this.global = new GlobalStateStore(state);
  }

  /** A call on `window` whose per-window state is in `stateWindow`'s namespace (the window itself unless sessions merged). */
  call(window: AnyWindow, stateWindow: AnyWindow): WindowCall {
    return new WindowCall(this, window, stateWindow);
  }

  /**
   * `window` is purged (its contents, in `stateWindow`, already cleared): calls `clear` with its
   * context, ends the call once clear() has returned (or its promise settled), and releases the
   * state window's namespace in every per-window state. Throws what clear() throws; the promise
   * returned rejects with what an asynchronous clear() rejects with.
   */
  purge(window: AnyWindow, stateWindow: AnyWindow, clear: WindowClear | null): Pushed {
    const call = this.call(window, stateWindow);
    const done = (): void => {
      call.end();
      this.release(stateWindow);
    };
    let returned: unknown;
    try {
      returned = clear === null ? undefined : clear(call.context());
    } catch (thrown) {
      done();
      throw thrown;
    }
    if (!isPromiseLike(returned)) return done();
    return Promise.resolve(returned).then(done, (thrown: unknown) => {
      done();
      throw thrown;
    });
  }

  /** The handle of a per-window state (one per name, whatever its window). */
  perWindowHandle<S>(handle: S): S & Namespaced {
    const h = namespaced(handle);
    this.perWindow.add(h);
    return h;
  }

  /**
   * Forgets the namespace objects of `stateWindow` in every per-window state (a purged window's,
   * or a session's merged into another): its state, if the function left any, stays.
   */
  release(stateWindow: AnyWindow): void {
    if (this.perWindow.size === 0) return;
    const namespace = windowNamespace(stateWindow);
    for (const h of this.perWindow) h.releaseNamespace(namespace);
  }
}

/** One call of the window function: its context, made when the function asks for it (a WindowFunction never does). */
export class WindowCall {
  private made: WindowCallContext | null = null;

  constructor(
    private readonly states: WindowStates,
    private readonly window: AnyWindow,
    private readonly stateWindow: AnyWindow,
  ) {}

  readonly context = (): ProcessWindowContext<AnyWindow> => (this.made ??= new WindowCallContext(this.states, this.window, this.stateWindow));

  /** Ends the call once `pushed` (what it led to downstream) has settled, whichever way. */
  endAfter(pushed: Pushed): Pushed {
    if (pushed === undefined) return this.end();
    return pushed.finally(this.end);
  }

  /** The context and what its stores gave stop working. */
  readonly end = (): void => {
    if (this.made !== null) this.made.live = false;
  };
}

class WindowCallContext implements ProcessWindowContext<AnyWindow>, LiveCall {
  /** False once the call is over. */
  live = true;
  private perWindow: PerWindowStateStore | null = null;

  constructor(
    private readonly states: WindowStates,
    private readonly of: AnyWindow,
    private readonly stateWindow: AnyWindow,
  ) {}

  window(): AnyWindow {
    return this.of;
  }
  currentProcessingTime(): number {
    return Date.now();
  }
  currentWatermark(): number {
    return this.states.clock.watermark;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.states.ctx.output(tag, value);
  }
  windowState(): KeyedStateStore {
    this.checkLive('windowState()');
    return (this.perWindow ??= new PerWindowStateStore(this.states, this, windowNamespace(this.stateWindow), WINDOW_STATE));
  }
  globalState(): KeyedStateStore {
    this.checkLive('globalState()');
    return this.states.global;
  }

  checkLive(what: string): void {
    if (this.live) return;
    throw new Error(
      `${what} of the window context of ${this.of.toString()} was used after the call it was given to had ended: as in ` +
        "Flink, a window function's context and the per-window state it gives are good for that process() or clear() " +
        'call only (ask ctx.windowState() for the state again in each call)',
    );
  }
}

/** globalState(): the operator state's handles, names beginning with `__` refused. */
class GlobalStateStore implements KeyedStateStore {
  constructor(private readonly state: OperatorStateAccess) {}
  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.state.getState(userDescriptor(d, 'globalState'));
  }
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.state.getListState(userDescriptor(d, 'globalState'));
  }
  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.state.getMapState(userDescriptor(d, 'globalState'));
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.state.getReducingState(userDescriptor(d, 'globalState'));
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.state.getAggregatingState(userDescriptor(d, 'globalState'));
  }
}

/**
 * The per-window states of one call, pointed at one window's namespace: windowState() of a
 * window function's call (its state window), getPartitionedState() of a trigger's (its window).
 */
export class PerWindowStateStore implements KeyedStateStore {
  constructor(
    private readonly scope: PerWindowScope,
    private readonly call: LiveCall,
    private readonly namespace: Uint8Array,
    private readonly naming: PerWindowNaming,
  ) {}

  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    const name = this.nameOf(d);
    return new PerWindowValueState(this.handle(this.scope.state.getState(withTtlOf(d, new ValueStateDescriptor<T>(name, d.valueType)))), this);
  }
  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    const name = this.nameOf(d);
    return new PerWindowListState(this.handle(this.scope.state.getListState(withTtlOf(d, new ListStateDescriptor<T>(name, d.elementType)))), this);
  }
  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    const name = this.nameOf(d);
    return new PerWindowMapState(this.handle(this.scope.state.getMapState(withTtlOf(d, new MapStateDescriptor<K, V>(name, d.keyType, d.valueType)))), this);
  }
  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    const name = this.nameOf(d);
    const copy = new ReducingStateDescriptor<T>(name, d.reduceFunction, d.valueType);
    return new PerWindowReducingState(this.handle(this.scope.state.getReducingState(withTtlOf(d, copy))), this);
  }
  getAggregatingState<IN, ACC, OUT>(d: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    const name = this.nameOf(d);
    const copy = new AggregatingStateDescriptor<IN, ACC, OUT>(name, d.aggregateFunction, d.accumulatorType);
    return new PerWindowAggregatingState(this.handle(this.scope.state.getAggregatingState(withTtlOf(d, copy))), this);
  }

  /** The wire name of a per-window state (before the operator's prefix). */
  private nameOf(d: StateDescriptor): string {
    return this.naming.prefix + userDescriptor(d, this.naming.store).name;
  }

  /** `handle` pointed at this store's window, while the call lasts. */
  point<S>(handle: S & Namespaced): S {
    this.call.checkLive(`a state of ${this.naming.store}()`);
    handle.setCurrentNamespace(this.namespace);
    return handle;
  }

  /** A per-window handle, namespaced at once: prefetch must never take it for a default-namespace one. */
  private handle<S>(state: S): S & Namespaced {
    const h = this.scope.perWindowHandle(state);
    this.point(h);
    return h;
  }
}

/** A per-window state: every call points the shared handle at the view's window first. */
abstract class PerWindowState<S extends State> implements State {
  constructor(
    private readonly handle: S & Namespaced,
    private readonly store: PerWindowStateStore,
  ) {}
  protected at(): S {
    return this.store.point(this.handle);
  }
  clear(): void {
    this.at().clear();
  }
}

class PerWindowValueState<T> extends PerWindowState<ValueState<T>> implements ValueState<T> {
  value(): T | null {
    return this.at().value();
  }
  update(value: T): void {
    this.at().update(value);
  }
}

class PerWindowListState<T> extends PerWindowState<ListState<T>> implements ListState<T> {
  get(): T[] {
    return this.at().get();
  }
  add(value: T): void {
    this.at().add(value);
  }
  addAll(values: Iterable<T>): void {
    this.at().addAll(values);
  }
  update(values: Iterable<T>): void {
    this.at().update(values);
  }
}

/** Its iterations take the window when they are asked for (keys(), values(), entries()), and keep it. */
class PerWindowMapState<K, V> extends PerWindowState<MapState<K, V>> implements MapState<K, V> {
  get(key: K): V | null {
    return this.at().get(key);
  }
  put(key: K, value: V): void {
    this.at().put(key, value);
  }
  putAll(entries: Iterable<readonly [K, V]> | Map<K, V>): void {
    this.at().putAll(entries);
  }
  remove(key: K): void {
    this.at().remove(key);
  }
  contains(key: K): boolean {
    return this.at().contains(key);
  }
  keys(): Iterable<K> {
    return this.at().keys();
  }
  values(): Iterable<V> {
    return this.at().values();
  }
  entries(): Iterable<[K, V]> {
    return this.at().entries();
  }
  isEmpty(): boolean {
    return this.at().isEmpty();
  }
}

class PerWindowReducingState<T> extends PerWindowState<ReducingState<T>> implements ReducingState<T> {
  get(): T | null {
    return this.at().get();
  }
  add(value: T): void {
    this.at().add(value);
  }
}

class PerWindowAggregatingState<IN, OUT> extends PerWindowState<AggregatingState<IN, OUT>> implements AggregatingState<IN, OUT> {
  get(): OUT | null {
    return this.at().get();
  }
  add(value: IN): void {
    this.at().add(value);
  }
}

/** The user's descriptor, its name checked: one beginning with `__` would be one of the window operator's own states. */
function userDescriptor<D extends StateDescriptor>(d: D, store: string): D {
  const name = (d as { name?: unknown } | null | undefined)?.name;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError(`ctx.${store}() takes a state descriptor with a name (a ValueStateDescriptor, ListStateDescriptor, …), got ${String(d)}`);
  }
  if (name.startsWith('__')) {
    throw new JobDefinitionError(
      `state '${name}' of ctx.${store}(): names beginning with '__' are the window operator's own ` +
        "(its windows' contents, sessions and counts); give the state another name",
    );
  }
  return d;
}

/** `copy` with `d`'s time-to-live (set as it is: the user's config may come from another copy of the API, which enableTimeToLive's check would refuse). */
function withTtlOf<D extends StateDescriptor>(d: StateDescriptor, copy: D): D {
  copy.ttlConfig = d.ttlConfig ?? null;
  return copy;
}
