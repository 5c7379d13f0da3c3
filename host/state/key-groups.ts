/**
 * Key groups, as Flink assigns them. A key's group depends only on its bytes and the job's
 * max parallelism, never on the parallelism, so rescaling moves whole key groups between
 * subtasks and never splits one. Each subtask owns one contiguous, inclusive range of groups.
 *
 *   keyGroupOf(key)            = murmur3_x86_32(key bytes, seed 0) (unsigned) mod maxParallelism
 *   subtaskForKeyGroup(g)      = floor(g * parallelism / maxParallelism)
 *   keyGroupRangeFor(i).start  = ceil(i * maxParallelism / parallelism)
 *   keyGroupRangeFor(i).end    = floor(((i + 1) * maxParallelism - 1) / parallelism)
 *
 * The range of subtask i is exactly the set of groups g with subtaskForKeyGroup(g) = i, the
 * ranges of subtasks 0..parallelism-1 are adjacent and cover 0..maxParallelism-1, and none is
 * empty because parallelism <= maxParallelism is required.
 */
import { murmur3x86_32, murmur3x86_32Range } from './murmur3.ts';

/** An inclusive range of key groups. */
export interface KeyGroupRange {
  start: number;
  end: number;
}

/** Flink's upper bound: 2^15 key groups. */
export const MAX_MAX_PARALLELISM = 32768;

/** The least max parallelism derived for an operator: room to rescale a small job's keyed state. */
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;

/**
 * An operator's max parallelism when none is configured, as Flink derives it
 * (KeyGroupRangeAssignment.computeDefaultMaxParallelism): parallelism + parallelism / 2
 * (integer division) rounded up to a power of two, at least 128 and at most 32768, so that the
 * operator can grow by half again before its key groups run out.
 */
export function defaultMaxParallelism(parallelism: number): number {
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > MAX_MAX_PARALLELISM) {
    throw new RangeError(`parallelism must be an integer in [1, ${MAX_MAX_PARALLELISM}], got ${parallelism}`);
  }
  const wanted = parallelism + Math.floor(parallelism / 2);
  let power = 1;
  while (power < wanted) power *= 2;
  return Math.min(Math.max(power, DEFAULT_LOWER_BOUND_MAX_PARALLELISM), MAX_MAX_PARALLELISM);
}

export function checkMaxParallelism(maxParallelism: number): void {
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_MAX_PARALLELISM) {
    throw new RangeError(`max parallelism must be an integer in [1, ${MAX_MAX_PARALLELISM}], got ${maxParallelism}`);
  }
}

function checkParallelism(parallelism: number, maxParallelism: number): void {
  checkMaxParallelism(maxParallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > maxParallelism) {
    throw new RangeError(`parallelism must be an integer in [1, ${maxParallelism}] (the max parallelism), got ${parallelism}`);
  }
}

export function keyGroupOf(keyBytes: Uint8Array, maxParallelism: number): number {
  return keyGroupOfHash(murmur3x86_32(keyBytes, 0), maxParallelism);
}

/** keyGroupOf of the key bytes[start, end). */
export function keyGroupOfRange(bytes: Uint8Array, start: number, end: number, maxParallelism: number): number {
  return keyGroupOfHash(murmur3x86_32Range(bytes, start, end, 0), maxParallelism);
}

/** The key group of a key whose murmur3 (seed 0) is `hash`: for callers that keep the hash too. */
export function keyGroupOfHash(hash: number, maxParallelism: number): number {
  return hash % maxParallelism;
}

export function keyGroupRangeFor(subtask: number, parallelism: number, maxParallelism: number): KeyGroupRange {
  checkParallelism(parallelism, maxParallelism);
  if (!Number.isInteger(subtask) || subtask < 0 || subtask >= parallelism) {
    throw new RangeError(`subtask index must be an integer in [0, ${parallelism - 1}], got ${subtask}`);
  }
  return {
    start: Math.floor((subtask * maxParallelism + parallelism - 1) / parallelism),
    end: Math.floor(((subtask + 1) * maxParallelism - 1) / parallelism),
  };
}

export function subtaskForKeyGroup(keyGroup: number, maxParallelism: number, parallelism: number): number {
  checkParallelism(parallelism, maxParallelism);
  if (!Number.isInteger(keyGroup) || keyGroup < 0 || keyGroup >= maxParallelism) {
    throw new RangeError(`key group must be an integer in [0, ${maxParallelism - 1}], got ${keyGroup}`);
  }
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

export function inRange(keyGroup: number, range: KeyGroupRange): boolean {
  return keyGroup >= range.start && keyGroup <= range.end;
}

export function formatRange(range: KeyGroupRange): string {
  return `[${range.start}, ${range.end}]`;
}
