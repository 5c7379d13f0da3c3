import type { ValueState } from '../../shared/api/state.ts';
import { MISS, SingleValueHandle } from './single-value-handle.ts';

/** ValueState through the cache. value() is null when nothing is set (PyFlink: None). */
export class WorkerValueState<T> extends SingleValueHandle implements ValueState<T> {
  value(): Promise<T | null> {
    const key = this.begin();
    const id = this.idOf(key);
    const now = this.ctx.clock();
    const cached = this.readCached(id, now);
    if (cached !== MISS) {
      this.ctx.cache.hits++;
      // A hit is answered by an already-resolved promise: no round trip, no extra turn.
      try {
        return Promise.resolve(cached === null ? null : (this.decodeCached(id, cached) as T));
      } catch (thrown) {
        return Promise.reject(thrown);
      }
    }
    return this.load(key, id, now).then((bytes) => (bytes === null ? null : (this.ctx.codec.decode(bytes) as T)));
  }

  /** update(null) clears, as in Flink. */
  update(value: T): void {
    const key = this.begin();
    const bytes = value === null || value === undefined ? null : this.ctx.codec.encode(value);
    this.writeBytes(key, this.idOf(key), bytes, this.ctx.clock());
  }

  clear(): void {
    const key = this.begin();
    this.writeBytes(key, this.idOf(key), null, this.ctx.clock());
  }
}
