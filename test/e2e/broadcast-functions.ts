/** Broadcast process functions for the broadcast-state tests (loaded in workers by reference). */
import {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  OutputTag,
  Types,
  ValueStateDescriptor,
  type BroadcastProcessContext,
  type BroadcastProcessReadOnlyContext,
  type Collector,
  type KeyedBroadcastOnTimerContext,
  type KeyedBroadcastProcessReadOnlyContext,
  type ListState,
  type RuntimeContext,
  type ValueState,
} from '../../host/index.ts';

export interface Reading {
  sensor: string;
  value: number;
  ts: number;
}

/** A limit for a sensor from `ts` on; a null limit lifts the sensor's limit. */
export interface Rule {
  sensor: string;
  limit: number | null;
  ts: number;
}

/** Every rule ever broadcast, by `${sensor}@${ts}`: the limits in force at any event time. */
export const RULES = new MapStateDescriptor<string, number | null>('rules', Types.STRING(), Types.LONG());

/** The limit in force for `sensor` at event time `at`: the rule with the latest ts <= at. */
function limitAt(rules: Iterable<[string, number | null]>, sensor: string, at: number): number | null {
  let best = -Infinity;
  let limit: number | null = null;
  for (const [key, value] of rules) {
    const [s, ts] = key.split('@') as [string, string];
    if (s === sensor && Number(ts) <= at && Number(ts) > best) {
      best = Number(ts);
      limit = value;
    }
  }
  return limit;
}

/**
 * Readings checked against the rules in force at their event time, whatever order the two
 * inputs arrive in: a reading waits in its sensor's keyed state for an event-time timer at its
 * timestamp, which fires once the broadcast input's watermark has passed it too, so every rule
 * up to then is in the broadcast state (read only in onTimer). The broadcast side records each
 * rule and counts the rules per subtask in a side output.
 */
export class ThresholdAlerts extends KeyedBroadcastProcessFunction<string, Reading, Rule, string> {
  private waiting!: ListState<[number, number]>;

  override open(ctx: RuntimeContext): void {
    this.waiting = ctx.getListState(new ListStateDescriptor('waiting'));
  }

  processElement(reading: Reading, ctx: KeyedBroadcastProcessReadOnlyContext<string>): void {
    this.waiting.add([reading.ts, reading.value]);
    ctx.timerService().registerEventTimeTimer(reading.ts);
  }

  processBroadcastElement(rule: Rule, ctx: BroadcastProcessContext): void {
    ctx.getBroadcastState(RULES).put(`${rule.sensor}@${rule.ts}`, rule.limit);
    ctx.output(RULES_SEEN, rule.sensor);
  }

  override onTimer(timestamp: number, ctx: KeyedBroadcastOnTimerContext<string>, out: Collector<string>): void {
    const rules = [...ctx.getBroadcastState(RULES).entries()];
    const sensor = ctx.getCurrentKey();
    const limit = limitAt(rules, sensor, timestamp);
    const later: [number, number][] = [];
    for (const [ts, value] of this.waiting.get()) {
      if (ts !== timestamp) later.push([ts, value]);
      else if (limit !== null && value > limit) out.collect(`${sensor}@${ts}: ${value} > ${limit}`);
      else out.collect(`${sensor}@${ts}: ok`);
    }
    this.waiting.update(later);
  }
}

export const RULES_SEEN = new OutputTag<string>('rules seen', Types.STRING());

/** Changes to a subtask's broadcast state, each reported with the whole state after it, in order. */
export type Change = { op: 'put'; key: string; value: number } | { op: 'remove'; key: string } | { op: 'clear' } | { op: 'putAll'; entries: [string, number][] };

export const TABLE = new MapStateDescriptor<string, number>('table', Types.STRING(), Types.LONG());
export const OTHER = new MapStateDescriptor<string, string>('other', Types.STRING(), Types.STRING());

