/**
 * The head of a processor whose second input is a broadcast stream (BroadcastConnectedStream
 * .process): BroadcastProcessFunction and KeyedBroadcastProcessFunction. It is the process
 * operator (failure policy, dead letters, side outputs, counts, the head's promise hand-over),
 * calling processElement for the first input's records with a read-only view of the broadcast
 * states, and taking the broadcast input's records through `input2` to processBroadcastElement,
 * which may change them. Keyed, it is its processor's timer target as a keyed process is, and
 * onTimer reads the broadcast states as processElement does.
 *
 *   input rows  ─▶ push()        ─▶ processElement(v, read-only ctx)        ─┐
 *   input2 rows ─▶ input2.push() ─▶ processBroadcastElement(v, writable ctx) ─┴▶ next
 *   timers      ─▶ fire()        ─▶ onTimer(ts, read-only ctx + timeDomain)
 *
 * A broadcast element has no key, even on a keyed stream (its rows come without one): the
 * scope's key is cleared before each, so that keyed state and timers used there throw, rather
 * than act on the key of whatever element came before it.
 */
import { CO_FUNCTIONS, type BroadcastKind } from '../../../shared/protocol/co-functions.ts';
import type { BroadcastStates } from '../../state/broadcast-state.ts';
import { BroadcastContextImpl, BroadcastReadOnlyContextImpl, KeyedBroadcastReadOnlyContextImpl } from '../broadcast-contexts.ts';
import type { ProcessContextImpl } from '../contexts.ts';
import type { Downstream } from '../downstream.ts';
import type { ElementScope } from '../element-scope.ts';
import { methodOf, type OperatorSetup } from './base.ts';
import type { TwoInputOperator } from './co-operators.ts';
import { ProcessOperator, type ProcessCall } from './process.ts';

/** What keyed state and timers used in processBroadcastElement throw. */
export const NO_KEY_ON_BROADCAST_SIDE =
  'processBroadcastElement has no current key: keyed state and timers are only available in processElement and onTimer';

type MethodCall = (valueOrTimestamp: unknown, ctx: unknown, out: unknown) => unknown;

export class BroadcastProcessOperator extends ProcessOperator implements TwoInputOperator {
  readonly input2: Downstream;

  /** `ctx` is the operator's process context (the clock, side outputs; keyed: the key and its timers), which the broadcast contexts read. */
  constructor(setup: OperatorSetup, fn: unknown, ctx: ProcessContextImpl, kind: BroadcastKind, states: BroadcastStates, scope: ElementScope) {
    const { className, methods } = CO_FUNCTIONS[kind];
    const processElement = methodOf<MethodCall>(fn, methods[0], className);
    const processBroadcastElement = methodOf<MethodCall>(fn, methods[1], className);
    const keyed = kind === 'keyed_broadcast_process';
    const readOnly = keyed ? new KeyedBroadcastReadOnlyContextImpl(ctx, states) : new BroadcastReadOnlyContextImpl(ctx, states);
    const writable = new BroadcastContextImpl(ctx, states);
    // ProcessOperator calls the onTimer of the object it is given with its own context: given
    // one whose onTimer calls the function's with the read-only context.
    const onTimer = keyed ? (fn as { onTimer?: unknown }).onTimer : undefined;
    const timers =
      typeof onTimer === 'function' ? { onTimer: (timestamp: number, _ctx: unknown, out: unknown): unknown => onTimer.call(fn, timestamp, readOnly, out) } : null;
    super(setup, timers, ctx, (value, _ctx, out) => processElement(value, readOnly, out));
    const call2: ProcessCall = (value, _ctx, out) => {
      scope.clearKey(NO_KEY_ON_BROADCAST_SIDE);
      return processBroadcastElement(value, writable, out);
    };
    this.input2 = { push: (value, timestamp) => this.process(call2, value, timestamp) };
  }
}
