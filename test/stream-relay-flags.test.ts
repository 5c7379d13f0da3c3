/**
 * The worker's relay thread takes none of its process's node flags but the CPU profiler's: a
 * memory limit or an inspector port is the process's own, while a profile of the worker
 * (benchmarks/profile.ts) must include the relay's thread.
 */
import { describe, expect, it } from 'vitest';
import { profilerFlags } from '../worker/stream-relay.ts';

describe("the relay thread's node flags", () => {
  it('keeps the CPU profiler flags and drops the others', () => {
    expect(
      profilerFlags(['--max-old-space-size=64', '--cpu-prof', '--inspect=0', '--cpu-prof-dir=/tmp/p', '--cpu-prof-interval=100', '--heap-prof']),
    ).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p', '--cpu-prof-interval=100']);
  });

  it('is empty for a worker started without the profiler', () => {
    expect(profilerFlags(['--max-old-space-size=64', '--enable-source-maps'])).toEqual([]);
  });
});
