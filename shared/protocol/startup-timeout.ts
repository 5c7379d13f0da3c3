/**
 * The name of the error a worker answers its registration with when loading its functions and
 * running their open() did not complete within udf.worker.startup-timeout. Its message says
 * which function, and whether it was loading or opening; the host then kills the worker and
 * reports it as a start-up failure (WorkerFailureError, kind 'startup-failed').
 */
export const STARTUP_TIMEOUT = 'StartupTimeout';
