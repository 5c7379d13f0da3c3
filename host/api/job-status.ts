/**
 * Where a job is in its life, as Flink's JobStatus names it (JobClient.getJobStatus()):
 *
 *   INITIALIZING ─▶ RUNNING ─┬─▶ FINISHED
 *                    ▲       ├─▶ FAILING ─┬─▶ RESTARTING ─▶ RUNNING …
 *                    │       │            └─▶ FAILED
 *                    │       └─▶ CANCELLING ─▶ CANCELED  (from any state not yet terminal)
 *
 * INITIALIZING covers planning and shipping the functions; RUNNING an attempt from the start of
 * its workers to its end; FAILING the failed attempt's tear-down (its functions closed, its
 * workers killed) until the restart strategy has decided; RESTARTING the strategy's delay.
 */
export const JobStatus = {
  INITIALIZING: 'INITIALIZING',
  RUNNING: 'RUNNING',
  FAILING: 'FAILING',
  FAILED: 'FAILED',
  CANCELLING: 'CANCELLING',
  CANCELED: 'CANCELED',
  FINISHED: 'FINISHED',
  RESTARTING: 'RESTARTING',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** FINISHED, FAILED and CANCELED: the job will not change any more (Flink's isGloballyTerminalState). */
export function isTerminal(status: JobStatus): boolean {
  return status === 'FINISHED' || status === 'FAILED' || status === 'CANCELED';
}
