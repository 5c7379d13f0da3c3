import type { AggregateFunction, ReduceFunction } from '../../shared/api/functions.ts';
import type { AggregatingState, ReducingState } from '../../shared/api/state.ts';
import { SingleValueHandle } from './single-value-handle.ts';
import type { HandleSpec } from './state-handle.ts';

/**
 * A state whose add() is read + combine + write (reducing, aggregating), all synchronous: the
 * combining function must return its result, not a promise (as in Flink, where state is read
 * and written within one call).
 */
abstract class CombiningState<IN, STORED, OUT> extends SingleValueHandle {
  protected abstract combine(current: STORED | null, value: IN): STORED | Promise<STORED>;
  protected abstract result(stored: STORED): OUT;

  get(): OUT | null {
    const stored = this.readDecoded(this.begin(), this.now());
    return stored === null ? null : this.result(stored as STORED);
  }

  add(value: IN): void {
    const id = this.begin();
    const now = this.now();
    const next = this.combine(this.readDecoded(id, now) as STORED | null, value);
    if (isPromiseLike(next)) {
      next.then(undefined, () => undefined);
      throw new TypeError(
        `state '${this.stateName}': its ${this.functionKind} returned a promise; state functions must return their result ` +
          '(state is read and written within one call, as in Flink)',
      );
    }
    this.writeValue(id, next, now);
  }

  clear(): void {
    this.writeBytes(this.begin(), null, this.now());
  }

  /** What the combining function is called, for errors. */
  protected abstract readonly functionKind: string;
}

export class WorkerReducingState<T> extends CombiningState<T, T, T> implements ReducingState<T> {
  private readonly reduce: (a: T, b: T) => T | Promise<T>;

  constructor(spec: HandleSpec, reduce: ReduceFunction<T> | ((a: T, b: T) => T | Promise<T>)) {
    super(spec);
    this.reduce = typeof reduce === 'function' ? reduce : (a, b) => reduce.reduce(a, b);
  }

  protected readonly functionKind = 'reduce function';

  protected combine(current: T | null, value: T): T | Promise<T> {
    return current === null ? value : this.reduce(current, value);
  }

  protected result(stored: T): T {
    return stored;
  }
}

export class WorkerAggregatingState<IN, ACC, OUT>
  extends CombiningState<IN, ACC, OUT>
  implements AggregatingState<IN, OUT>
{
  constructor(
    spec: HandleSpec,
    private readonly aggregate: AggregateFunction<IN, ACC, OUT>,
  ) {
    super(spec);
  }

  protected readonly functionKind = 'aggregate function';

  protected combine(current: ACC | null, value: IN): ACC {
    const f = this.aggregate;
    return f.add(value, current === null ? f.createAccumulator() : current);
  }

  protected result(stored: ACC): OUT {
    return this.aggregate.getResult(stored);
  }
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
