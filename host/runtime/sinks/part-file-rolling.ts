/**
 * When a file sink closes ("rolls") a bucket's in-progress part file under a RollingPolicy, and
 * the processing-time clock it asks. As Flink's DefaultRollingPolicy with its bucket check
 * interval: the size is checked before each record, and the times (rollover, inactivity) on a
 * timer every bucket check interval (60 s by default), so an idle file is closed at the first
 * check after its inactivity interval has passed. Here the times are also checked before each
 * record, so a record never goes into a file whose time is up.
 */
import type { RollingLimits, RollingPolicy } from '../../api/file-sink-config.ts';

/** Processing time for a file sink: the wall clock, or a test's. */
export interface SinkClock {
  now(): number;
  /** Calls `fire` once, `ms` from now; returns what cancels it. */
  schedule(fire: () => void, ms: number): () => void;
}

/** setTimeout's longest delay: a longer one would fire at once. */
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

/** Whether the open part file is to be closed now, written to or not (the bucket check's question). */
export function rollsOnTime(policy: RollingPolicy, part: OpenPart, now: number): boolean {
  return policy.limits !== null && timeIsUp(policy.limits, part, now);
}

function timeIsUp(limits: RollingLimits, part: OpenPart, now: number): boolean {
  return now - part.openedAt >= limits.rolloverIntervalMs || now - part.lastWriteAt >= limits.inactivityIntervalMs;
}
