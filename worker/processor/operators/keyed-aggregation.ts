/**
 * reduce and the built-in aggregations (sum, min, max, minBy, maxBy) on a keyed stream. Each
 * keeps its running value in keyed state, so it is exactly as durable as user state.
 *
 * Streaming, every record's running value goes out. In BATCH mode only each key's final value
 * does, as Flink's batch reduce emits it: the key's first record registers an event-time timer
 * at the end of time, which fires at the end of input; the value then goes out, with that
 * timer's timestamp, and the key's running value is cleared.
 */
import type { TimeDomain } from '../../../shared/api/contexts.ts';
import { ValueStateDescriptor } from '../../../shared/api/state-descriptors.ts';
import type { ValueState } from '../../../shared/api/state.ts';
import type { Pushed } from '../downstream.ts';
import { isPromiseLike } from '../failure.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import { activity } from '../../activity.ts';
import { ChainOperator, callableOf, type OperatorSetup } from './base.ts';

type Combine = (accumulated: unknown, value: unknown) => unknown;

/**
 * The timestamp of a BATCH aggregation's timer and output: the end of time (Flink's
 * Long.MAX_VALUE), 2^52 ms, so that window arithmetic on it (an event-time window after the
 * aggregation: its start, end and timers) stays within the integers a double holds exactly.
 */
export const END_OF_TIME = 2 ** 52;

export abstract class RunningValueOperator extends ChainOperator {
  private readonly running: ValueState<unknown>;

  constructor(
    setup: OperatorSetup,
    private readonly state: OperatorStateAccess,
    stateName: string,
    /** BATCH mode: emit each key's final value only, when its timer fires. */
    private readonly batch: boolean,
  ) {
    super(setup);
    this.running = state.getState(new ValueStateDescriptor<unknown>(stateName));
  }

  protected abstract combine(accumulated: unknown, value: unknown): unknown;

  /** A key's first record, which becomes its running value. */
  protected start(value: unknown): unknown {
    return value;
  }

  push(value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    return this.guarded(value, timestamp, this.step);
  }

  /** One record: the running value combined with it, stored and emitted (bound once: no closure per record). */
  private readonly step = (value: unknown, timestamp: number | null): Pushed => {
    const current = this.running.value();
    const next = current === null ? this.start(value) : this.combine(current, value);
    // An asynchronous reduce function: the running value is written once it has settled (the
    // row loop runs the key's next record only after this one).
    if (isPromiseLike(next)) return Promise.resolve(next).then((n) => this.store(n, timestamp, current === null));
    return this.store(next, timestamp, current === null);
  };

  private store(next: unknown, timestamp: number | null, first: boolean): Pushed {
    this.running.update(next);
    if (!this.batch) return this.next.push(next, timestamp);
    // BATCH: the key's final value goes out when the timer its first record registers fires.
    if (first) this.state.registerTimer('event', END_OF_TIME);
    return undefined;
  }

  /** BATCH mode: the key's timer fired at the end of input: its final value goes out. */
  fire(timestamp: number, domain: TimeDomain): Pushed {
    if (!this.batch || domain !== 'EVENT_TIME') return undefined;
    activity.operator = this.who.operator;
    const value = this.running.value();
    if (value === null) return undefined;
    this.running.clear();
    return this.next.push(value, timestamp);
  }
}

