/**
 * What a window keeps of its elements, in keyed state under the window's namespace (its start
 * and end): a ReducingState of the reduce function's running value, a ValueState of an
 * AggregateFunction's accumulator (a merge of session windows needs the accumulators, which an
 * AggregatingState does not give out), or a ListState of every element for a process or apply
 * function. They are the state kinds a user's function has, cached and written back the same way.
 */
import type { AggregateFunction } from '../../../shared/api/functions.ts';
import { ListStateDescriptor, ReducingStateDescriptor, ValueStateDescriptor } from '../../../shared/api/state-descriptors.ts';
import type { ListState, ReducingState, ValueState } from '../../../shared/api/state.ts';
import { CountWindow, type TimeWindow } from '../../../shared/api/windows.ts';
import type { WindowContentsKind } from '../../../shared/protocol/window-spec.ts';
import { isPromiseLike } from '../failure.ts';
import { namespaced, type Namespaced } from '../../state/namespaced-state.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import { callableOf } from './base.ts';

export interface WindowContents {
  /** Adds an element to the contents of `window` (a state window). */
  add(window: AnyWindow, value: unknown): void;
  /** What the window function is given (the reduced or aggregated value alone), or null when the window holds nothing. */
  get(window: AnyWindow): unknown[] | null;
  /** Merges the contents of `sources` into `target`'s, and clears them. */
  merge(target: AnyWindow, sources: readonly AnyWindow[]): void;
  /** Drops the contents of `window`, which will not be used again. */
  clear(window: AnyWindow): void;
}

/** A time window or a count window. */
export type AnyWindow = TimeWindow | CountWindow;

/**
 * A window as a state namespace: a time window's start and end, a count window's id, as 8-byte
 * big-endian float64s (an operator has windows of one kind only).
 */
export function windowNamespace(window: AnyWindow): Uint8Array {
  const count = window instanceof CountWindow;
  const bytes = new Uint8Array(count ? 8 : 16);
  const view = new DataView(bytes.buffer);
  if (count) {
    view.setFloat64(0, window.id, false);
  } else {
    view.setFloat64(0, window.start, false);
    view.setFloat64(8, window.end, false);
  }
  return bytes;
}

export function windowContents(kind: WindowContentsKind, combine: unknown, state: OperatorStateAccess): WindowContents {
  switch (kind) {
    case 'reduce':
      return new ReducedContents(state, callableOf<(a: unknown, b: unknown) => unknown>(combine, 'reduce', 'reduce function'));
    case 'aggregate':
      return new AggregatedContents(state, combine as AggregateFunction<unknown, unknown, unknown>);
    case 'list':
      return new ListedContents(state);
  }
}

/** The part every kind shares: one namespaced handle, pointed at a window before each call. */
abstract class NamespacedContents<S> {
  constructor(protected readonly handle: S & Namespaced) {}

  protected at(window: AnyWindow): S {
    this.handle.setCurrentNamespace(windowNamespace(window));
    return this.handle;
  }

  protected release(window: AnyWindow): void {
    this.handle.releaseNamespace(windowNamespace(window));
  }
}

class ReducedContents extends NamespacedContents<ReducingState<unknown>> implements WindowContents {
  constructor(state: OperatorStateAccess, reduce: (a: unknown, b: unknown) => unknown) {
    super(namespaced(state.getReducingState(new ReducingStateDescriptor<unknown>('__window-reduce', (a, b) => synchronous(reduce(a, b), 'reduce', 'reduce')))));
  }
  add(window: AnyWindow, value: unknown): void {
    this.at(window).add(value);
  }
  get(window: AnyWindow): unknown[] | null {
    const value = this.at(window).get();
    return value === null ? null : [value];
  }
  merge(target: AnyWindow, sources: readonly AnyWindow[]): void {
    for (const source of sources) {
      const value = this.at(source).get();
      this.handle.clear();
      this.release(source);
      if (value !== null) this.at(target).add(value);
    }
  }
  clear(window: AnyWindow): void {
    this.at(window).clear();
    this.release(window);
  }
}

class AggregatedContents extends NamespacedContents<ValueState<unknown>> implements WindowContents {
  constructor(
    state: OperatorStateAccess,
    private readonly fn: AggregateFunction<unknown, unknown, unknown>,
  ) {
    super(namespaced(state.getState(new ValueStateDescriptor<unknown>('__window-accumulator'))));
  }
  add(window: AnyWindow, value: unknown): void {
    const acc = this.at(window).value();
    this.handle.update(synchronous(this.fn.add(value, acc === null ? synchronous(this.fn.createAccumulator(), 'createAccumulator') : acc), 'add'));
  }
  get(window: AnyWindow): unknown[] | null {
    const acc = this.at(window).value();
    return acc === null ? null : [synchronous(this.fn.getResult(acc), 'getResult')];
  }
  merge(target: AnyWindow, sources: readonly AnyWindow[]): void {
    let merged = this.at(target).value();
    for (const source of sources) {
      const acc = this.at(source).value();
      this.handle.clear();
      this.release(source);
      if (acc !== null) merged = merged === null ? acc : synchronous(this.fn.merge(merged, acc), 'merge');
    }
    if (merged !== null) this.at(target).update(merged);
  }
  clear(window: AnyWindow): void {
    this.at(window).clear();
    this.release(window);
  }
}

class ListedContents extends NamespacedContents<ListState<unknown>> implements WindowContents {
  constructor(state: OperatorStateAccess) {
    super(namespaced(state.getListState(new ListStateDescriptor<unknown>('__window-elements'))));
  }
  add(window: AnyWindow, value: unknown): void {
    this.at(window).add(value);
  }
  get(window: AnyWindow): unknown[] | null {
    const elements = this.at(window).get();
    return elements.length === 0 ? null : elements;
  }
  merge(target: AnyWindow, sources: readonly AnyWindow[]): void {
    for (const source of sources) {
      const elements = this.at(source).get();
      this.handle.clear();
      this.release(source);
      if (elements.length > 0) this.at(target).addAll(elements);
    }
  }
  clear(window: AnyWindow): void {
    this.at(window).clear();
    this.release(window);
  }
}

/** An AggregateFunction's result, which must not be a promise: state is read and written within one call, as in Flink. */
export function synchronous(result: unknown, method: string, kind = 'aggregate'): unknown {
  if (isPromiseLike(result)) {
    (result as Promise<unknown>).then(undefined, () => undefined);
    throw new TypeError(`the ${kind} function's ${method}() returned a promise; a window's ${kind} function must return its result (window state is read and written within one call, as in Flink)`);
  }
  return result;
}
