import type { ValueState } from '../../shared/api/state.ts';
import { MISS, SingleValueHandle } from './single-value-handle.ts';

/** ValueState through the cache. value() is null when nothing is set (PyFlink: None). */
export class WorkerValueState<T> extends SingleValueHandle implements ValueState<T> {
  value(): Promise<T | null> {
    const key = this.begin();
    const id = this.idOf(key);
    const now = this.now();
    let cached: unknown;
    try {
      cached = this.readCachedDecoded(id, now);
    } catch (thrown) {
      return Promise.reject(thrown);
    }
    if (cached !== MISS) {
      this.ctx.cache.hits++;
      // A hit is answered by an already-resolved promise: no round trip, no extra turn.
      return Promise.resolve(cached as T | null);
    }
    return this.load(key, id, now).then((bytes) => (bytes === null ? null : (this.ctx.codec.decode(bytes) as T)));
  }

  /** update(null) clears, as in Flink. */
  update(value: T): void {
    const key = this.begin();
    this.writeValue(key, this.idOf(key), value, this.now());
  }

  clear(): void {
    const key = this.begin();
    this.writeBytes(key, this.idOf(key), null, this.now());
  }
}
