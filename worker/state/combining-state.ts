import type { AggregateFunction, ReduceFunction } from '../../shared/api/functions.ts';
import type { AggregatingState, ReducingState } from '../../shared/api/state.ts';
import { MISS, SingleValueHandle } from './single-value-handle.ts';
import type { HandleSpec } from './state-handle.ts';
import type { StateId } from './state-id.ts';

const DONE: Promise<void> = Promise.resolve();

/**
 * A state whose add() is read + combine + write (reducing, aggregating). Calls on one key that
 * do not await each other still apply in call order: while an add of a key is waiting for the
 * host (or for an asynchronous reduce), later add/get/clear calls of that key queue behind it
 * (StateContext.chain). An add whose value is cached and whose combine is synchronous applies
 * at once and returns a resolved promise.
 */
abstract class CombiningState<IN, STORED, OUT> extends SingleValueHandle {
  protected abstract combine(current: STORED | null, value: IN): STORED | Promise<STORED>;
  protected abstract result(stored: STORED): OUT;

  get(): Promise<OUT | null> {
    const key = this.begin();
    const id = this.idOf(key);
    const now = this.now();
    if (this.ctx.hasChain(id)) return this.ctx.chain(id, () => this.getNow(key, id, now));
    return this.getNow(key, id, now);
  }

  add(value: IN): Promise<void> {
    const key = this.begin();
    const id = this.idOf(key);
    const now = this.now();
    if (!this.ctx.hasChain(id)) {
      let cached: unknown;
      try {
        cached = this.readCachedDecoded(id, now);
      } catch (thrown) {
        return Promise.reject(thrown);
      }
      if (cached !== MISS) {
        this.ctx.cache.hits++;
        try {
          const next = this.combine(cached as STORED | null, value);
          if (!isPromiseLike(next)) {
            this.store(key, id, next, now);
            return DONE;
          }
          return this.ctx.chain(id, () => next.then((n) => this.store(key, id, n, now)));
        } catch (thrown) {
          return Promise.reject(thrown);
        }
      }
    }
    return this.ctx.chain(id, () => this.addNow(key, id, value, now));
  }

  clear(): void {
    const key = this.begin();
    const id = this.idOf(key);
    const now = this.now();
    if (this.ctx.hasChain(id)) void this.ctx.chain(id, () => this.writeBytes(key, id, null, now));
    else this.writeBytes(key, id, null, now);
  }

  private getNow(key: Uint8Array, id: StateId, now: number): Promise<OUT | null> {
    try {
      const cached = this.readCachedDecoded(id, now);
      if (cached !== MISS) {
        this.ctx.cache.hits++;
        return Promise.resolve(cached === null ? null : this.result(cached as STORED));
      }
    } catch (thrown) {
      return Promise.reject(thrown);
    }
    return this.load(key, id, now).then((bytes) =>
      bytes === null ? null : this.result(this.ctx.codec.decode(bytes) as STORED),
    );
  }

  private async addNow(key: Uint8Array, id: StateId, value: IN, now: number): Promise<void> {
    const bytes = await this.readBytes(key, id, now);
    const current = bytes === null ? null : (this.ctx.codec.decode(bytes) as STORED);
    this.store(key, id, await this.combine(current, value), now);
  }

  private store(key: Uint8Array, id: StateId, next: STORED, now: number): void {
    this.writeValue(key, id, next, now);
  }
}

export class WorkerReducingState<T> extends CombiningState<T, T, T> implements ReducingState<T> {
  private readonly reduce: (a: T, b: T) => T | Promise<T>;

  constructor(spec: HandleSpec, reduce: ReduceFunction<T> | ((a: T, b: T) => T | Promise<T>)) {
    super(spec);
    this.reduce = typeof reduce === 'function' ? reduce : (a, b) => reduce.reduce(a, b);
  }

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
