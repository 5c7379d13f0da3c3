/**
 * The window operator (Flink's WindowOperator with its default triggers), on a keyed stream:
 *
 *   element ─▶ assigner: its windows ─▶ (sessions: merged with the key's windows)
 *           ─▶ contents of each window += element   (keyed state, namespace = the window)
 *           ─▶ timer at window.maxTimestamp() (fire), and at maxTimestamp() + allowed
 *              lateness (cleanup), in the assigner's time domain
 *   timer t ─▶ the windows whose maxTimestamp() is t fire: the window function runs on their
 *              contents, its results timestamped t; those whose cleanup time is t are purged
 *              (contents cleared, then the function's clear(): its per-window state is its own
 *              to clear, window-state.ts)
 *
 * Timers carry a key and a timestamp, no namespace: the windows a timer is for are found from
 * its timestamp. A tumbling or sliding window is the one ending at t + 1 (or t + 1 - allowed
 * lateness, for its cleanup), if the assigner makes such a window; sessions keep their windows
 * in a keyed state of their own (the merging window set), whose windows all end differently.
 * A timer that stands for no live window does nothing, so a timer is never deleted when
 * another window of its key still needs its timestamp.
 *
 * Event time: an element whose every window is past its cleanup time (maxTimestamp() + allowed
 * lateness <= watermark) is late: it goes to the late-data side output, or nowhere. One that
 * arrives for a window already fired (its end passed, its lateness not) fires the window again
 * at once, with all it holds. Processing time has no lateness.
 *
 * Windows given a trigger or an evictor, and GlobalWindows, fire by their trigger instead:
 * TriggeredWindows (window-trigger.ts) takes their elements and timers, with this operator's
 * window function calls, failure policy and late-data output (its WindowHooks).
 */
import type { TimeDomain } from '../../../shared/api/contexts.ts';
import type { OutputTag } from '../../../shared/api/output-tag.ts';
import { ValueStateDescriptor } from '../../../shared/api/state-descriptors.ts';
import type { ValueState } from '../../../shared/api/state.ts';
import { TimeWindow, type WindowAssigner } from '../../../shared/api/windows.ts';
import type { WindowSpec } from '../../../shared/protocol/window-spec.ts';
import { activity } from '../../activity.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import type { Clock, ProcessContextImpl } from '../contexts.ts';
import { eachInOrder, type Pushed } from '../downstream.ts';
import { attribute } from '../failure.ts';
import type { OperatorSetup } from './base.ts';
import { WindowFunctionOperator } from './window-base.ts';
import { MergingWindowSet } from './window-merging.ts';
import { triggerOf, TriggeredWindows, type WindowHooks } from './window-trigger.ts';

/**
 * A window to fire (or purge), and the state window its contents and per-window state are in
 * (itself unless sessions merged).
 */
interface Firing {
  window: TimeWindow;
  state: TimeWindow;
  purge: boolean;
}

export class WindowOperator extends WindowFunctionOperator {
  private readonly assigner: WindowAssigner;
  private readonly eventTime: boolean;
  private readonly lateness: number;
  private readonly lateDataTag: OutputTag<unknown> | null;
  /** Sessions: the key's windows and their state windows. Null for assigners whose windows do not merge. */
  private readonly sessions: ValueState<number[]> | null;
  /** Sliding windows start every `period` ms (tumbling ones every `size`), `offset` from the epoch. */
  private readonly size: number;
  private readonly period: number;
  private readonly offset: number;
  /** The windows fire by a trigger given to them (or GlobalWindows'), not by the default triggers: everything goes there. */
  private readonly triggered: TriggeredWindows | null;

  constructor(
    setup: OperatorSetup,
    spec: WindowSpec,
    state: OperatorStateAccess,
    ctx: ProcessContextImpl,
    private readonly clock: Clock,
  ) {
    super(setup, spec, state, ctx, clock);
    this.assigner = spec.assigner;
    this.eventTime = spec.assigner.isEventTime();
    // Allowed lateness is for event time only (Flink's cleanupTime / isWindowLate).
    this.lateness = this.eventTime ? spec.allowedLateness : 0;
    this.lateDataTag = spec.lateDataTag;
    this.sessions = spec.assigner.isMerging() ? state.getState(new ValueStateDescriptor<number[]>('__window-sessions')) : null;
    const fields = spec.assigner as unknown as { size?: number; slide?: number; offset?: number };
    this.size = fields.size ?? 0;
    this.period = fields.slide ?? fields.size ?? 0;
    this.offset = fields.offset ?? 0;
    const trigger = triggerOf(spec);
    this.triggered =
      trigger === null ? null : new TriggeredWindows(spec, trigger, state, this.contents, this.sessions, clock, () => ctx.timerService(), this.hooks(), this.who);
  }

