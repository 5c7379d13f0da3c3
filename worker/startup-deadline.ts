/**
 * Loading a stage's functions and running their open() (BundleProcessor.create) within
 * udf.worker.startup-timeout, counted from when the registration arrives. A start-up that never
 * settles (an async open() whose promise never resolves, a module whose top-level await never
 * does) leaves the event loop free: heartbeats are answered, so only a deadline tells it from a
 * slow one. Past it, the start-up is given up with an error naming the step it was at; what that
 * step left running is not stopped here: the host kills a worker, and embedded mode cannot.
 */
import { STARTUP_TIMEOUT } from '../shared/protocol/startup-timeout.ts';
import type { StartupStep } from './processor/bundle-processor.ts';

export class StartupTimeoutError extends Error {
  override get name(): string {
    return STARTUP_TIMEOUT;
  }
}

/**
 * Runs `start`, which reports its steps to the callback it is given; rejects with a
 * StartupTimeoutError if it has not settled after `timeoutMs`.
 */
export async function withinStartupTimeout<T>(
  timeoutMs: number,
  start: (onStep: (step: StartupStep) => void) => Promise<T>,
): Promise<T> {
  let current: StartupStep | null = null;
  let timer: NodeJS.Timeout | undefined;
  const started = start((step) => {
    current = step;
  });
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StartupTimeoutError(describeTimeout(current, timeoutMs))), timeoutMs);
  });
  try {
    return await Promise.race([started, expired]);
  } finally {
    clearTimeout(timer);
    // Given up on, it may still fail later: nobody waits for it any more.
    started.catch(() => undefined);
  }
}

function describeTimeout(step: StartupStep | null, timeoutMs: number): string {
  const limit = `did not complete within udf.worker.startup-timeout (${timeoutMs} ms)`;
  if (step === null) return `loading and opening its functions ${limit}`;
  const { operator, functionName } = step.who;
  if (step.step === 'open') return `${functionName}.open() of operator '${operator}' ${limit}`;
  return `loading ${functionName} of operator '${operator}' (importing its module and the modules it uses) ${limit}`;
}
