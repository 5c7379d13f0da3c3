/**
 * Keyed state as user functions see it, as in Flink and PyFlink: every call is synchronous. A
 * read the worker's cache can serve costs no round trip; one it cannot blocks the function
 * until the host has answered (the runtime reads a batch's states ahead, so that few do).
 * Writes are applied to the cache at once and reach the host asynchronously; a later read in
 * the same worker always sees them.
 */
export interface State {
  clear(): void;
}

export interface ValueState<T> extends State {
  /** The value, or null when none is set (or it expired). */
  value(): T | null;
  update(value: T): void;
}

export interface ListState<T> extends State {
  /** The elements in order; empty when none are stored. */
  get(): T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  update(values: Iterable<T>): void;
}

export interface MapState<K, V> extends State {
  get(key: K): V | null;
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]> | Map<K, V>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  /** Iterations read the map from the host a page at a time, as they go. */
  keys(): Iterable<K>;
  values(): Iterable<V>;
  entries(): Iterable<[K, V]>;
  isEmpty(): boolean;
}

export interface ReducingState<T> extends State {
  get(): T | null;
  /** Reads the current value, reduces `value` into it with the descriptor's function, writes it. */
  add(value: T): void;
}

export interface AggregatingState<IN, OUT> extends State {
  get(): OUT | null;
  add(value: IN): void;
}

/**
 * Broadcast state as a broadcast process function's element side sees it
 * (BroadcastProcessFunction.processElement, and onTimer of a keyed one): read only. A map per
 * MapStateDescriptor the stream was broadcast with, held whole in each worker (no read crosses
 * the process), in the order its keys were first put.
 */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | null;
  contains(key: K): boolean;
  keys(): Iterable<K>;
  values(): Iterable<V>;
  entries(): Iterable<[K, V]>;
  isEmpty(): boolean;
}

/**
 * Broadcast state as processBroadcastElement sees it: read and written. Each subtask keeps its
 * own copy (Flink's operator state), which the host holds and checkpoints; a function must
 * change it the same way in every subtask (from the broadcast elements alone), as in Flink.
 * Writes are seen at once and reach the host asynchronously, like keyed state's.
 */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]> | Map<K, V>): void;
  remove(key: K): void;
  clear(): void;
}
