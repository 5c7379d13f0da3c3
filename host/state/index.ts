/** The host's keyed state backend and key-group assignment. */
export { KeyedStateBackend } from './keyed-state-backend.ts';
export type { KeyedStateBackendOptions, StateBackendStats } from './keyed-state-backend.ts';
export type { StateRequestContext } from './request-plan.ts';
export { DEFAULT_MAP_PAGE_SIZE } from './request-plan.ts';
export {
  keyGroupOf,
  keyGroupRangeFor,
  subtaskForKeyGroup,
  MAX_MAX_PARALLELISM,
  type KeyGroupRange,
} from './key-groups.ts';
export { murmur3x86_32 } from './murmur3.ts';
export { timerStateName, parseTimerStateName, encodeTimerTimestamp, type FiredTimer, type TimeDomain } from './timers.ts';
export { encodeToken, decodeToken } from './map-iterations.ts';
export { BroadcastStateStore, type BroadcastSnapshot, type BroadcastStateContents } from './broadcast-state-store.ts';
