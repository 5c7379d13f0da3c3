/** Operators that need no state: map, filter, flatMap, timestamp assignment, key selection. */
import { BufferingCollector, pushEach, pushEmitted, type Downstream, type Pushed } from '../downstream.ts';
import { isPromiseLike } from '../failure.ts';
import type { OutputBuffer, SideOutputs } from '../output-buffer.ts';
import { activity } from '../../activity.ts';
import { ChainOperator, callableOf, type OperatorSetup } from './base.ts';

/**
 * map and filter: the function answers each record, or promises to. The record whose answer is
 * awaited waits in one slot (a chain runs one record at a time: the next waits for this one's
 * push), and the handlers are bound once instead of two closures allocated per record. At the
 * head of its chain the operator hands the function's own promise to the processor instead
 * (ChainOperator.isHead), which gives the outcome back through settle() / settleFailure().
 */
abstract class AnsweringOperator extends ChainOperator {
  protected waitingValue: unknown = undefined;
  protected waitingTimestamp: number | null = null;
  /** Carries the waiting record on with the function's answer. */
  protected abstract readonly resolved: (answer: unknown) => Pushed;
  private readonly rejected = (thrown: unknown): undefined => this.failed(thrown, this.waitingValue);

  protected awaitAnswer(answer: PromiseLike<unknown>, value: unknown, timestamp: number | null): Promise<void> {
    this.waitingValue = value;
    this.waitingTimestamp = timestamp;
    if (this.isHead && answer instanceof Promise) {
      this.handedOver = true;
      return answer as Promise<void>;
    }
    return Promise.resolve(answer).then(this.resolved, this.rejected);
  }

  override settle(answer: unknown): Pushed {
    return this.resolved(answer);
  }

  override settleFailure(thrown: unknown): undefined {
    return this.rejected(thrown);
  }
}

export type MapCall = (value: unknown) => unknown;

export class MapOperator extends AnsweringOperator {
  private readonly call: MapCall;
  protected readonly resolved = (out: unknown): Pushed => this.next.push(out, this.waitingTimestamp);

  constructor(setup: OperatorSetup, fn: unknown) {
    super(setup);
    // Bound to the operator, which `this.call(value)` called it on: a plain function's stack
    // frame reads `MapOperator.<its name>`. map() calls what it is given as it is; a
    // `call.call(this, value)` there made a synchronous map ~8 ns a record slower (11 → 19 ns).
    this.call = callableOf<MapCall>(fn, 'map', 'map function').bind(this);
  }
  push(value: unknown, timestamp: number | null): Pushed {
    return this.map(this.call, value, timestamp);
  }

  /** One record through `call`: the map function, or a CoMapFunction's map1 or map2 (co-operators.ts). */
  protected map(call: MapCall, value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    let out: unknown;
    try {
      out = call(value);
    } catch (thrown) {
      return this.failed(thrown, value);
    }
    if (isPromiseLike(out)) return this.awaitAnswer(out, value, timestamp);
    return this.next.push(out, timestamp);
  }
}

export class FilterOperator extends AnsweringOperator {
  private readonly call: (value: unknown) => unknown;
  protected readonly resolved = (keep: unknown): Pushed => (keep ? this.next.push(this.waitingValue, this.waitingTimestamp) : undefined);

  constructor(setup: OperatorSetup, fn: unknown) {
    super(setup);
    this.call = callableOf(fn, 'filter', 'filter function');
  }
  push(value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    let keep: unknown;
    try {
      keep = this.call(value);
    } catch (thrown) {
      return this.failed(thrown, value);
    }
    if (isPromiseLike(keep)) return this.awaitAnswer(keep, value, timestamp);
    return keep ? this.next.push(value, timestamp) : undefined;
  }
}

/**
 * flatMap and process share this: the function may collect through `out`, return an
 * iterable (a generator included) or an async iterable, or return a promise of either.
 *
 * Under `fail` and `restart` what the function emits streams on as it comes (a failure there
 * ends or rewinds the attempt, which drops it anyway). Under `skip` a record is all or nothing:
 * what the function emits for it (collected, returned, yielded, sent to side outputs) is held
 * until the function has finished the record, and goes downstream only if it did not throw; a
 * skipped record leaves its dead letter and nothing else downstream. Its state writes and timer
 * registrations stay (see README, failure policies).
 */
export abstract class EmittingOperator extends ChainOperator {
  protected readonly out = new BufferingCollector();

  constructor(
    setup: OperatorSetup,
    /** The function's side outputs (a process function's ctx.output); null when it has none. */
    private readonly sideOutputs: SideOutputs | null = null,
  ) {
    super(setup);
    if (this.skips) sideOutputs?.holdRecords();
  }

  override get sideElementsOut(): number {
    return super.sideElementsOut + (this.sideOutputs?.emitted ?? 0);
  }

  protected emit(returned: unknown, record: unknown, timestamp: number | null): Pushed {
    if (this.skips) return this.emitWhole(returned, record, timestamp);
    return this.guarded(record, timestamp, () => {
      const collected = this.out.take();
      const first = collected.length === 0 ? undefined : pushEach(collected[Symbol.iterator](), this.next, timestamp);
      const rest = (): Pushed => {
        const pushed = pushEmitted(returned, this.next, timestamp);
        // A generator may also have called out.collect while it ran.
        const late = (): Pushed => {
          const more = this.out.take();
          return more.length === 0 ? undefined : pushEach(more[Symbol.iterator](), this.next, timestamp);
        };
        return pushed === undefined ? late() : pushed.then(late);
      };
      return first === undefined ? rest() : first.then(rest);
    });
  }