  /** What TriggeredWindows does through this operator. */
  private hooks(): WindowHooks {
    return {
      fire: (window, stateWindow, elements, record) => {
        const outTs = window.maxTimestamp();
        this.ctx.ts = outTs;
        return this.callOn(window, stateWindow, elements, record, outTs);
      },
      clearFunction: (window, stateWindow, record) => this.purgeWindow(window, stateWindow, record, () => true),
      releaseFunctionState: (stateWindow) => this.states.release(stateWindow),
      fail: (thrown, record, functionName) => this.dropRecordOf(thrown, record, functionName),
      late: (value, timestamp) => this.sideOutputLate(value, timestamp),
    };
  }

  push(value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    if (this.triggered !== null) return this.triggered.push(value, timestamp);
    let fire: Firing[];
    try {
      fire = this.addElement(value, timestamp);
    } catch (thrown) {
      return this.dropRecord(thrown, value);
    }
    return this.fireAll(fire);
  }

  /**
   * A timer of the key in scope fired: the windows it stands for fire, or are purged. Timers of
   * the other domain are not this operator's (it registers none; a trigger may).
   */
  fire(timestamp: number, domain: TimeDomain): Pushed {
    if (this.triggered !== null) {
      activity.operator = this.who.operator;
      return this.triggered.fire(timestamp, domain);
    }
    if ((domain === 'EVENT_TIME') !== this.eventTime) return undefined;
    activity.operator = this.who.operator;
    let fire: Firing[];
    try {
      fire = this.sessions === null ? this.timerOfAligned(timestamp) : this.timerOfSessions(timestamp);
    } catch (thrown) {
      return this.dropRecord(thrown, { timer: timestamp, domain });
    }
    return this.fireAll(fire);
  }

  /** Puts the element into its windows; returns the windows that fire at once (late elements within the allowed lateness). */
  private addElement(value: unknown, timestamp: number | null): Firing[] {
    let windows: ReturnType<WindowAssigner['assignWindows']>;
    try {
      windows = this.assigner.assignWindows(timestamp, Date.now());
    } catch (thrown) {
      // A record an event-time window cannot place (it has no timestamp) is the job's error, as
      // Flink's window operator raises it, not the window function's: no failure policy skips it.
      throw attribute(thrown, { ...this.who, functionName: 'window assigner' }, value);
    }
    const fire: Firing[] = [];
    let taken = false;
    if (this.sessions === null) {
      for (const window of windows) {
        if (this.isWindowLate(window)) continue;
        taken = true;
        this.contents.add(window, value);
        if (this.onElement(window)) fire.push({ window, state: window, purge: false });
        this.registerCleanupTimer(window);
      }
    } else {
      const set = MergingWindowSet.fromState(this.sessions.value());
      for (const window of windows) {
        const actual = set.add(window, (result, merged, stateResult, mergedStates) => {
          this.onMerge(result);
          for (const m of merged) this.dropTimers(m, set);
          this.contents.merge(stateResult, mergedStates);
          // Per-window state is not merged (as in Flink): the merged session keeps stateResult's.
          for (const m of mergedStates) this.states.release(m);
        });
        if (this.isWindowLate(actual)) {
          set.retire(actual);
          continue;
        }
        taken = true;
        const state = set.stateWindowOf(actual)!;
        this.contents.add(state, value);
        if (this.onElement(actual)) fire.push({ window: actual, state, purge: false });
        this.registerCleanupTimer(actual);
      }
      if (set.changed) this.storeSessions(set);
    }
    if (!taken && this.isElementLate(timestamp)) this.sideOutputLate(value, timestamp);
    return fire;
  }

  /** An element too late for every window it belongs to: to the late-data side output, if there is one. */
  private sideOutputLate(value: unknown, timestamp: number | null): void {
    if (this.lateDataTag === null) return;
    this.ctx.sideOutputs.emit(this.lateDataTag, value, timestamp);
    if (this.skips) this.ctx.sideOutputs.release();
  }

  /** A tumbling or sliding window's timer: the window ending at t + 1 fires, the one whose cleanup time is t is purged. */
  private timerOfAligned(t: number): Firing[] {
    const fire: Firing[] = [];
    const firing = this.alignedWindowEndingAt(t + 1);
    if (firing !== null && this.contents.get(firing) !== null) fire.push({ window: firing, state: firing, purge: false });
    const purged = this.alignedWindowEndingAt(t + 1 - this.lateness);
    // A window firing and purged at the same time (no lateness) is purged after it fired.
    if (purged !== null) fire.push({ window: purged, state: purged, purge: true });
    return fire;
  }

