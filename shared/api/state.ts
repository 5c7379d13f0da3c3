/**
 * Keyed state as user functions see it. Reads may have to ask the host, so they return
 * promises; a read served from the worker's cache resolves without a round trip. Writes are
 * applied to the cache at once and reach the host asynchronously; a later read in the same
 * worker always sees them.
 */
export interface State {
  clear(): void;
}

export interface ValueState<T> extends State {
  /** The value, or null when none is set (or it expired). */
  value(): Promise<T | null>;
  update(value: T): void;
}

export interface ListState<T> extends State {
  get(): Promise<T[]>;
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  update(values: Iterable<T>): void;
}

export interface MapState<K, V> extends State {
  get(key: K): Promise<V | null>;
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]> | Map<K, V>): void;
  remove(key: K): void;
  contains(key: K): Promise<boolean>;
  keys(): AsyncIterable<K>;
  values(): AsyncIterable<V>;
  entries(): AsyncIterable<[K, V]>;
  isEmpty(): Promise<boolean>;
}

export interface ReducingState<T> extends State {
  get(): Promise<T | null>;
  add(value: T): Promise<void>;
}

export interface AggregatingState<IN, OUT> extends State {
  get(): Promise<OUT | null>;
  add(value: IN): Promise<void>;
}
