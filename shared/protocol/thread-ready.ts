/**
 * What a worker thread posts to its parent once its harness listens on the four ports: until
 * then it is still loading (tsx, the harness, gRPC's types), and the host counts it as starting.
 */
export const THREAD_READY = 'sluice:thread-ready';
