/**
 * The contexts of a broadcast process function (shared/api/contexts.ts): views of the
 * operator's ProcessContextImpl, which the operator re-points at each element or timer as for
 * any process function (timestamp, time domain), with the transform's broadcast states. One
 * instance of each per operator: functions must not keep a context beyond the call.
 *
 *   processElement          BroadcastReadOnlyContextImpl       (keyed: KeyedBroadcastReadOnlyContextImpl)
 *   processBroadcastElement BroadcastContextImpl               (states writable; no key, no timers)
 *   onTimer (keyed)         KeyedBroadcastReadOnlyContextImpl  (+ timeDomain)
 */
import type { OutputTag } from '../../shared/api/output-tag.ts';
import type {
  BroadcastProcessContext,
  BroadcastProcessReadOnlyContext,
  KeyedBroadcastOnTimerContext,
  TimeDomain,
  TimerService,
} from '../../shared/api/contexts.ts';
import type { MapStateDescriptor } from '../../shared/api/state-descriptors.ts';
import type { BroadcastState, ReadOnlyBroadcastState } from '../../shared/api/state.ts';
import type { BroadcastStates } from '../state/broadcast-state.ts';
import type { ProcessContextImpl } from './contexts.ts';

abstract class BaseBroadcastContext {
  constructor(
    protected readonly inner: ProcessContextImpl,
    protected readonly states: BroadcastStates,
  ) {}

  timestamp(): number | null {
    return this.inner.timestamp();
  }
  currentProcessingTime(): number {
    return this.inner.timerService().currentProcessingTime();
  }
  currentWatermark(): number {
    return this.inner.timerService().currentWatermark();
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.inner.output(tag, value);
  }
}

/** processElement of a BroadcastProcessFunction: the broadcast states read only. */
export class BroadcastReadOnlyContextImpl extends BaseBroadcastContext implements BroadcastProcessReadOnlyContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V> {
    return this.states.readOnly(descriptor);
  }
}

/** processElement and onTimer of a KeyedBroadcastProcessFunction: also the key and its timers. */
export class KeyedBroadcastReadOnlyContextImpl extends BroadcastReadOnlyContextImpl implements KeyedBroadcastOnTimerContext<unknown> {
  timerService(): TimerService {
    return this.inner.timerService();
  }
  getCurrentKey(): unknown {
    return this.inner.getCurrentKey();
  }
  get currentKey(): unknown {
    return this.inner.getCurrentKey();
  }
  timeDomain(): TimeDomain {
    return this.inner.timeDomain();
  }
}

/** processBroadcastElement, keyed or not: the broadcast states read and written. */
export class BroadcastContextImpl extends BaseBroadcastContext implements BroadcastProcessContext {
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return this.states.writable(descriptor);
  }
}
