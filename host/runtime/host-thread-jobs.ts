/**
 * Jobs whose functions run on the host's own thread (embedded mode). While one runs:
 *
 * - an error a function's asynchronous code lets escape (a throw in a timer callback, a
 *   rejected promise nobody awaits) fails those jobs, naming what escaped, instead of ending
 *   the host with Node's own report (in a worker, it ends the worker, which is reported);
 * - the CLI does not trap SIGINT and SIGTERM (onHostThreadJobs): a function stuck in an endless
 *   loop blocks the host's thread, where no handler can run, and Ctrl-C must still end it.
 */
import { SluiceError } from '../../shared/errors/errors.ts';

/** What escaped a user function on the host's thread, outside any call the runtime made. */
export class EscapedFunctionError extends SluiceError {}

type Fail = (error: EscapedFunctionError) => void;

const running = new Set<Fail>();
const listeners = new Set<(count: number) => void>();

function escaped(kind: string, thrown: unknown): void {
  const what = thrown instanceof Error ? (thrown.stack ?? `${thrown.name}: ${thrown.message}`) : String(thrown);
  const error = new EscapedFunctionError(
    `${kind} in embedded mode, outside any call of a function (from a function's asynchronous code: a timer, ` +
      `or a promise nobody awaited): ${what}`,
  );
  for (const fail of [...running]) fail(error);
}

const onException = (error: unknown): void => escaped('an uncaught exception', error);
const onRejection = (reason: unknown): void => escaped('an unhandled promise rejection', reason);

/** Registers a job that runs functions on the host's thread; `fail` fails it. Returns its release. */
export function hostThreadJobStarted(fail: Fail): () => void {
  running.add(fail);
  if (running.size === 1) {
    process.on('uncaughtException', onException);
    process.on('unhandledRejection', onRejection);
  }
  for (const listener of listeners) listener(running.size);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    running.delete(fail);
    if (running.size === 0) {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    }
    for (const listener of listeners) listener(running.size);
  };
}

/** Calls `listener` with the number of such jobs whenever it changes. */
export function onHostThreadJobs(listener: (count: number) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
