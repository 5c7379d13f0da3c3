/**
 * The one place that turns errors into their wire form and back (compare grpc-js
 * serverErrorToStatus). Anything thrown, including non-Error values, becomes a WireError; nothing
 * thrown makes describing it throw (describe-thrown.ts).
 */
import { describeError, isError, renderThrown } from './describe-thrown.ts';
import {
  ProtocolError,
  SluiceError,
  StateAccessError,
  UnshippableFunctionError,
  UserFunctionError,
} from './errors.ts';

/** Mirrors the proto `Error` message. */
export interface WireError {
  name: string;
  message: string;
  stack: string;
  operator: string;
  function: string;
  record: string;
  transform: string;
}

export interface ErrorContext {
  operator?: string;
  transform?: string;
  functionName?: string;
  record?: string;
}

export function toWireError(thrown: unknown, context: ErrorContext = {}): WireError {
  const base = {
    operator: context.operator ?? '',
    transform: context.transform ?? '',
    function: context.functionName ?? '',
    record: context.record ?? '',
  };
  if (isError(thrown)) return { ...describeError(thrown), ...base };
  return { name: 'NonErrorThrown', message: `a non-Error value was thrown: ${renderThrown(thrown)}`, stack: '', ...base };
}

/** A remote failure that names no Sluice class; keeps the remote name and stack. */
export class RemoteError extends SluiceError {
  constructor(
    readonly remoteName: string,
    message: string,
    readonly remoteStack: string,
  ) {
    super(message);
  }
}

/**
 * Rebuilds a wire error. A failure inside a user function (operator set) becomes a
 * UserFunctionError; Sluice's own errors come back as their class.
 */
export function fromWireError(w: { [K in keyof WireError]?: string | null }, workerId?: string): Error {
  const name = w.name ?? 'Error';
  const message = w.message ?? '';
  const stack = w.stack ?? '';
  if (name === 'UnshippableFunctionError') return new UnshippableFunctionError(w.function ?? '', message);
  if (name === 'ProtocolError') return withStack(new ProtocolError(message), stack);
  if (name === 'StateAccessError') return withStack(new StateAccessError(message), stack);
  if (w.operator) {
    return new UserFunctionError({
      operator: w.operator,
      transform: w.transform ?? '',
      functionName: w.function || '<anonymous>',
      record: w.record ?? '',
      workerStack: stack,
      causeName: name,
      causeMessage: message,
      ...(workerId === undefined ? {} : { workerId }),
    });
  }
  return new RemoteError(name, `${name}: ${message}`, stack);
}

function withStack<E extends Error>(e: E, remoteStack: string): E {
  if (remoteStack) e.stack = `${e.name}: ${e.message}\n  remote stack:\n${remoteStack}`;
  return e;
}