  /** The window of the assigner that ends at `end`, if it makes one. */
  private alignedWindowEndingAt(end: number): TimeWindow | null {
    const start = end - this.size;
    if (TimeWindow.getWindowStartWithOffset(start, this.offset, this.period) !== start) return null;
    return new TimeWindow(start, end);
  }

  /** A session timer: the key's windows ending at t + 1 fire, those whose cleanup time is t are purged. */
  private timerOfSessions(t: number): Firing[] {
    const set = MergingWindowSet.fromState(this.sessions!.value());
    const fire: Firing[] = [];
    for (const { window, state } of set.entries()) {
      if (window.maxTimestamp() === t) fire.push({ window, state, purge: false });
      if (this.cleanupTime(window) === t) {
        fire.push({ window, state, purge: true });
        set.retire(window);
      }
    }
    if (set.changed) this.storeSessions(set);
    return fire;
  }

  private storeSessions(set: MergingWindowSet): void {
    if (set.size === 0) this.sessions!.clear();
    else this.sessions!.update(set.toState());
  }

  /** Fires (or purges) `list`, in order, each after the one before has gone downstream. */
  private fireAll(list: Firing[]): Pushed {
    return eachInOrder(list, this.fireOneBound);
  }
  private readonly fireOneBound = (firing: Firing): Pushed => this.fireOne(firing);

  private fireOne({ window, state, purge }: Firing): Pushed {
    const record = { window: { start: window.start, end: window.end } };
    if (purge) return this.purge(window, state, record);
    const outTs = window.maxTimestamp();
    this.ctx.ts = outTs;
    let elements: unknown[] | null;
    try {
      elements = this.contents.get(state);
    } catch (thrown) {
      return this.dropRecord(thrown, record);
    }
    if (elements === null) return undefined;
    return this.callOn(window, state, elements, record, outTs);
  }

  /**
   * Purges a window: its contents (those of its state window), then the ProcessWindowFunction's
   * clear(), as Flink's clearAllState does. A tumbling or sliding window that holds nothing is
   * not one the key had (another window's timer has the timestamp): nothing happens.
   */
  private purge(window: TimeWindow, state: TimeWindow, record: unknown): Pushed {
    return this.purgeWindow(window, state, record, () => {
      if (this.sessions === null && this.contents.get(window) === null) return false;
      this.contents.clear(state);
      return true;
    });
  }

  /** The default triggers' onElement: true to fire now (an event-time window whose end the watermark has passed). */
  private onElement(window: TimeWindow): boolean {
    const timers = this.ctx.timerService();
    if (!this.eventTime) {
      timers.registerProcessingTimeTimer(window.maxTimestamp());
      return false;
    }
    if (window.maxTimestamp() <= this.clock.watermark) return true;
    timers.registerEventTimeTimer(window.maxTimestamp());
    return false;
  }

  /** The default triggers' onMerge: the merged window fires at its end, unless that has passed. */
  private onMerge(window: TimeWindow): void {
    const timers = this.ctx.timerService();
    const end = window.maxTimestamp();
    if (this.eventTime) {
      if (end > this.clock.watermark) timers.registerEventTimeTimer(end);
    } else if (end > Date.now()) {
      timers.registerProcessingTimeTimer(end);
    }
  }

  /** A window merged away: its fire and cleanup timers go, unless a window still in `set` needs their timestamp. */
  private dropTimers(window: TimeWindow, set: MergingWindowSet): void {
    const timers = this.ctx.timerService();
    for (const t of new Set([window.maxTimestamp(), this.cleanupTime(window)])) {
      if (set.entries().some((e) => e.window.maxTimestamp() === t || this.cleanupTime(e.window) === t)) continue;
      if (this.eventTime) timers.deleteEventTimeTimer(t);
      else timers.deleteProcessingTimeTimer(t);
    }
  }

  private registerCleanupTimer(window: TimeWindow): void {
    const t = this.cleanupTime(window);
    if (t === Infinity) return;
    if (this.eventTime) this.ctx.timerService().registerEventTimeTimer(t);
    else this.ctx.timerService().registerProcessingTimeTimer(t);
  }

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

/** The user functions of a window, for open() and close(): the reduce or aggregate function, then the window function. */
export function windowFunctionsOf(spec: WindowSpec): unknown[] {
  return [spec.combine, spec.windowFunction].filter((f) => f !== null && f !== undefined);
}
