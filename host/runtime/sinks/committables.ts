/**
 * What a checkpoint keeps for a sink: one state per sink subtask (SinkWriter.checkpointState),
 * holding what that subtask sealed and still has to commit (a file sink's pending part files).
 * A checkpoint completed, so all of it is committed: a restore must hand every state to some
 * subtask, whatever the parallelism of the sink is now, or committed output is lost.
 */

/**
 * The restored states subtask `subtask` of a sink now running at `parallelism` takes over:
 * those of the subtasks `subtask`, `subtask + parallelism`, `subtask + 2 * parallelism`, … of
 * the checkpoint (as Flink hands the committables of subtasks that no longer exist to the
 * remaining ones). Each state goes to exactly one subtask; a subtask with none gets [].
 */
export function sinkStatesTakenOver(states: readonly unknown[] | undefined, subtask: number, parallelism: number): unknown[] {
  const taken: unknown[] = [];
  for (let old = subtask; old < (states?.length ?? 0); old += parallelism) {
    const state = states![old];
    if (state !== null && state !== undefined) taken.push(state);
  }
  return taken;
}

/**
 * Whether a restored sink state holds something to commit: not null, and, for a file sink's
 * state, at least one part file (its writer id only tells the restore which in-progress files
 * were that writer's, to delete).
 */
export function holdsCommittables(state: unknown): boolean {
  if (state === null || state === undefined) return false;
  if (typeof state === 'object' && 'files' in state && Array.isArray(state.files)) return state.files.length > 0;
  return true;
}
