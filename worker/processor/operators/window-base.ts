/**
 * What the time and count window operators share: a window's contents, the function run on them
 * when it fires, and the per-window state of its calls (window-state.ts). A firing calls the
 * function through a WindowCall, whose context is good until the call's output has gone
 * downstream; a purge clears the operator's contents first, then runs the function's clear() on
 * the window's own state. A failure of either follows the operator's failure policy, with the
 * window as its record.
 */
import type { WindowSpec } from '../../../shared/protocol/window-spec.ts';
import type { OperatorStateAccess } from '../../state/worker-keyed-state.ts';
import type { Clock, ProcessContextImpl } from '../contexts.ts';
import type { Pushed } from '../downstream.ts';
import type { OperatorSetup } from './base.ts';
import { EmittingOperator } from './stateless.ts';
import { windowContents, type AnyWindow, type WindowContents } from './window-contents.ts';
import { windowFunctionCall, type WindowFunctionCall } from './window-function-call.ts';
import { WindowStates } from './window-state.ts';

export abstract class WindowFunctionOperator extends EmittingOperator {
  protected readonly contents: WindowContents;
  protected readonly windowFunction: WindowFunctionCall;
  protected readonly states: WindowStates;

  constructor(
    setup: OperatorSetup,
    spec: WindowSpec,
    state: OperatorStateAccess,
    protected readonly ctx: ProcessContextImpl,
    clock: Clock,
  ) {
    super(setup, ctx.sideOutputs);
    this.contents = windowContents(spec.contents, spec.combine, state);
    this.windowFunction = windowFunctionCall(spec);
    this.states = new WindowStates(state, ctx, clock);
  }

  /** Runs the window function on `elements` of `window` (whose state is `stateWindow`'s), its results timestamped `outTs`. */
  protected callOn(window: AnyWindow, stateWindow: AnyWindow, elements: unknown[], record: unknown, outTs: number): Pushed {
    const call = this.states.call(window, stateWindow);
    let returned: unknown;
    try {
      returned = this.windowFunction.call(this.ctx.getCurrentKey(), window, elements, this.out, call.context);
    } catch (thrown) {
      call.end();
      return this.dropRecord(thrown, record);
    }
    return call.endAfter(this.afterCall(returned, record, outTs));
  }

  /** A failure on `record` of the function named `functionName` (a trigger, an evictor), or with null of the window's own functions. */
  protected dropRecordOf(thrown: unknown, record: unknown, functionName: string | null): undefined {
    if (functionName === null) return this.dropRecord(thrown, record);
    this.out.take();
    this.ctx.sideOutputs.discard();
    return this.failed(thrown, record, { ...this.who, functionName });
  }

  /**
   * Purges `window`: `clearContents` (the operator's own clearing; false when the window is not
   * one the key had, and nothing more happens), then the function's clear() on its state.
   */
  protected purgeWindow(window: AnyWindow, stateWindow: AnyWindow, record: unknown, clearContents: () => boolean): Pushed {
    let cleared: Pushed;
    try {
      if (!clearContents()) return undefined;
      cleared = this.states.purge(window, stateWindow, this.windowFunction.clear);
    } catch (thrown) {
      return this.dropRecord(thrown, record);
    }
    if (cleared === undefined) {
      this.releaseCleared();
      return undefined;
    }
    return cleared.then(
      () => this.releaseCleared(),
      (thrown: unknown) => this.dropRecord(thrown, record),
    );
  }

  /** Under `skip`, side output is held until what sent it has finished: clear() has. */
  private releaseCleared(): void {
    if (this.skips) this.ctx.sideOutputs.release();
  }
}
