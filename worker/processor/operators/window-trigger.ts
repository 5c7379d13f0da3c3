/**
 * Windows that fire by a trigger (Flink's WindowOperator, and with an evictor its
 * EvictingWindowOperator): those given WindowedStream.trigger() or .evictor(), and GlobalWindows.
 * The window operator (window.ts) hands them its elements and timers; windows of the default
 * triggers alone stay on its own path.
 *
 *   element ─▶ assigner: its windows ─▶ (sessions: merged: their contents merged, the
 *              element added, then trigger.onMerge(), then clear() of each window merged away)
 *           ─▶ for each window: contents += element; trigger.onElement() ─▶ FIRE: the window
 *              function on the contents (which stay); PURGE: the contents cleared; then the
 *              window's cleanup timer (maxTimestamp() + allowed lateness) is registered
 *   timer t ─▶ the windows that registered t (TriggerTimers): trigger.onEventTime() or
 *              onProcessingTime() ─▶ FIRE / PURGE as above; t the window's cleanup time (in
 *              the assigner's domain): contents cleared, trigger.clear(), the window function's
 *              clear(), the session retired
 *
 * Each step waits for the one before when it returns a promise (a trigger's or evictor's
 * asynchronous method, an asynchronous window function). A trigger's or evictor's failure
 * follows the operator's failure policy, named after its class. Under `skip` the job goes on,
 * so a failure must leave the key's windows whole:
 *   - a merge does the operator's part first (contents merged, cleanup timers moved, the
 *     element added; the session set is stored even when the record fails), then the trigger's
 *     (onMerge, clear() of each window merged away, each run whatever the one before did);
 *   - an element's window gets its cleanup timer after onElement and the firing, as in Flink,
 *     and also when either threw (Flink has no skip policy: there a throw ends the job);
 *   - a timer is for each of its windows on its own: a window's failure is a dead letter of
 *     the timer's record, the other windows still fire, and at its cleanup time the window is
 *     cleaned up whatever its trigger did.
 */
import type { TimeDomain, TimerService } from '../../../shared/api/contexts.ts';
import type { Evictor } from '../../../shared/api/evictors.ts';
import type { MaybePromise } from '../../../shared/api/functions.ts';
import type { ValueState } from '../../../shared/api/state.ts';
import { TriggerResult, type Trigger } from '../../../shared/api/triggers.ts';
import { GlobalWindows, type TimeWindow, type WindowAssigner } from '../../../shared/api/windows.ts';
import type { WindowSpec } from '../../../shared/protocol/window-spec.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import type { Clock } from '../contexts.ts';
import { andThen, eachInOrder, type Pushed } from '../downstream.ts';
import { attribute, isPromiseLike, type FunctionIdentity } from '../failure.ts';
import type { WindowContents } from './window-contents.ts';
import { EvictingContents } from './window-evicting.ts';
import { MergingWindowSet } from './window-merging.ts';
import { TriggerStates, type TriggerCall } from './window-trigger-context.ts';
import { TriggerTimers } from './window-trigger-timers.ts';

/** What the window operator does for its triggered windows: the window function's calls, failures, late data. */
export interface WindowHooks {
  /** Runs the window function on `elements` of `window` (its per-window state that of `stateWindow`); results timestamped window.maxTimestamp(). */
  fire(window: TimeWindow, stateWindow: TimeWindow, elements: unknown[], record: unknown): Pushed;
  /** The window's time is over (its contents gone already): the window function's clear(). */
  clearFunction(window: TimeWindow, stateWindow: TimeWindow, record: unknown): Pushed;
  /** A session's state window merged into another's: the window function's per-window state of it is let go (not merged, as in Flink). */
  releaseFunctionState(stateWindow: TimeWindow): void;
  /** A failure on `record` of `functionName` (null: the window's reduce, aggregate or window function), under the operator's policy. */
  fail(thrown: unknown, record: unknown, functionName: string | null): undefined;
  /** An element too late for every window it belongs to. */
  late(value: unknown, timestamp: number | null): void;
}

