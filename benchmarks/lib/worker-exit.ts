/**
 * Checks that workers are gone once their job has finished: a benchmark that leaves worker
 * processes behind skews every run after it (they hold CPU and memory) and would be a runtime
 * bug worth reporting.
 */
import type { JobClient } from '../../host/index.ts';

/** How long a finished job's workers get to exit before they count as lingering. */
const EXIT_GRACE_MS = 3000;

export interface WorkerExitCheck {
  /** OS process ids of the job's worker processes (none in thread mode). */
  pids: number[];
  /** One line per worker still alive after the grace period. */
  lingering: string[];
}

export async function checkWorkersExited(client: JobClient): Promise<WorkerExitCheck> {
  const workers = client.workers();
  const pids: number[] = [];
  const lingering: string[] = [];
  await Promise.all(
    workers.map(async ({ handle, operator }) => {
      if (handle.pid !== undefined) pids.push(handle.pid);
      let timer: NodeJS.Timeout | undefined;
      const exited = await Promise.race([
        handle.exited.then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), EXIT_GRACE_MS);
        }),
      ]).finally(() => clearTimeout(timer));
      if (!exited || (handle.pid !== undefined && isAlive(handle.pid))) {
        const what = handle.pid === undefined ? `thread worker ${handle.id}` : `worker process ${handle.pid} (${handle.id})`;
        lingering.push(`${what} of '${operator}' still alive ${EXIT_GRACE_MS} ms after its job finished`);
      }
    }),
  );
  return { pids, lingering };
}

/** Whether a process exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else, which a recycled pid could.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
