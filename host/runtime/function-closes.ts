/**
 * The close() calls of the functions of an attempt that stopped early (cancelled, its collect
 * limit reached, or failed anywhere). What one throws is logged, naming the operator and the
 * function, and nothing more: the attempt ends as it was ending (a cancelled job stays
 * cancelled, a failed one keeps its own failure). They are waited for at most
 * task.cancellation.timeout: a worker whose functions have not closed by then is killed.
 */
import type { Logger } from '../log.ts';

/** One subtask's close(): settles once its functions are closed, with what the first close() threw. */
export interface FunctionClose {
  readonly closed: Promise<void>;
  /** The subtask, for the log: "Map (2/4)". */
  readonly what: string;
}

export function logCloseFailure(log: Logger, error: unknown): void {
  const text = error instanceof Error ? error.message : String(error);
  log.error(`a function's close() failed while its attempt was stopping (the attempt's outcome is unchanged): ${text}`);
}

/** Waits for `closes`, at most `timeoutMs`; says which did not settle in time. */
export async function awaitCloses(closes: readonly FunctionClose[], timeoutMs: number, log: Logger): Promise<void> {
  const open = new Set(closes);
  const settled = closes.map((c) =>
    c.closed.then(
      () => open.delete(c),
      (error: unknown) => {
        open.delete(c);
        logCloseFailure(log, error);
      },
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.all(settled), deadline]);
  clearTimeout(timer);
  if (open.size === 0) return;
  const names = [...open].map((c) => `'${c.what}'`).sort();
  log.warn(
    `the functions of ${names.join(', ')} did not close within task.cancellation.timeout (${timeoutMs} ms) after their ` +
      "attempt stopped: a worker's are killed with it, and one on the host's thread closes once its call returns",
  );
}
