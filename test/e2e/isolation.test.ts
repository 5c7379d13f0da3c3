/** User functions never run in the host: process mode runs them in other processes, thread mode in other threads. */
import { threadId } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { whereAmI } from '../fixtures/functions.ts';
import { environment } from '../support/jobs.ts';

describe('where functions run', () => {
  it('process mode: in worker processes, one per parallel instance', async () => {
    const env = environment('process');
    const seen = await env
      .fromSequence(1, 200)
      .setParallelism(2)
      .map(() => whereAmI())
      .setParallelism(2)
      .executeAndCollect();
    const pids = new Set(seen.map((w) => w.pid));
    expect(seen).toHaveLength(200);
    expect(pids.size).toBe(2);
    expect(pids.has(process.pid)).toBe(false);
  });

  it('process mode: key selectors too', async () => {
    const env = environment('process');
    const seen = await env
      .fromCollection([1, 2, 3])
      .keyBy(() => whereAmI().pid)
      .map(() => whereAmI().pid)
      .executeAndCollect();
    // keyBy's selector ran in the first stage's worker; the keyed map in another.
    expect(seen).toHaveLength(3);
    expect(seen.includes(process.pid)).toBe(false);
  });

  it('thread mode: in worker threads of the host process', async () => {
    const env = environment('thread');
    const seen = await env.fromCollection([1, 2]).map(() => whereAmI()).executeAndCollect();
    expect(seen.map((w) => w.pid)).toEqual([process.pid, process.pid]);
    expect(seen.every((w) => w.threadId !== threadId)).toBe(true);
  });

  it('embedded mode: on the host thread itself', async () => {
    const env = environment('embedded');
    const seen = await env.fromCollection([1]).map(() => whereAmI()).executeAndCollect();
    expect(seen).toEqual([{ pid: process.pid, threadId }]);
  });
});
