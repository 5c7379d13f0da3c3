import type { ValueState } from '../../shared/api/state.ts';
import { SingleValueHandle } from './single-value-handle.ts';

/** ValueState through the cache. value() is null when nothing is set (PyFlink: None). */
export class WorkerValueState<T> extends SingleValueHandle implements ValueState<T> {
  value(): T | null {
    return this.readDecoded(this.begin(), this.now()) as T | null;
  }

  /** update(null) clears, as in Flink. */
  update(value: T): void {
    this.writeValue(this.begin(), value, this.now());
  }

  clear(): void {
    this.writeBytes(this.begin(), null, this.now());
  }
}
