/**
 * Attributing failures: every error a user function throws is caught where the function was
 * called, wrapped once with the operator, the function and the record, and travels to the host
 * as a structured error (shared/errors/wire.ts).
 */
import { describeError, isError, renderThrown } from '../../shared/errors/describe-thrown.ts';
import { renderRecord } from '../../shared/errors/render-record.ts';
import type { WireError } from '../../shared/errors/wire.ts';
import { toWireError } from '../../shared/errors/wire.ts';

/** An error a user function threw, with where it happened. Thrown once, rethrown as is. */
export class FunctionFailure extends Error {
  constructor(
    readonly thrown: unknown,
    /** The operator's name and transform id; `functionName` says which function of it. */
    readonly who: FunctionIdentity,
    readonly functionName: string,
    readonly record: string,
  ) {
    // Never throws, whatever was thrown (an object without a prototype, a throwing getter).
    super(isError(thrown) ? describeError(thrown).message : renderThrown(thrown));
  }

  toWire(): WireError {
    const { operator, transform } = this.who;
    return toWireError(this.thrown, { operator, transform, functionName: this.functionName, record: this.record });
  }
}

export interface FunctionIdentity {
  operator: string;
  /** The operator's transform id (its uid or number): the host tells same-named operators apart by it. */
  transform: string;
  functionName: string;
}

/** A failure of a function's open() or close(): no record, the method named with the function. */
export function lifecycleFailure(thrown: unknown, who: FunctionIdentity, method: 'open' | 'close'): FunctionFailure {
  return new FunctionFailure(thrown, who, `${who.functionName}.${method}()`, '');
}

/** Wraps `thrown` unless a function further down the chain already did. */
export function attribute(thrown: unknown, who: FunctionIdentity, record: unknown): FunctionFailure {
  if (thrown instanceof FunctionFailure) return thrown;
  return new FunctionFailure(thrown, who, who.functionName, renderRecord(record));
}

/** Whether a function returned a promise; false for a value whose `then` cannot be read (a Proxy that throws). */
export function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  if (typeof v !== 'object' || v === null) return false;
  try {
    return typeof (v as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
