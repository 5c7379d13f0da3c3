import { addLogSink, type StreamExecutionEnvironment } from '../../host/index.ts';

/**
 * Runs `env`'s job until `count` checkpoints have completed, then cancels it. Resolves with the
 * ids of every checkpoint that completed (more may complete while it is being cancelled);
 * fails if the job ends first.
 */
export async function runUntilCheckpoints(env: StreamExecutionEnvironment, jobName: string, count: number): Promise<number[]> {
  const completed: number[] = [];
  let reached!: () => void;
  const enough = new Promise<void>((resolve) => (reached = resolve));
  const remove = addLogSink((r) => {
    const m = /^checkpoint (\d+) complete/.exec(r.message);
    if (m !== null && completed.push(Number(m[1])) === count) reached();
  });
  try {
    const client = env.executeAsync(jobName);
    const endedFirst = await Promise.race([enough.then(() => false), client.getJobExecutionResult().then(() => true)]);
    if (endedFirst) throw new Error(`job '${jobName}' ended before its checkpoint number ${count} completed`);
    await client.cancel();
  } finally {
    remove();
  }
  return completed;
}
