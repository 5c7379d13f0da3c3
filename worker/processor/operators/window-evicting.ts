/**
 * The contents of a window with an evictor (Flink's EvictingWindowOperator): every element with
 * its timestamp, in a ListState of [value, timestamp] pairs under the window's namespace, whatever
 * the window function. When the window fires:
 *
 *   elements ─▶ evictBefore(elements, size) ─▶ what is left: reduced, aggregated, or as it is
 *            ─▶ the window function ─▶ evictAfter(elements, size) ─▶ what is left is the contents
 *
 * A reduce over nothing left gives nothing (no call); an aggregate over nothing gives the result
 * of a fresh accumulator, and process/apply are called with no elements, as in Flink.
 */
import { TimestampedValue, type Evictor, type EvictorContext, type RemovingIterator, type TimestampedValues } from '../../../shared/api/evictors.ts';
import type { AggregateFunction } from '../../../shared/api/functions.ts';
import { ListStateDescriptor } from '../../../shared/api/state-descriptors.ts';
import type { ListState } from '../../../shared/api/state.ts';
import type { TimeWindow } from '../../../shared/api/windows.ts';
import type { WindowContentsKind } from '../../../shared/protocol/window-spec.ts';
import { namespaced, type Namespaced } from '../../state/namespaced-state.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import type { Clock } from '../contexts.ts';
import { andThen, type Pushed } from '../downstream.ts';
import { callableOf } from './base.ts';
import { synchronous, windowNamespace } from './window-contents.ts';

/** An element as the list keeps it. */
type Entry = [value: unknown, timestamp: number | null];

/** Runs the window function on what a window fires with. */
export type FireWindow = (window: TimeWindow, stateWindow: TimeWindow, elements: unknown[], record: unknown) => Pushed;

/** Calls a method of the evictor, turning what it throws into a failure that names it. */
export type EvictorCall = (run: () => unknown) => unknown;

export class EvictingContents {
  private readonly handle: ListState<Entry> & Namespaced;
  private readonly combine: (values: unknown[]) => unknown[] | null;
  private readonly context: EvictorContext;

  constructor(
    state: OperatorStateAccess,
    kind: WindowContentsKind,
    combine: unknown,
    private readonly evictor: Evictor<unknown, TimeWindow>,
    clock: Clock,
  ) {
    this.handle = namespaced(state.getListState(new ListStateDescriptor<Entry>('__window-evicting-elements')));
    this.combine = combiner(kind, combine);
    this.context = { getCurrentProcessingTime: () => Date.now(), getCurrentWatermark: () => clock.watermark };
  }

  add(window: TimeWindow, value: unknown, timestamp: number | null): void {
    this.at(window).add([value, timestamp]);
  }

  /**
   * Fires `window` (its elements in `stateWindow`): nothing when it holds none. `call` runs each
   * evictor method; `fire` the window function.
   */
  fire(window: TimeWindow, stateWindow: TimeWindow, record: unknown, fire: FireWindow, call: EvictorCall): Pushed {
    const entries = this.at(stateWindow).get();
    if (entries.length === 0) return undefined;
    const elements = new EvictableValues(entries.map(([value, timestamp]) => new TimestampedValue(value, timestamp)));
    const evictor = this.evictor;
    return andThen(call(() => evictor.evictBefore(elements, elements.size, window, this.context)), () => {
      const input = this.combine(elements.values());
      const fired = input === null ? undefined : fire(window, stateWindow, input, record);
      return andThen(fired, () =>
        andThen(call(() => evictor.evictAfter(elements, elements.size, window, this.context)), () => {
          if (elements.removedAny) this.at(stateWindow).update(elements.entries());
        }),
      );
    });
  }

  merge(target: TimeWindow, sources: readonly TimeWindow[]): void {
    for (const source of sources) {
      const entries = this.at(source).get();
      this.handle.clear();
      this.handle.releaseNamespace(windowNamespace(source));
      if (entries.length > 0) this.at(target).addAll(entries);
    }
  }

  clear(window: TimeWindow): void {
    this.at(window).clear();
    this.handle.releaseNamespace(windowNamespace(window));
  }

  private at(window: TimeWindow): ListState<Entry> {
    this.handle.setCurrentNamespace(windowNamespace(window));
    return this.handle;
  }
}

/** What the window function is given of the elements left: all of them (process, apply), or the one reduced or aggregated value. */
function combiner(kind: WindowContentsKind, combine: unknown): (values: unknown[]) => unknown[] | null {
  switch (kind) {
    case 'list':
      return (values) => values;
    case 'reduce': {
      const reduce = callableOf<(a: unknown, b: unknown) => unknown>(combine, 'reduce', 'reduce function');
      return (values) => {
        if (values.length === 0) return null;
        let acc = values[0];
        for (let i = 1; i < values.length; i++) acc = synchronous(reduce(acc, values[i]), 'reduce', 'reduce');
        return [acc];
      };
    }
    case 'aggregate': {
      const fn = combine as AggregateFunction<unknown, unknown, unknown>;
      return (values) => {
        let acc = synchronous(fn.createAccumulator(), 'createAccumulator');
        for (const v of values) acc = synchronous(fn.add(v, acc), 'add');
        return [synchronous(fn.getResult(acc), 'getResult')];
      };
    }
  }
}

/** A firing window's elements for its evictor: removal marks an element, so that an iteration under way goes on where it was. */
class EvictableValues implements TimestampedValues {
  private readonly removed: boolean[];
  private left: number;
  removedAny = false;

  constructor(private readonly items: TimestampedValue[]) {
    this.removed = new Array<boolean>(items.length).fill(false);
    this.left = items.length;
  }

  get size(): number {
    return this.left;
  }

  iterator(): RemovingIterator<TimestampedValue> {
    let i = -1;
    let current = -1;
    return {
      next: (): IteratorResult<TimestampedValue> => {
        do i++;
        while (i < this.items.length && this.removed[i] === true);
        if (i >= this.items.length) {
          current = -1;
          return { done: true, value: undefined };
        }
        current = i;
        return { done: false, value: this.items[i]! };
      },
      remove: (): void => {
        if (current < 0 || this.removed[current] === true) throw new Error('remove() needs an element from next() that was not removed already (Java’s Iterator.remove())');
        this.removed[current] = true;
        this.left--;
        this.removedAny = true;
      },
    };
  }

  [Symbol.iterator](): RemovingIterator<TimestampedValue> {
    return this.iterator();
  }

  values(): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < this.items.length; i++) if (this.removed[i] !== true) out.push(this.items[i]!.value);
    return out;
  }

  entries(): Entry[] {
    const out: Entry[] = [];
    for (let i = 0; i < this.items.length; i++) if (this.removed[i] !== true) out.push([this.items[i]!.value, this.items[i]!.timestamp]);
    return out;
  }
}
