/**
 * What a trigger is given in each call (Flink's WindowOperator.Context, as TriggerContext and
 * OnMergeContext): the clocks, timers for the window it was called for (through TriggerTimers,
 * which remembers the window of each), and that window's state: a descriptor named 'x' is the
 * operator's state '__trigger-state/x' in the window's namespace (windowNamespace of the window
 * itself, not of a session's state window: Flink keeps trigger state by the window too, and
 * merges it in onMerge()). Its own prefix keeps it apart from the window function's
 * windowState() of the same name.
 *
 * As in Flink, a context is good for its call only: once the call has returned (or its promise
 * settled), the context and every state it gave throw.
 */
import type { StateDescriptor } from '../../../shared/api/state-descriptors.ts';
import type { ListState, ReducingState, State } from '../../../shared/api/state.ts';
import type { OnMergeContext } from '../../../shared/api/triggers.ts';
import type { TimeWindow } from '../../../shared/api/windows.ts';
import { namespaced, type Namespaced } from '../../state/namespaced-state.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import type { Clock } from '../contexts.ts';
import { windowNamespace } from './window-contents.ts';
import { PerWindowStateStore, type LiveCall, type PerWindowNaming, type PerWindowScope } from './window-state.ts';
import type { TriggerTimers } from './window-trigger-timers.ts';

const TRIGGER_STATE: PerWindowNaming = { prefix: '__trigger-state/', store: 'getPartitionedState' };

/** The trigger states of one window operator, and the contexts of its trigger's calls. */
export class TriggerStates implements PerWindowScope {
  /** The handles trigger states were made of: a window's end releases its namespace in each. */
  private readonly handles = new Set<Namespaced>();

  constructor(
    readonly state: OperatorStateAccess,
    readonly clock: Clock,
    readonly timers: TriggerTimers,
  ) {}

  /** A call of the trigger for `window`; `merged`: the windows merged into it (onMerge). */
  call(window: TimeWindow, merged: readonly TimeWindow[] = []): TriggerCall {
    return new TriggerCall(this, window, merged);
  }

  perWindowHandle<S>(handle: S): S & Namespaced {
    const h = namespaced(handle);
    this.handles.add(h);
    return h;
  }

  /** `window` is gone (cleaned up, or merged away): forgets its namespace objects in every trigger state (its state is the trigger's to clear). */
  release(window: TimeWindow): void {
    if (this.handles.size === 0) return;
    const namespace = windowNamespace(window);
    for (const h of this.handles) h.releaseNamespace(namespace);
  }
}

export class TriggerCall implements OnMergeContext, LiveCall {
  private live = true;

  constructor(
    private readonly states: TriggerStates,
    private readonly window: TimeWindow,
    private readonly merged: readonly TimeWindow[],
  ) {}

  /** The call is over: the context and its states stop working. */
  readonly end = (): void => {
    this.live = false;
  };

  getCurrentProcessingTime(): number {
    return Date.now();
  }
  getCurrentWatermark(): number {
    return this.states.clock.watermark;
  }
  registerProcessingTimeTimer(time: number): void {
    this.checkLive('registerProcessingTimeTimer()');
    this.states.timers.register('processing', time, this.window);
  }
  registerEventTimeTimer(time: number): void {
    this.checkLive('registerEventTimeTimer()');
    this.states.timers.register('event', time, this.window);
  }
  deleteProcessingTimeTimer(time: number): void {
    this.checkLive('deleteProcessingTimeTimer()');
    this.states.timers.delete('processing', time, this.window);
  }
  deleteEventTimeTimer(time: number): void {
    this.checkLive('deleteEventTimeTimer()');
    this.states.timers.delete('event', time, this.window);
  }

  // The overloads are TriggerContext's; one implementation serves them all.
  getPartitionedState<S extends State>(descriptor: StateDescriptor): S {
    this.checkLive('getPartitionedState()');
    return stateOf(this.store(this.window), descriptor) as S;
  }

  mergePartitionedState(descriptor: StateDescriptor): void {
    this.checkLive('mergePartitionedState()');
    const kind = (descriptor as { kind?: unknown } | null)?.kind;
    if (kind !== 'list' && kind !== 'reducing') {
      throw new TypeError(
        `mergePartitionedState() merges a ListState or a ReducingState (Flink's MergingState), got ${kind === undefined ? String(descriptor) : `a ${String(kind)} state`}` +
          (kind === 'aggregating' ? ': an AggregatingState cannot be merged here (its accumulators are not at hand); keep a ReducingState or a ListState' : ''),
      );
    }
    if (this.merged.length === 0) return;
    const target = stateOf(this.store(this.window), descriptor) as ListState<unknown> | ReducingState<unknown>;
    for (const m of this.merged) {
      const source = stateOf(this.store(m), descriptor);
      if (kind === 'list') {
        const elements = (source as ListState<unknown>).get();
        source.clear();
        if (elements.length > 0) (target as ListState<unknown>).addAll(elements);
      } else {
        const value = (source as ReducingState<unknown>).get();
        source.clear();
        if (value !== null) (target as ReducingState<unknown>).add(value);
      }
    }
  }

  checkLive(what: string): void {
    if (this.live) return;
    throw new Error(
      `${what} of the trigger context of ${this.window.toString()} was used after the trigger call it was given to had ended: as in ` +
        "Flink, a trigger's context and the state it gives are good for that call only (ask ctx.getPartitionedState() again in each call)",
    );
  }

  private store(window: TimeWindow): PerWindowStateStore {
    return new PerWindowStateStore(this.states, this, windowNamespace(window), TRIGGER_STATE);
  }
}

/** The state `descriptor` names, of the kind it says. */
function stateOf(store: PerWindowStateStore, descriptor: StateDescriptor): State {
  const kind = (descriptor as { kind?: unknown } | null)?.kind;
  switch (kind) {
    case 'value':
      return store.getState(descriptor as Parameters<PerWindowStateStore['getState']>[0]);
    case 'list':
      return store.getListState(descriptor as Parameters<PerWindowStateStore['getListState']>[0]);
    case 'map':
      return store.getMapState(descriptor as Parameters<PerWindowStateStore['getMapState']>[0]);
    case 'reducing':
      return store.getReducingState(descriptor as Parameters<PerWindowStateStore['getReducingState']>[0]);
    case 'aggregating':
      return store.getAggregatingState(descriptor as Parameters<PerWindowStateStore['getAggregatingState']>[0]);
    default:
      throw new TypeError(`ctx.getPartitionedState() takes a state descriptor (a ValueStateDescriptor, ListStateDescriptor, …), got ${String(descriptor)}`);
  }
}