/**
 * The trigger the operator's windows fire by, or null when they fire by the operator's own
 * default triggers (no trigger or evictor given, and not GlobalWindows, whose default never fires).
 */
export function triggerOf(spec: WindowSpec): Trigger | null {
  if ((spec.trigger ?? null) !== null) return spec.trigger;
  if ((spec.evictor ?? null) !== null || spec.assigner instanceof GlobalWindows) return spec.assigner.getDefaultTrigger();
  return null;
}

/** A merge of sessions, as MergingWindowSet reports it. */
interface Merge {
  result: TimeWindow;
  merged: TimeWindow[];
  stateResult: TimeWindow;
  mergedStates: TimeWindow[];
}

/** What a trigger or an evictor threw, with its name: the failure is its, not the window function's. */
class NamedFailure extends Error {
  constructor(
    readonly thrown: unknown,
    readonly functionName: string,
  ) {
    super(functionName);
  }
}

/**
 * Thrown once a record's failure has been reported (a dead letter) and what had to follow it has
 * run: the record goes no further, and is not reported again.
 */
class Reported extends Error {
  constructor() {
    super('reported already');
  }
}

/** A window's contents: the operator's (reduced, aggregated or listed), or every element with its timestamp when there is an evictor. */
interface TriggeredContents {
  add(stateWindow: TimeWindow, value: unknown, timestamp: number | null): void;
  fire(window: TimeWindow, stateWindow: TimeWindow, record: unknown): Pushed;
  merge(target: TimeWindow, sources: readonly TimeWindow[]): void;
  clear(stateWindow: TimeWindow): void;
}

export class TriggeredWindows {
  private readonly assigner: WindowAssigner;
  private readonly eventTime: boolean;
  private readonly lateness: number;
  private readonly triggerName: string;
  private readonly timers: TriggerTimers;
  private readonly triggerStates: TriggerStates;
  private readonly contents: TriggeredContents;

  constructor(
    spec: WindowSpec,
    private readonly trigger: Trigger<unknown, TimeWindow>,
    state: OperatorStateAccess,
    contents: WindowContents,
    /** Sessions: the key's windows and their state windows. Null for assigners whose windows do not merge. */
    private readonly sessions: ValueState<number[]> | null,
    private readonly clock: Clock,
    timerService: () => TimerService,
    private readonly hooks: WindowHooks,
    private readonly who: FunctionIdentity,
  ) {
    this.assigner = spec.assigner;
    this.eventTime = spec.assigner.isEventTime();
    this.lateness = this.eventTime ? spec.allowedLateness : 0;
    this.triggerName = nameOf(trigger, 'trigger');
    this.timers = new TriggerTimers(state, timerService);
    this.triggerStates = new TriggerStates(state, clock, this.timers);
    const evictor = (spec.evictor ?? null) as Evictor<unknown, TimeWindow> | null;
    this.contents = evictor === null ? this.plain(contents) : this.evicting(new EvictingContents(state, spec.contents, spec.combine, evictor, clock), nameOf(evictor, 'evictor'));
  }

  push(value: unknown, timestamp: number | null): Pushed {
    return this.guard(value, () => {
      let windows: TimeWindow[];
      try {
        windows = this.assigner.assignWindows(timestamp, Date.now());
      } catch (thrown) {
        // As on the default path: a record an event-time window cannot place fails the job, whatever the policy.
        throw attribute(thrown, { ...this.who, functionName: 'window assigner' }, value);
      }
      return this.sessions === null ? this.addAligned(value, timestamp, windows) : this.addMerging(value, timestamp, windows);
    });
  }

  /** A timer of the key in scope fired: each window that registered it is called with it. */
  fire(time: number, domain: TimeDomain): Pushed {
    const event = domain === 'EVENT_TIME';
    const record = { timer: time, domain };
    return this.guard(record, () => {
      const windows = this.timers.take(event ? 'event' : 'processing', time);
      if (windows.length === 0) return undefined;
      const set = this.sessions === null ? null : MergingWindowSet.fromState(this.sessions.value());
      // Each window on its own (onTimer reports its failures): the set is stored whatever happened.
      return always(
        () => eachInOrder(windows, (window) => this.onTimer(window, time, event, set, record)),
        () => {
          if (set?.changed === true) this.storeSessions(set);
        },
      );
    });
  }

