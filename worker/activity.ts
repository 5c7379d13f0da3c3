/**
 * What the worker is doing right now, for log entries and failure reports: the operator whose
 * function is running and the bundle. Set synchronously around user calls; after an await
 * inside a user function it may name the operator that ran last, which is good enough for logs.
 */
export const activity = {
  operator: '',
  bundle: '',
};
