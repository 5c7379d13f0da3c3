/**
 * The contexts process functions receive. One instance per operator, re-pointed at each element:
 * functions must not keep a context beyond the call (as in Flink).
 */
import type { OutputTag } from '../../shared/api/output-tag.ts';
import type { OnTimerContext, TimeDomain, TimerService } from '../../shared/api/contexts.ts';
import type { OperatorStateAccess } from '../state/worker-keyed-state.ts';
import type { ElementScope } from './element-scope.ts';
import type { SideOutputs } from './output-buffer.ts';
import type { TimerFiring } from './timer-firing.ts';

export interface Clock {
  watermark: number;
}

/**
 * Registrations and deletions go to the host with the bundle's state writes; while timers fire,
 * TimerFiring sees them first: a due one it takes fires among them, and never reaches the host.
 */
class KeyedTimerService implements TimerService {
  constructor(
    private readonly state: OperatorStateAccess,
    private readonly clock: Clock,
    private readonly scope: ElementScope,
    private readonly firing: TimerFiring | null,
  ) {}
  currentProcessingTime(): number {
    return Date.now();
  }
  currentWatermark(): number {
    return this.clock.watermark;
  }
  registerEventTimeTimer(timestamp: number): void {
    this.register('event', checkTime(timestamp));
  }
  registerProcessingTimeTimer(timestamp: number): void {
    this.register('processing', checkTime(timestamp));
  }
  deleteEventTimeTimer(timestamp: number): void {
    this.delete('event', checkTime(timestamp));
  }
  deleteProcessingTimeTimer(timestamp: number): void {
    this.delete('processing', checkTime(timestamp));
  }
  private register(domain: 'event' | 'processing', timestamp: number): void {
    if (this.firing?.register(domain, this.scope.keyBytes(), timestamp) === true) return;
    this.state.registerTimer(domain, timestamp);
  }
  private delete(domain: 'event' | 'processing', timestamp: number): void {
    this.firing?.delete(domain, this.scope.keyBytes(), timestamp);
    this.state.deleteTimer(domain, timestamp);
  }
}

class UnkeyedTimerService implements TimerService {
  constructor(private readonly clock: Clock) {}
  currentProcessingTime(): number {
    return Date.now();
  }
  currentWatermark(): number {
    return this.clock.watermark;
  }
  registerEventTimeTimer(): void {
    throw noTimers();
  }
  registerProcessingTimeTimer(): void {
    throw noTimers();
  }
  deleteEventTimeTimer(): void {
    throw noTimers();
  }
  deleteProcessingTimeTimer(): void {
    throw noTimers();
  }
}

function noTimers(): Error {
  return new Error('Setting timers is only supported on a keyed stream: use keyBy(...).process(...), or on connected streams connect two KeyedStreams (or keyBy(key1, key2))');
}

function checkTime(timestamp: number): number {
  if (typeof timestamp !== 'number' || Number.isNaN(timestamp)) {
    throw new TypeError(`a timer timestamp must be a number (ms), got ${String(timestamp)}`);
  }
  return timestamp;
}

export class ProcessContextImpl implements OnTimerContext<unknown> {
  domain: TimeDomain = 'EVENT_TIME';
  /** The timestamp of the element (or timer) being processed; set by the operator. */
  ts: number | null = null;
  private readonly timers: TimerService;

  constructor(
    private readonly scope: ElementScope,
    /** Read by the operator too, which holds a record's rows under the `skip` policy. */
    readonly sideOutputs: SideOutputs,
    clock: Clock,
    state: OperatorStateAccess | null,
    firing: TimerFiring | null = null,
  ) {
    this.timers = state === null ? new UnkeyedTimerService(clock) : new KeyedTimerService(state, clock, scope, firing);
  }

  timestamp(): number | null {
    return this.ts;
  }
  timerService(): TimerService {
    return this.timers;
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.sideOutputs.emit(tag, value, this.ts);
  }
  getCurrentKey(): unknown {
    return this.scope.key();
  }
  get currentKey(): unknown {
    return this.scope.key();
  }
  timeDomain(): TimeDomain {
    return this.domain;
  }
}
