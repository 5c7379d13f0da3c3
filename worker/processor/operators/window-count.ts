/**
 * Count windows (KeyedStream.countWindow), as PyFlink's: each key's elements are numbered from
 * 0 in a keyed state of their own; the assigner gives the windows element n belongs to (window
 * floor(n / size), or with a slide every window i with i * slide <= n < i * slide + size), and a
 * window fires once it holds `size` elements (PyFlink's CountTrigger), then is purged: no
 * element joins it afterwards. Its contents are kept as a time window's are, in the window's
 * namespace; its element count is a state of that namespace too, and so is a
 * ProcessWindowFunction's per-window state: the function's clear() is called once the firing is
 * done (its output gone downstream), the window being purged. No timers: a count window that
 * never fills never fires, as in Flink.
 */
import type { TimeDomain } from '../../../shared/api/contexts.ts';
import { ValueStateDescriptor } from '../../../shared/api/state-descriptors.ts';
import type { ValueState } from '../../../shared/api/state.ts';
import type { CountWindow, CountWindowAssigner } from '../../../shared/api/windows.ts';
import type { WindowSpec } from '../../../shared/protocol/window-spec.ts';
import { activity } from '../../activity.ts';
import { namespaced, type Namespaced } from '../../state/namespaced-state.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import type { Clock, ProcessContextImpl } from '../contexts.ts';
import { eachInOrder, type Pushed } from '../downstream.ts';
import type { OperatorSetup } from './base.ts';
import { WindowFunctionOperator } from './window-base.ts';
import { windowNamespace } from './window-contents.ts';

export class CountWindowOperator extends WindowFunctionOperator {
  private readonly assigner: CountWindowAssigner;
  /** How many elements the key has had (the number of the next one). */
  private readonly counter: ValueState<number>;
  /** How many elements a window holds, in the window's namespace. */
  private readonly filled: ValueState<number> & Namespaced;

  constructor(
    setup: OperatorSetup,
    spec: WindowSpec,
    state: OperatorStateAccess,
    ctx: ProcessContextImpl,
    clock: Clock,
  ) {
    super(setup, spec, state, ctx, clock);
    this.assigner = spec.assigner as CountWindowAssigner;
    this.counter = state.getState(new ValueStateDescriptor<number>('__count-window-counter'));
    this.filled = namespaced(state.getState(new ValueStateDescriptor<number>('__count-window-filled')));
  }

  push(value: unknown, _timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    let full: CountWindow[];
    try {
      full = this.addElement(value);
    } catch (thrown) {
      return this.dropRecord(thrown, value);
    }
    return eachInOrder(full, this.fireOneBound);
  }

  /** Count windows have no timers. */
  fire(_timestamp: number, _domain: TimeDomain): Pushed {
    return undefined;
  }

  /** Adds the element to its windows; returns those it filled. */
  private addElement(value: unknown): CountWindow[] {
    const count = this.counter.value() ?? 0;
    this.counter.update(count + 1);
    const full: CountWindow[] = [];
    for (const window of this.assigner.assignCountWindows(count)) {
      this.contents.add(window, value);
      this.filled.setCurrentNamespace(windowNamespace(window));
      const n = (this.filled.value() ?? 0) + 1;
      if (n >= this.assigner.size) {
        this.filled.clear();
        this.filled.releaseNamespace(windowNamespace(window));
        full.push(window);
      } else {
        this.filled.update(n);
      }
    }
    return full;
  }


  private readonly fireOneBound = (window: CountWindow): Pushed => this.fireOne(window);

  /**
   * Fires a full window, then purges it: its contents go before the call, and its clear() comes
   * once the call is done (an asynchronous one too), whether or not it failed (a skipped failure
   * leaves the window as purged as any).
   */
  private fireOne(window: CountWindow): Pushed {
    const record = { window: { id: window.id } };
    const outTs = window.maxTimestamp();
    this.ctx.ts = outTs;
    let elements: unknown[] | null;
    try {
      elements = this.contents.get(window);
      this.contents.clear(window);
    } catch (thrown) {
      return this.dropRecord(thrown, record);
    }
    if (elements === null) return undefined;
    const fired = this.callOn(window, window, elements, record, outTs);
    return fired === undefined ? this.purge(window, record) : fired.then(() => this.purge(window, record));
  }

  /** Its contents went before the call: only its clear() is left. */
  private purge(window: CountWindow, record: unknown): Pushed {
    return this.purgeWindow(window, window, record, () => true);
  }
}