/**
 * Not keyed: the broadcast side applies changes to TABLE and reports the whole state after each,
 * as `subtask|entries|b|size|values` (every subtask gets every change, in the order broadcast).
 * The element side passes its elements on: what it would read depends on which input came first.
 */
export class TableKeeper extends BroadcastProcessFunction<number, Change, string> {
  private subtask = -1;

  override open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
  }

  processElement(n: number, _ctx: BroadcastProcessReadOnlyContext, out: Collector<string>): void {
    out.collect(`n${n}`);
  }

  processBroadcastElement(change: Change, ctx: BroadcastProcessContext, out: Collector<string>): void {
    const table = ctx.getBroadcastState(TABLE);
    if (change.op === 'put') table.put(change.key, change.value);
    else if (change.op === 'remove') table.remove(change.key);
    else if (change.op === 'clear') table.clear();
    else table.putAll(change.entries);
    const entries = [...table.entries()].map(([k, v]) => `${k}=${v}`).join(',');
    out.collect(`${this.subtask}|${entries}|${table.get('b') ?? 'no b'}|${[...table.keys()].length}|${[...table.values()].join('+')}`);
  }
}

/** Tries to write the broadcast state from the element side: refused, it is read only there. */
export class WritesOnElementSide extends BroadcastProcessFunction<number, number, number> {
  processElement(n: number, ctx: BroadcastProcessReadOnlyContext): void {
    (ctx.getBroadcastState(TABLE) as unknown as { put(k: string, v: number): void }).put('n', n);
  }
  processBroadcastElement(): void {}
}

/** Asks for a broadcast state the stream was not broadcast with. */
export class ReadsUndeclared extends BroadcastProcessFunction<number, number, number> {
  processElement(): void {}
  processBroadcastElement(_n: number, ctx: BroadcastProcessContext): void {
    ctx.getBroadcastState(OTHER).put('a', 'b');
  }
}

/** Uses keyed state where there is no key: processBroadcastElement of a keyed function. */
export class KeyedStateOnBroadcastSide extends KeyedBroadcastProcessFunction<string, number, number, number> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor('count', Types.LONG()));
  }
  processElement(n: number): void {
    this.count.update(n);
  }
  processBroadcastElement(n: number): void {
    this.count.update(n);
  }
}

/** Throws on broadcast element 13. */
export class FailsOnThirteen extends BroadcastProcessFunction<number, number, number> {
  processElement(n: number, _ctx: BroadcastProcessReadOnlyContext, out: Collector<number>): void {
    out.collect(n);
  }
  processBroadcastElement(n: number, ctx: BroadcastProcessContext, out: Collector<number>): void {
    if (n === 13) throw new RangeError(`unlucky ${n}`);
    ctx.getBroadcastState(TABLE).put(String(n), n);
    out.collect(-n);
  }
}

export const SEEN = new MapStateDescriptor<number, number>('seen', Types.LONG(), Types.LONG());

/**
 * For restore tests: each broadcast number x is put under x % 10, and reported with what that
 * key held before ([subtask, x, previous or null, size]): state lost in a restart shows as a null
 * where x - 10 was due, state restored twice as a wrong size. Elements of the other input are
 * only counted.
 */
export class RemembersLast extends KeyedBroadcastProcessFunction<string, number, number, unknown[]> {
  private subtask = -1;
  override open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
  }
  processElement(n: number, ctx: KeyedBroadcastProcessReadOnlyContext<string>, out: Collector<unknown[]>): void {
    out.collect(['element', ctx.getCurrentKey(), n]);
  }
  processBroadcastElement(x: number, ctx: BroadcastProcessContext, out: Collector<unknown[]>): void {
    const seen = ctx.getBroadcastState(SEEN);
    const previous = seen.get(x % 10);
    seen.put(x % 10, x);
    out.collect([this.subtask, x, previous, [...seen.keys()].length]);
  }
}