  private addAligned(value: unknown, timestamp: number | null, windows: TimeWindow[]): Pushed {
    let taken = false;
    const each = (window: TimeWindow): Pushed => {
      if (this.isWindowLate(window)) return undefined;
      taken = true;
      this.contents.add(window, value, timestamp);
      return this.onElement(window, window, value, timestamp);
    };
    return andThen(eachInOrder(windows, each), () => this.afterElement(taken, value, timestamp));
  }

  private addMerging(value: unknown, timestamp: number | null, windows: TimeWindow[]): Pushed {
    const set = MergingWindowSet.fromState(this.sessions!.value());
    let taken = false;
    const each = (window: TimeWindow): Pushed => {
      const merges: Merge[] = [];
      // MergingWindowSet reports merges as it takes them; they are acted on once add() returns, in order (as Flink's callback would).
      const actual = set.add(window, (result, merged, stateResult, mergedStates) => merges.push({ result, merged, stateResult, mergedStates }));
      // The operator's part of every merge and of the element comes before any call of the
      // trigger: whichever call fails, the contents, the cleanup timers and the set agree.
      for (const m of merges) this.mergeState(m);
      const late = this.isWindowLate(actual);
      const stateWindow = set.stateWindowOf(actual)!;
      if (!late) this.contents.add(stateWindow, value, timestamp);
      return andThen(
        eachInOrder(merges, (m) => this.mergeTrigger(m, value)),
        () => {
          if (late) {
            set.retire(actual);
            return undefined;
          }
          taken = true;
          return this.onElement(actual, stateWindow, value, timestamp);
        },
      );
    };
    // The set is stored even when the record fails: it is what the contents and timers now agree with.
    const added = always(
      () => eachInOrder(windows, each),
      () => {
        if (set.changed) this.storeSessions(set);
      },
    );
    return andThen(added, () => this.afterElement(taken, value, timestamp));
  }

  private afterElement(taken: boolean, value: unknown, timestamp: number | null): Pushed {
    if (!taken && this.isElementLate(timestamp)) this.hooks.late(value, timestamp);
    return undefined;
  }

  /**
   * The element is in `window` now (its contents in `stateWindow`): the trigger decides. The
   * window's cleanup timer is registered after, as in Flink (the trigger may have deleted a timer
   * at that time), and also when the trigger or the firing threw: the window is cleaned up in time.
   */
  private onElement(window: TimeWindow, stateWindow: TimeWindow, value: unknown, timestamp: number | null): Pushed {
    const call = this.triggerStates.call(window);
    return always(
      () => andThen(this.decide('onElement', call, () => this.trigger.onElement(value, timestamp, window, call)), (r) => this.act(r, window, stateWindow)),
      () => this.registerCleanupTimer(window),
    );
  }

  /**
   * `time` fired for `window`: the trigger decides; at the window's cleanup time it is then
   * cleaned up, even when the trigger or the firing threw. A failure is reported here, on
   * `record`, so that the timer's other windows go on.
   */
  private onTimer(window: TimeWindow, time: number, event: boolean, set: MergingWindowSet | null, record: unknown): Pushed {
    let stateWindow = window;
    if (set !== null) {
      // A timer of a window merged away, which its trigger did not delete: nothing to do, as in Flink.
      const s = set.stateWindowOf(window);
      if (s === null) return undefined;
      stateWindow = s;
    }
    const call = this.triggerStates.call(window);
    const decided = (): Pushed => {
      const result = event
        ? this.decide('onEventTime', call, () => this.trigger.onEventTime(time, window, call))
        : this.decide('onProcessingTime', call, () => this.trigger.onProcessingTime(time, window, call));
      return andThen(result, (r) => this.act(r, window, stateWindow));
    };
    const cleanup = event === this.eventTime && time === this.cleanupTime(window);
    return this.regardless(record, decided, () => (cleanup ? this.clearAll(window, stateWindow, set, record) : undefined));
  }

