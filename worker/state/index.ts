/** The worker's keyed state (handles for user functions, LRU cache, asynchronous write-back) and broadcast state. */
export { WorkerKeyedState, type WorkerStateStats } from './worker-keyed-state.ts';
export type { BroadcastStates } from './broadcast-state.ts';
export type { CurrentKey } from './current-key.ts';
export type { OperatorStateAccess } from './operator-state.ts';
export type { StateChannel } from './state-channel.ts';
export type { StateValueCodec, WorkerStateOptions } from './worker-state-options.ts';
