/**
 * How records move along a chain inside the worker. A push returns undefined when everything
 * downstream ran synchronously, or a promise when something awaited (state, async functions):
 * synchronous chains never pay for a promise.
 */
import { isPromiseLike } from './failure.ts';

export type Pushed = void | Promise<void>;

export interface Downstream {
  push(value: unknown, timestamp: number | null): Pushed;
}

/** Pushes every item of an iterator, in order, going asynchronous only if a push does. */
export function pushEach(items: Iterator<unknown>, next: Downstream, timestamp: number | null): Pushed {
  for (;;) {
    const step = items.next();
    if (step.done === true) return undefined;
    const pushed = next.push(step.value, timestamp);
    if (pushed !== undefined) return pushed.then(() => pushEach(items, next, timestamp));
  }
}

/**
 * Runs `run` for each of `items` from `i` on, in order, each after the one before has finished,
 * going asynchronous only if one does (a window operator's firings).
 */
export function eachInOrder<T>(items: readonly T[], run: (item: T) => Pushed, i = 0): Pushed {
  for (; i < items.length; i++) {
    const pushed = run(items[i]!);
    if (pushed !== undefined) {
      const next = i + 1;
      return pushed.then(() => eachInOrder(items, run, next));
    }
  }
  return undefined;
}

/**
 * Pushes what a flatMap/process function produced: values it collected through `out`, then
 * whatever it returned (an iterable, an async iterable, or nothing). Strings are values, not
 * iterables of characters.
 */
export function pushEmitted(returned: unknown, next: Downstream, timestamp: number | null): Pushed {
  if (returned === undefined || returned === null) return undefined;
  if (typeof returned === 'string') {
    throw new TypeError('a flatMap/process function returned a string; return an array of values (or use out.collect)');
  }
  const sync = (returned as { [Symbol.iterator]?: unknown })[Symbol.iterator];
  if (typeof sync === 'function') return pushEach((sync as () => Iterator<unknown>).call(returned), next, timestamp);
  const asyncIt = (returned as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator];
  if (typeof asyncIt === 'function') return pushAsync((asyncIt as () => AsyncIterator<unknown>).call(returned), next, timestamp);
  throw new TypeError(
    `a flatMap/process function must return an iterable (or nothing and use out.collect), got ${typeof returned}`,
  );
}

async function pushAsync(items: AsyncIterator<unknown>, next: Downstream, timestamp: number | null): Promise<void> {
  for (;;) {
    const step = await items.next();
    if (step.done === true) return;
    const pushed = next.push(step.value, timestamp);
    if (pushed !== undefined) await pushed;
  }
}

/** Runs `then` after `value`, synchronously when `value` is not a promise. */
export function andThen<T>(value: T | PromiseLike<T>, then: (v: T) => Pushed): Pushed {
  if (isPromiseLike(value)) return Promise.resolve(value).then(then);
  return then(value);
}

/**
 * A Collector that buffers what the function emits while it runs; the operator pushes the
 * buffer downstream after the call returns, so that `collect` can stay synchronous even when
 * the rest of the chain is not.
 */
export class BufferingCollector {
  items: unknown[] = [];
  collect(value: unknown): void {
    this.items.push(value);
  }
  take(): unknown[] {
    const items = this.items;
    this.items = [];
    return items;
  }
}