  /** Carries out what the trigger decided: fire, then purge. */
  private act(result: TriggerResult, window: TimeWindow, stateWindow: TimeWindow): Pushed {
    const fired = result.isFire() ? this.contents.fire(window, stateWindow, recordOf(window)) : undefined;
    return andThen(fired, () => {
      if (result.isPurge()) this.contents.clear(stateWindow);
    });
  }

  /**
   * The window's time is over: its contents, its trigger's state and timers (trigger.clear()), the
   * window function's clear(), its session; all but the first also when trigger.clear() threw.
   */
  private clearAll(window: TimeWindow, stateWindow: TimeWindow, set: MergingWindowSet | null, record: unknown): Pushed {
    this.contents.clear(stateWindow);
    const call = this.triggerStates.call(window);
    return this.regardless(
      record,
      () => this.named(() => this.trigger.clear(window, call), call),
      () => {
        this.triggerStates.release(window);
        return andThen(this.hooks.clearFunction(window, stateWindow, recordOf(window)), () => {
          set?.retire(window);
        });
      },
    );
  }

  /**
   * The operator's part of a merge, which cannot fail on the user's code: the merged windows'
   * contents into the result's state window, their function state let go, their cleanup timers
   * deleted and the result's registered (onElement registers it again, as Flink does).
   */
  private mergeState({ result, merged, stateResult, mergedStates }: Merge): void {
    this.contents.merge(stateResult, mergedStates);
    for (const s of mergedStates) this.hooks.releaseFunctionState(s);
    for (const m of merged) this.deleteCleanupTimer(m);
    this.registerCleanupTimer(result);
  }

  /**
   * The trigger's part of a merge: it takes the merged windows' state over (onMerge), then each
   * merged window is cleared (clear()). Each call runs whatever the one before did (a failure is
   * reported on `record` as it happens); after one, the record goes no further.
   */
  private mergeTrigger({ result, merged }: Merge, record: unknown): Pushed {
    let failed = false;
    const call = this.triggerStates.call(result, merged);
    const forget = (window: TimeWindow): Pushed =>
      this.regardless(record, () => this.forget(window), (f) => {
        failed ||= f;
        this.triggerStates.release(window);
      });
    return this.regardless(
      record,
      () => this.named(() => this.trigger.onMerge(result, call), call),
      (f) => {
        failed = f;
        return andThen(eachInOrder(merged, forget), () => {
          if (failed) throw new Reported();
        });
      },
    );
  }

  /** A window merged into another: its trigger state and timers go (clear()). */
  private forget(window: TimeWindow): Pushed {
    const call = this.triggerStates.call(window);
    return this.named(() => this.trigger.clear(window, call), call);
  }

  /**
   * Runs `run`; when it fails, the failure is reported at once on `record` (under `skip` a dead
   * letter; under the other policies the job fails there, as before), and `after` runs all the
   * same, told whether it did.
   */
  private regardless(record: unknown, run: () => Pushed, after: (failed: boolean) => Pushed): Pushed {
    let pushed: Pushed;
    try {
      pushed = run();
    } catch (thrown) {
      this.failed(thrown, record);
      return after(true);
    }
    if (pushed === undefined) return after(false);
    return pushed.then(
      () => after(false),
      (thrown: unknown) => {
        this.failed(thrown, record);
        return after(true);
      },
    );
  }

  /** Calls the trigger; its result must be a TriggerResult. */
  private decide(method: string, call: TriggerCall, run: () => MaybePromise<TriggerResult>): TriggerResult | Promise<TriggerResult> {
    const check = (result: TriggerResult): TriggerResult => {
      if (result instanceof TriggerResult) return result;
      throw new NamedFailure(
        new TypeError(`${this.triggerName}.${method}() returned ${String(result)}; a trigger returns a TriggerResult (TriggerResult.CONTINUE, FIRE, PURGE or FIRE_AND_PURGE)`),
        this.triggerName,
      );
    };
    const result = this.named(run, call);
    return result instanceof Promise ? result.then(check) : check(result);
  }

