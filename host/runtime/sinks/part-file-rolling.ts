/**
 * When a file sink closes ("rolls") its in-progress part file under a RollingPolicy, and the
 * processing-time clock it asks. Flink's DefaultRollingPolicy checks the size before each record
 * and the times on a timer every bucket check interval (60 s by default); here the times are
 * also checked before each batch, and the timer fires when the open file's time is up (the
 * sooner of its rollover and its inactivity deadline), so an idle file rolls then, not up to a
 * check interval later.
 */
import type { RollingLimits, RollingPolicy } from '../../api/file-sink-config.ts';

/** Processing time for a file sink: the wall clock, or a test's. */
export interface SinkClock {
  now(): number;
  /** Calls `fire` once, `ms` from now; returns what cancels it. */
  schedule(fire: () => void, ms: number): () => void;
}

/** setTimeout's longest delay: a longer one would fire at once (the timer then re-arms, see FileWriter). */
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

/** Date.now(), and timers that never keep the process alive (the sink's task does while it runs). */
export const wallClock: SinkClock = {
  now: () => Date.now(),
  schedule(fire, ms) {
    const timer = setTimeout(fire, Math.min(Math.max(ms, 0), LONGEST_TIMEOUT_MS));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** What the policy reads of the in-progress part file (times from the SinkClock). */
export interface OpenPart {
  readonly openedAt: number;
  lastWriteAt: number;
  /** Bytes written into it. */
  size: number;
}

/** Whether the next record goes into a new part file: the open one holds more than the part size, or its time is up. */
export function rollsBeforeRecord(policy: RollingPolicy, part: OpenPart, now: number): boolean {
  const limits = policy.limits;
  return limits !== null && (part.size > limits.partSizeBytes || timeIsUp(limits, part, now));
}

/** Whether the open part file is to be closed now, written to or not (the timer's check). */
export function rollsOnTime(policy: RollingPolicy, part: OpenPart, now: number): boolean {
  return policy.limits !== null && timeIsUp(policy.limits, part, now);
}

/** When the timer checks the open part file next (clock time), or null: only checkpoints roll it. */
export function nextTimeCheck(policy: RollingPolicy, part: OpenPart): number | null {
  const limits = policy.limits;
  if (limits === null) return null;
  return Math.min(part.openedAt + limits.rolloverIntervalMs, part.lastWriteAt + limits.inactivityIntervalMs);
}

function timeIsUp(limits: RollingLimits, part: OpenPart, now: number): boolean {
  return now - part.openedAt >= limits.rolloverIntervalMs || now - part.lastWriteAt >= limits.inactivityIntervalMs;
}
