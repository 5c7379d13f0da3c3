/**
 * What a completed checkpoint holds: everything needed to restart the job from one consistent
 * point of its input. Stage keys are stable across runs of the same job code: they come from
 * uid() where set, else from the order of the API calls (see plan.ts, transformId).
 */
import type { BroadcastSnapshot } from '../state/broadcast-state-store.ts';

export interface SourcePosition {
  /** The source had reached its end when the barrier passed. */
  done: boolean;
  /** The reader's position: plain data (an index, a byte offset, a SourceFunction's snapshot). */
  position: unknown;
}

export interface CompletedCheckpoint {
  id: number;
  /** When it was triggered (ms since the epoch). */
  timestamp: number;
  /** Source positions by source stage key, one per subtask. */
  sources: Record<string, SourcePosition[]>;
  /** Keyed state snapshots (KeyedStateBackend.snapshot) by stage key, one per subtask. */
  states: Record<string, Uint8Array[]>;
  /** What each sink subtask needs to finish its commit after a restart (e.g. pending files). */
  sinks: Record<string, unknown[]>;
  /**
   * Broadcast state (BroadcastStateStore.snapshot) by stage key, one copy per subtask of a
   * broadcast process function. Absent or without a stage's key: none (a checkpoint written
   * before broadcast state existed has none).
   */
  broadcast?: Record<string, BroadcastSnapshot[]>;
}