export class ReduceOperator extends RunningValueOperator {
  private readonly call: Combine;
  constructor(setup: OperatorSetup, fn: unknown, state: OperatorStateAccess, batch: boolean) {
    super(setup, state, '__reduce', batch);
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
 *
 * Every record's field is checked, a key's first included (it is the running value, and would
 * otherwise come out unchecked): it must exist and hold what the aggregation can add or compare.
 * The host checked what a declared type tells (aggregation-field.ts); this catches the rest,
 * a stream with no declared type, a null (Flink's comparators and adders fail on one too), and
 * values of kinds that cannot be compared with each other (a number and a string).
 */
export class AggregationOperator extends RunningValueOperator {
  constructor(
    setup: OperatorSetup,
    state: OperatorStateAccess,
    batch: boolean,
    private readonly kind: AggregationKind,
    private readonly field: string | number | null,
    /** The field is declared LONG: its sum stays exact past 2^53, as a bigint. */
    private readonly int64 = false,
  ) {
    super(setup, state, `__${kind}`, batch);
  }

  protected override start(value: unknown): unknown {
    this.checkedField(value);
    return value;
  }

  protected combine(accumulated: unknown, value: unknown): unknown {
    const a = fieldOf(accumulated, this.field);
    const b = this.checkedField(value);
    if (this.kind === 'sum') return withField(accumulated, this.field, add(a, b, this.int64));
    const kind = comparableKind(b);
    if (kind !== comparableKind(a)) {
      throw new TypeError(
        `${this.fieldName()} is ${describe(b)} in this record and ${describe(a)} in the key's earlier ones: ` +
          `${API_NAMES[this.kind]} cannot compare a ${kind} with a ${comparableKind(a)}`,
      );
    }
    switch (this.kind) {
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

  /** The record's field, refused unless the aggregation can use it. */
  private checkedField(record: unknown): unknown {
    const v = fieldOf(record, this.field);
    const what = this.kind === 'sum' ? 'add' : 'compare';
    if (v === null || v === undefined) {
      throw new TypeError(`${this.fieldName()} is ${String(v)}: ${API_NAMES[this.kind]} cannot ${what} it`);
    }
    if (this.kind === 'sum' ? !(typeof v === 'number' || typeof v === 'bigint') : comparableKind(v) === null) {
      throw new TypeError(
        `${this.fieldName()} is ${describe(v)}: ${API_NAMES[this.kind]} ${this.kind === 'sum' ? 'adds numbers' : 'compares numbers, strings, booleans or Dates'}`,
      );
    }
    return v;
  }

  private fieldName(): string {
    return this.field === null ? 'the record' : `field ${JSON.stringify(this.field)}`;
  }
}

const API_NAMES: Record<AggregationKind, string> = { sum: 'sum', min: 'min', max: 'max', min_by: 'minBy', max_by: 'maxBy' };

/** A record's field: an array's by index, an object's own property, a single value's field 0 (itself). */
function fieldOf(record: unknown, field: string | number | null): unknown {
  if (field === null) return record;
  if (typeof record !== 'object' || record === null || record instanceof Date) {
    if (field === 0) return record;
    throw new TypeError(`cannot aggregate field ${JSON.stringify(field)} of ${describe(record)} record: a single value has only field 0`);
  }
  if (Array.isArray(record) && typeof field !== 'number') {
    throw new TypeError(`the record is an array: its fields are indexes, not ${JSON.stringify(field)}`);
  }
  if (!Object.hasOwn(record, field)) throw new TypeError(`the record has no field ${JSON.stringify(field)}`);
  return (record as Record<string | number, unknown>)[field];
}

function withField(record: unknown, field: string | number | null, value: unknown): unknown {
  if (field === null || typeof record !== 'object' || record === null || record instanceof Date) return value;
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
 * JavaScript numbers do. Both were checked to be numbers or bigints.
 */
function add(a: unknown, b: unknown, int64: boolean): unknown {
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as bigint) + BigInt(b as bigint);
  const x = a as number;
  const y = b as number;
  const sum = x + y;
  if (int64 && !Number.isSafeInteger(sum) && Number.isSafeInteger(x) && Number.isSafeInteger(y)) return BigInt(x) + BigInt(y);
  return sum;
}

/** a < b, for values of one comparable kind (a bigint and a number are one: a LONG carries both). */
function less(a: unknown, b: unknown): boolean {
  if (a instanceof Date) return a.getTime() < (b as Date).getTime();
  return (a as number) < (b as number);
}

/** Which values compare with which: numbers with bigints, strings, booleans, Dates; null for the rest. */
function comparableKind(v: unknown): 'number' | 'string' | 'boolean' | 'Date' | null {
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 'number';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      return v instanceof Date ? 'Date' : null;
  }
}

/** A value, briefly, for a message (the record itself is shown in full beside it). */
function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  switch (typeof v) {
    case 'string':
      return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
    case 'number':
    case 'boolean':
      return `a ${typeof v} (${String(v)})`;
    case 'bigint':
      return `a bigint (${v}n)`;
    case 'object':
      return v instanceof Date ? 'a Date' : Array.isArray(v) ? 'an array' : 'an object';
    default:
      return `a ${typeof v}`;
  }
}
