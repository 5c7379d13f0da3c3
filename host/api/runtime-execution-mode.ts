/**
 * PyFlink's RuntimeExecutionMode, for env.setRuntimeMode(): the value of execution.runtime-mode
 * (README, "Batch execution").
 */
export const RuntimeExecutionMode = {
  STREAMING: 'STREAMING',
  BATCH: 'BATCH',
  AUTOMATIC: 'AUTOMATIC',
} as const;

export type RuntimeExecutionMode = (typeof RuntimeExecutionMode)[keyof typeof RuntimeExecutionMode];
