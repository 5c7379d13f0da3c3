/**
 * Which windows a timer of a triggered window operator is for. Host timers carry a key, a time
 * and a domain, no namespace (Flink's carry the window); a trigger's timers are any times it
 * likes, so the window cannot be derived from the time as the default triggers' are
 * (window.ts). Each key keeps, per domain, a map from a time to the windows that registered a
 * timer at it (a keyed MapState of the operator's own, checkpointed with the rest):
 *
 *   register(w, t): windows(t) += w; the first window at t registers the host timer (key, t)
 *   delete(w, t):   windows(t) -= w; the last one gone deletes it
 *   host timer (key, t) fires: take(t) = windows(t), the entry gone; each is called in turn
 *
 * Invariant: a time has an entry (with one window or more) if and only if the key's host timer
 * at that time and domain is registered and has not fired, so one window's delete never takes
 * another's timer away, and a window registered again while its timer fires (a due time) gets a
 * new one, which the worker's timer firing runs in the same round.
 *
 * Windows are kept as their [start, end] pairs, flat; the GlobalWindow is (-Infinity, Infinity).
 */
import type { TimerService } from '../../../shared/api/contexts.ts';
import { MapStateDescriptor } from '../../../shared/api/state-descriptors.ts';
import type { MapState } from '../../../shared/api/state.ts';
import { GlobalWindow, TimeWindow } from '../../../shared/api/windows.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';

export type TriggerTimerDomain = 'event' | 'processing';

export class TriggerTimers {
  private readonly event: MapState<number, number[]>;
  private readonly processing: MapState<number, number[]>;

  constructor(
    state: OperatorStateAccess,
    /** The key's host timers (the operator context's timer service). */
    private readonly timers: () => TimerService,
  ) {
    this.event = state.getMapState(new MapStateDescriptor<number, number[]>('__trigger-event-timers'));
    this.processing = state.getMapState(new MapStateDescriptor<number, number[]>('__trigger-processing-timers'));
  }

  register(domain: TriggerTimerDomain, time: number, window: TimeWindow): void {
    checkTime(time);
    const map = this.mapOf(domain);
    const flat = map.get(time);
    if (flat === null) {
      map.put(time, [window.start, window.end]);
      if (domain === 'event') this.timers().registerEventTimeTimer(time);
      else this.timers().registerProcessingTimeTimer(time);
      return;
    }
    if (indexOf(flat, window) >= 0) return;
    map.put(time, [...flat, window.start, window.end]);
  }

  delete(domain: TriggerTimerDomain, time: number, window: TimeWindow): void {
    checkTime(time);
    const map = this.mapOf(domain);
    const flat = map.get(time);
    if (flat === null) return;
    const at = indexOf(flat, window);
    if (at < 0) return;
    if (flat.length === 2) {
      map.remove(time);
      if (domain === 'event') this.timers().deleteEventTimeTimer(time);
      else this.timers().deleteProcessingTimeTimer(time);
      return;
    }
    map.put(time, [...flat.slice(0, at), ...flat.slice(at + 2)]);
  }

  /** The key's host timer at `time` fired: the windows it was for, in the order they registered it. They have no timer there any more. */
  take(domain: TriggerTimerDomain, time: number): TimeWindow[] {
    const map = this.mapOf(domain);
    const flat = map.get(time);
    if (flat === null) return [];
    map.remove(time);
    const windows: TimeWindow[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) windows.push(windowOf(flat[i]!, flat[i + 1]!));
    return windows;
  }

  private mapOf(domain: TriggerTimerDomain): MapState<number, number[]> {
    return domain === 'event' ? this.event : this.processing;
  }
}

function indexOf(flat: readonly number[], window: TimeWindow): number {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === window.start && flat[i + 1] === window.end) return i;
  return -1;
}

function windowOf(start: number, end: number): TimeWindow {
  return start === -Infinity && end === Infinity ? GlobalWindow.get() : new TimeWindow(start, end);
}

function checkTime(time: number): void {
  if (typeof time !== 'number' || Number.isNaN(time)) throw new TypeError(`a timer time must be a number (ms), got ${String(time)}`);
}