  /**
   * Under `skip`: runs the function's iterable to its end, gathering what it yields after what
   * was collected before (and what it collects meanwhile after both: the order `emit` streams
   * them in), then pushes it all on. A throw or a rejection on the way drops the record.
   */
  private emitWhole(returned: unknown, record: unknown, timestamp: number | null): Pushed {
    const gathered = new Gathered(this.out.take());
    let pushed: Pushed;
    try {
      pushed = pushEmitted(returned, gathered, timestamp);
    } catch (thrown) {
      return this.dropRecord(thrown, record);
    }
    if (pushed === undefined) return this.pushWhole(gathered.items, record, timestamp);
    return pushed.then(
      () => this.pushWhole(gathered.items, record, timestamp),
      (thrown: unknown) => this.dropRecord(thrown, record),
    );
  }

  /** The record is done: its side output rows and its values go on. */
  private pushWhole(items: unknown[], record: unknown, timestamp: number | null): Pushed {
    const late = this.out.take();
    for (const item of late) items.push(item);
    return this.guarded(record, timestamp, () => {
      this.sideOutputs?.release();
      return items.length === 0 ? undefined : pushEach(items[Symbol.iterator](), this.next, timestamp);
    });
  }

  /** The function threw on `record`: what it emitted for the record and is still held is dropped with it. */
  protected dropRecord(thrown: unknown, record: unknown): undefined {
    this.out.take();
    this.sideOutputs?.discard();
    return this.failed(thrown, record);
  }

  protected afterCall(returned: unknown, record: unknown, timestamp: number | null): Pushed {
    if (isPromiseLike(returned)) {
      return Promise.resolve(returned).then(
        (r) => this.emit(r, record, timestamp),
        (thrown: unknown) => this.dropRecord(thrown, record),
      );
    }
    return this.emit(returned, record, timestamp);
  }
}

/** Where a skipping operator gathers what its function yields until the record is done. */
class Gathered implements Downstream {
  constructor(readonly items: unknown[]) {}
  push(value: unknown): undefined {
    this.items.push(value);
    return undefined;
  }
}

export type FlatMapCall = (value: unknown, out: BufferingCollector) => unknown;

export class FlatMapOperator extends EmittingOperator {
  private readonly call: FlatMapCall;
  constructor(setup: OperatorSetup, fn: unknown) {
    super(setup);
    // Bound to the operator, as MapOperator's.
    this.call = callableOf<FlatMapCall>(fn, 'flatMap', 'flatMap function').bind(this);
  }
  push(value: unknown, timestamp: number | null): Pushed {
    return this.flatMap(this.call, value, timestamp);
  }

  /** One record through `call`: the flatMap function, or a CoFlatMapFunction's flatMap1 or flatMap2 (co-operators.ts). */
  protected flatMap(call: FlatMapCall, value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    let returned: unknown;
    try {
      returned = call(value, this.out);
    } catch (thrown) {
      return this.dropRecord(thrown, value);
    }
    return this.afterCall(returned, value, timestamp);
  }
}

/**
 * assignTimestampsAndWatermarks: the record's timestamp becomes what the assigner returns.
 * Without an assigner (`fn` null) the record keeps its own timestamp, as with Flink's
 * RecordTimestampAssigner; a record that has none gets the smallest, -Infinity (Flink's
 * Long.MIN_VALUE), which moves no watermark.
 */
export class TimestampsOperator extends ChainOperator {
  private readonly call: ((value: unknown, recordTimestamp: number | null) => unknown) | null;
  constructor(setup: OperatorSetup, fn: unknown) {
    super(setup);
    this.call = fn === null ? null : callableOf<(value: unknown, recordTimestamp: number | null) => unknown>(fn, 'extractTimestamp', 'timestamp assigner');
  }
  push(value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    if (this.call === null) return this.next.push(value, timestamp ?? -Infinity);
    activity.operator = this.who.operator;
    let ts: unknown;
    try {
      ts = this.call(value, timestamp);
      if (typeof ts !== 'number' || !Number.isFinite(ts)) {
        throw new TypeError(`a timestamp assigner must return a finite number (ms), got ${String(ts)}`);
      }
    } catch (thrown) {
      return this.failed(thrown, value);
    }
    return this.next.push(value, ts);
  }
}

/** keyBy: computes the key, which travels beside the value for the host to partition by. */
export class KeyByOperator extends ChainOperator {
  private readonly call: (value: unknown) => unknown;
  constructor(
    setup: OperatorSetup,
    fn: unknown,
    private readonly output: OutputBuffer,
  ) {
    super(setup);
    this.call = callableOf(fn, 'getKey', 'key selector');
  }
  push(value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    let key: unknown;
    try {
      key = this.call(value);
      if (!isPromiseLike(key)) {
        this.output.pushKeyed(value, timestamp, checkedKey(key));
        return undefined;
      }
    } catch (thrown) {
      return this.failed(thrown, value);
    }
    return Promise.resolve(key)
      .then((k) => this.output.pushKeyed(value, timestamp, checkedKey(k)))
      .then(undefined, (thrown: unknown) => this.failed(thrown, value));
  }
}

/**
 * A key must be a value: Flink refuses a null one ("Assigned key must not be null!"), and here
 * null and undefined would otherwise become one key that groups unrelated records. The throw
 * fails the key selector with the record.
 */
function checkedKey(key: unknown): unknown {
  if (key === null || key === undefined) throw new TypeError(`the key selector returned ${String(key)}: a key must not be null or undefined`);
  return key;
}
