/**
 * How a window operator calls what runs on a firing window's contents: a ProcessWindowFunction
 * (key, context, elements, out), a WindowFunction (key, window, elements, out), or nothing, when
 * the reduced or aggregated value goes out as it is. For windowAll (spec.allWindows) the
 * operator's one key is windowAll's own, not the user's: a ProcessAllWindowFunction gets
 * (context, elements, out), an AllWindowFunction (window, elements, out).
 */
import type { ProcessWindowContext } from '../../../shared/api/window-functions.ts';
import type { WindowSpec } from '../../../shared/protocol/window-spec.ts';
import { callableOf } from './base.ts';
import type { AnyWindow } from './window-contents.ts';

/** Calls the window function on `elements` of `window`; returns what it returned (for the operator to emit). */
export type WindowCall = (key: unknown, window: AnyWindow, elements: unknown[], out: unknown, context: () => ProcessWindowContext<AnyWindow>) => unknown;

export interface WindowFunctionCall {
  readonly call: WindowCall;
  /** The ProcessWindowFunction's clear(), when it has one: called when a window is purged. */
  readonly clear: ((context: ProcessWindowContext<AnyWindow>) => unknown) | null;
}

export function windowFunctionCall(spec: WindowSpec): WindowFunctionCall {
  const fn = spec.windowFunction;
  const keyed = spec.allWindows !== true;
  switch (spec.windowFunctionKind) {
    case 'none':
      return { call: (_key, _window, elements) => elements, clear: null };
    case 'apply': {
      if (!keyed) {
        const apply = callableOf<(window: AnyWindow, elements: unknown[], out: unknown) => unknown>(fn, 'apply', 'all-window function');
        return { call: (_key, window, elements, out) => apply(window, elements, out), clear: null };
      }
      const apply = callableOf<(key: unknown, window: AnyWindow, elements: unknown[], out: unknown) => unknown>(fn, 'apply', 'window function');
      return { call: (key, window, elements, out) => apply(key, window, elements, out), clear: null };
    }
    case 'process': {
      const clear = typeof fn === 'object' && fn !== null ? (fn as { clear?: unknown }).clear : undefined;
      const clearCall = typeof clear === 'function' ? (clear.bind(fn) as (context: ProcessWindowContext<AnyWindow>) => unknown) : null;
      if (!keyed) {
        const process = callableOf<(context: ProcessWindowContext<AnyWindow>, elements: unknown[], out: unknown) => unknown>(
          fn,
          'process',
          'process all-window function',
        );
        return { call: (_key, _window, elements, out, context) => process(context(), elements, out), clear: clearCall };
      }
      const process = callableOf<(key: unknown, context: ProcessWindowContext<AnyWindow>, elements: unknown[], out: unknown) => unknown>(
        fn,
        'process',
        'process window function',
      );
      return { call: (key, _window, elements, out, context) => process(key, context(), elements, out), clear: clearCall };
    }
  }
}
