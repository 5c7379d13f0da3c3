/** ProcessFunction and KeyedProcessFunction, with their contexts, timers and side outputs. */
import type { TimeDomain } from '../../../shared/api/contexts.ts';
import type { Pushed } from '../downstream.ts';
import type { ProcessContextImpl } from '../contexts.ts';
import { activity } from '../../activity.ts';
import { callableOf, type OperatorSetup } from './base.ts';
import { EmittingOperator } from './stateless.ts';

export type ProcessCall = (value: unknown, ctx: ProcessContextImpl, out: unknown) => unknown;
type TimerCall = (timestamp: number, ctx: ProcessContextImpl, out: unknown) => unknown;

export class ProcessOperator extends EmittingOperator {
  private readonly call: ProcessCall;
  private readonly timerCall: TimerCall | null;

  /** `call` is what processes an element, when not `fn`'s processElement (a co-process function's processElement1). */
  constructor(
    setup: OperatorSetup,
    fn: unknown,
    private readonly ctx: ProcessContextImpl,
    call: ProcessCall = callableOf(fn, 'processElement', 'process function'),
  ) {
    super(setup, ctx.sideOutputs);
    // Bound to the operator, as MapOperator's.
    this.call = call.bind(this);
    const onTimer = typeof fn === 'object' && fn !== null ? (fn as { onTimer?: unknown }).onTimer : undefined;
    this.timerCall = typeof onTimer === 'function' ? (onTimer.bind(fn) as TimerCall) : null;
  }

  push(value: unknown, timestamp: number | null): Pushed {
    return this.process(this.call, value, timestamp);
  }

  /** One element through `call`: the process function, or a co-process function's processElement1 or processElement2 (co-operators.ts). */
  protected process(call: ProcessCall, value: unknown, timestamp: number | null): Pushed {
    this.elementsIn++;
    activity.operator = this.who.operator;
    this.ctx.ts = timestamp;
    let returned: unknown;
    try {
      returned = call(value, this.ctx, this.out);
    } catch (thrown) {
      return this.dropRecord(thrown, value);
    }
    return this.afterCall(returned, value, timestamp);
  }

  /**
   * A timer fired for the current key. Output of an event-time timer carries the timer's
   * timestamp; output of a processing-time timer carries none (as in Flink). Under `skip` a
   * timer is a record like an element: an onTimer that throws sends {timer, domain} to the
   * dead letters, and nothing it emitted for the timer goes on.
   */
  fire(timestamp: number, domain: TimeDomain): Pushed {
    if (this.timerCall === null) return undefined;
    activity.operator = this.who.operator;
    this.ctx.ts = timestamp;
    this.ctx.domain = domain;
    const outTs = domain === 'EVENT_TIME' ? timestamp : null;
    const record = { timer: timestamp, domain };
    let returned: unknown;
    try {
      returned = this.timerCall(timestamp, this.ctx, this.out);
    } catch (thrown) {
      return this.dropRecord(thrown, record);
    }
    return this.afterCall(returned, record, outTs);
  }
}
