/**
 * reduce and the built-in aggregations (sum, min, max, minBy, maxBy) on a keyed stream. Each
 * keeps its running value in keyed state, so it is exactly as durable as user state.
 */
import { ValueStateDescriptor } from '../../../shared/api/state-descriptors.ts';
import type { ValueState } from '../../../shared/api/state.ts';
import type { Pushed } from '../downstream.ts';
import { isPromiseLike } from '../failure.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import { activity } from '../../activity.ts';
import { ChainOperator, callableOf, type OperatorSetup } from './base.ts';

type Combine = (accumulated: unknown, value: unknown) => unknown;

abstract class RunningValueOperator extends ChainOperator {
  private readonly running: ValueState<unknown>;

  constructor(setup: OperatorSetup, state: OperatorStateAccess, stateName: string) {
    super(setup);
    this.running = state.getState(new ValueStateDescriptor<unknown>(stateName));
  }

  protected abstract combine(accumulated: unknown, value: unknown): unknown;

  push(value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    return this.guarded(value, timestamp, this.step);
  }

  /** One record: the running value combined with it, stored and emitted (bound once: no closure per record). */
  private readonly step = (value: unknown, timestamp: number | null): Pushed => {
    const current = this.running.value();
    const next = current === null ? value : this.combine(current, value);
    // An asynchronous reduce function: the running value is written once it has settled (the
    // row loop runs the key's next record only after this one).
    if (isPromiseLike(next)) return Promise.resolve(next).then((n) => this.store(n, timestamp));
    return this.store(next, timestamp);
  };

  private store(next: unknown, timestamp: number | null): Pushed {
    this.running.update(next);
    return this.next.push(next, timestamp);
  }
}

export class ReduceOperator extends RunningValueOperator {
  private readonly call: Combine;
  constructor(setup: OperatorSetup, fn: unknown, state: OperatorStateAccess) {
    super(setup, state, '__reduce');
    this.call = callableOf(fn, 'reduce', 'reduce function');
  }
  protected combine(accumulated: unknown, value: unknown): unknown {
    return this.call(accumulated, value);
  }
}

export type AggregationKind = 'sum' | 'min' | 'max' | 'min_by' | 'max_by';

/**
 * Flink's semantics: sum/min/max change only the aggregated field and keep the other fields of
 * the first record; minBy/maxBy return the whole record holding the extreme value (the first
 * such record on ties).
 */
export class AggregationOperator extends RunningValueOperator {
  constructor(
    setup: OperatorSetup,
    state: OperatorStateAccess,
    private readonly kind: AggregationKind,
    private readonly field: string | number | null,
    /** The field is declared LONG: its sum stays exact past 2^53, as a bigint. */
    private readonly int64 = false,
  ) {
    super(setup, state, `__${kind}`);
  }

  protected combine(accumulated: unknown, value: unknown): unknown {
    const a = fieldOf(accumulated, this.field);
    const b = fieldOf(value, this.field);
    switch (this.kind) {
      case 'sum':
        return withField(accumulated, this.field, add(a, b, this.int64));
      case 'min':
        return less(b, a) ? withField(accumulated, this.field, b) : accumulated;
      case 'max':
        return less(a, b) ? withField(accumulated, this.field, b) : accumulated;
      case 'min_by':
        return less(b, a) ? value : accumulated;
      case 'max_by':
        return less(a, b) ? value : accumulated;
    }
  }
}

function fieldOf(record: unknown, field: string | number | null): unknown {
  if (field === null) return record;
  if (typeof record !== 'object' || record === null) {
    if (field === 0) return record;
    throw new TypeError(`cannot aggregate field ${JSON.stringify(field)} of a ${typeof record} record`);
  }
  if (!(field in record)) throw new TypeError(`the record has no field ${JSON.stringify(field)}`);
  return (record as Record<string | number, unknown>)[field];
}

function withField(record: unknown, field: string | number | null, value: unknown): unknown {
  if (field === null || typeof record !== 'object' || record === null) return value;
  if (Array.isArray(record)) {
    const copy = [...record];
    copy[field as number] = value;
    return copy;
  }
  return { ...(record as object), [field]: value };
}

/**
 * a + b. A LONG field's sum is an int64's, as in Flink: exact, a bigint once beyond 2^53 (a
 * LONG carries both; the encoder refuses one beyond the int64 range). Other fields add as
 * JavaScript numbers do.
 */
function add(a: unknown, b: unknown, int64: boolean): unknown {
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as bigint) + BigInt(b as bigint);
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new TypeError(`sum needs numbers, got ${typeof a} and ${typeof b}`);
  }
  const sum = a + b;
  if (int64 && !Number.isSafeInteger(sum) && Number.isSafeInteger(a) && Number.isSafeInteger(b)) return BigInt(a) + BigInt(b);
  return sum;
}

function less(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof a === 'bigint' || typeof a === 'string') {
    return (a as number) < (b as number);
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() < b.getTime();
  throw new TypeError(`cannot compare values of type ${typeof a}`);
}