  /** Runs a method of the trigger (`call` ends once it has returned or settled) or of the evictor: what it throws is its failure. */
  private named<R>(run: () => MaybePromise<R>, call: TriggerCall | null, functionName = this.triggerName): R | Promise<R> {
    let result: MaybePromise<R>;
    try {
      result = run();
    } catch (thrown) {
      call?.end();
      throw new NamedFailure(thrown, functionName);
    }
    if (!isPromiseLike(result)) {
      call?.end();
      return result;
    }
    return Promise.resolve(result).then(
      (r) => {
        call?.end();
        return r;
      },
      (thrown: unknown) => {
        call?.end();
        throw new NamedFailure(thrown, functionName);
      },
    );
  }

  private guard(record: unknown, run: () => Pushed): Pushed {
    let pushed: Pushed;
    try {
      pushed = run();
    } catch (thrown) {
      return this.failed(thrown, record);
    }
    return pushed?.then(undefined, (thrown: unknown) => this.failed(thrown, record));
  }

  private failed(thrown: unknown, record: unknown): undefined {
    if (thrown instanceof Reported) return undefined;
    if (thrown instanceof NamedFailure) return this.hooks.fail(thrown.thrown, record, thrown.functionName);
    return this.hooks.fail(thrown, record, null);
  }

  private plain(contents: WindowContents): TriggeredContents {
    const hooks = this.hooks;
    return {
      add: (stateWindow, value) => contents.add(stateWindow, value),
      fire: (window, stateWindow, record) => {
        const elements = contents.get(stateWindow);
        return elements === null ? undefined : hooks.fire(window, stateWindow, elements, record);
      },
      merge: (target, sources) => contents.merge(target, sources),
      clear: (stateWindow) => contents.clear(stateWindow),
    };
  }

  private evicting(contents: EvictingContents, evictorName: string): TriggeredContents {
    const fire = this.hooks.fire.bind(this.hooks);
    const call = (run: () => unknown): unknown => this.named(run, null, evictorName);
    return {
      add: (stateWindow, value, timestamp) => contents.add(stateWindow, value, timestamp),
      fire: (window, stateWindow, record) => contents.fire(window, stateWindow, record, fire, call),
      merge: (target, sources) => contents.merge(target, sources),
      clear: (stateWindow) => contents.clear(stateWindow),
    };
  }

  private storeSessions(set: MergingWindowSet): void {
    if (set.size === 0) this.sessions!.clear();
    else this.sessions!.update(set.toState());
  }

  private registerCleanupTimer(window: TimeWindow): void {
    const t = this.cleanupTime(window);
    if (t !== Infinity) this.timers.register(this.eventTime ? 'event' : 'processing', t, window);
  }

  private deleteCleanupTimer(window: TimeWindow): void {
    const t = this.cleanupTime(window);
    if (t !== Infinity) this.timers.delete(this.eventTime ? 'event' : 'processing', t, window);
  }

  /** Event time: the window's end plus the allowed lateness; processing time: its end (Flink's cleanupTime). */
  private cleanupTime(window: TimeWindow): number {
    return window.maxTimestamp() + this.lateness;
  }

  private isWindowLate(window: TimeWindow): boolean {
    return this.eventTime && this.cleanupTime(window) <= this.clock.watermark;
  }

  private isElementLate(timestamp: number | null): boolean {
    return this.eventTime && timestamp !== null && timestamp + this.lateness <= this.clock.watermark;
  }
}

/** Runs `run`, then `last` whether it failed or not; a failure goes on after `last`. */
function always(run: () => Pushed, last: () => void): Pushed {
  let pushed: Pushed;
  try {
    pushed = run();
  } catch (thrown) {
    last();
    throw thrown;
  }
  if (pushed === undefined) {
    last();
    return undefined;
  }
  return pushed.then(last, (thrown: unknown) => {
    last();
    throw thrown;
  });
}

function recordOf(window: TimeWindow): unknown {
  return { window: { start: window.start, end: window.end } };
}

/** How failures name a trigger or an evictor: its class. */
function nameOf(object: object, fallback: string): string {
  const name = (object as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : fallback;
}
