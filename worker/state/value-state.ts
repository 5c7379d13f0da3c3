import type { ValueState } from '../../shared/api/state.ts';
import { SingleValueHandle } from './single-value-handle.ts';

/** ValueState through the cache. value() is null when nothing is set (PyFlink: None). */
export class WorkerValueState<T> extends SingleValueHandle implements ValueState<T> {
  value(): T | null {
    const key = this.begin();
    return this.readDecoded(key, this.idOf(key), this.now()) as T | null;
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
