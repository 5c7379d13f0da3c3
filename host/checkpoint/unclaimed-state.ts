/**
 * Refuses a checkpoint holding state that no operator of the job would restore (keyed state
 * and timers of an operator, the broadcast state of a broadcast process function, a file sink's
 * pending files, the position of a source that had not ended), before anything runs: the key it
 * is filed under (checkpointKey) has changed, or the operator is gone. Without uid(), a key comes
 * from the order of the API calls, so adding an operator changes the keys of those after it.
 * As Flink does, execution.savepoint.ignore-unclaimed-state drops such state instead.
 */
import type { Configuration } from '../../shared/config/configuration.ts';
import { CheckpointError } from '../../shared/errors/errors.ts';
import { isBroadcastKind } from '../../shared/protocol/co-functions.ts';
import type { JobPlan, Stage } from '../graph/plan.ts';
import type { Logger } from '../log.ts';
import { holdsCommittables } from '../runtime/sinks/committables.ts';
import { KeyedStateBackend } from '../state/keyed-state-backend.ts';
import { snapshotMaxParallelism } from '../state/snapshot-reader.ts';
import { holdsBroadcastEntries } from './broadcast-snapshots.ts';
import type { CompletedCheckpoint } from './completed-checkpoint.ts';

/** `keyOf`: the key a checkpoint files a stage's data under. Throws CheckpointError, or logs what it drops. */
export function checkStateClaimed(
  plan: JobPlan,
  restore: CompletedCheckpoint,
  keyOf: (stage: Stage) => string,
  config: Configuration,
  log: Logger,
): void {
  // The stages that restore state: keyed operators, broadcast process functions, and file
  // sinks (the only sinks with any). Each kind of state is claimed only by a stage that restores
  // that kind: a broadcast process function that is not keyed does not take keyed state.
  const keyed = plan.stages.filter((s) => s.kind === 'udf' && s.keyedInput);
  const broadcasting = plan.stages.filter((s) => s.kind === 'udf' && isBroadcastKind(s.transforms[0]!.udf));
  const fileSinks = plan.stages.filter((s) => s.kind === 'sink' && s.transformation.sink.kind === 'file');
  const stateful = plan.stages.filter((s) => keyed.includes(s) || broadcasting.includes(s) || fileSinks.includes(s));
  const claimedKeyed = new Set(keyed.map(keyOf));
  const claimedBroadcast = new Set(broadcasting.map(keyOf));
  const claimedSinks = new Set(fileSinks.map(keyOf));
  const unclaimed: string[] = [];
  for (const [key, snapshots] of Object.entries(restore.states)) {
    if (!claimedKeyed.has(key) && holdsKeyedState(snapshots)) unclaimed.push(`the keyed state and timers of '${key}'`);
  }
  for (const [key, copies] of Object.entries(restore.broadcast ?? {})) {
    if (!claimedBroadcast.has(key) && holdsBroadcastEntries(copies)) unclaimed.push(`the broadcast state of '${key}'`);
  }
  for (const [key, states] of Object.entries(restore.sinks)) {
    if (!claimedSinks.has(key) && states.some(holdsCommittables)) unclaimed.push(`the pending output of '${key}'`);
  }
  // A source the job no longer has, which had not ended: where it stood would be forgotten.
  const sources = new Set(plan.stages.filter((s) => s.kind === 'source').map(keyOf));
  for (const [key, positions] of Object.entries(restore.sources)) {
    if (!sources.has(key) && positions.some((p) => p !== null && p !== undefined && !p.done)) unclaimed.push(`the position of source '${key}'`);
  }
  if (unclaimed.length === 0) return;
  if (config.get('execution.savepoint.ignore-unclaimed-state')) {
    log.warn(
      `checkpoint ${restore.id}: dropping ${unclaimed.join(', ')}, which no operator of this job claims ` +
        '(execution.savepoint.ignore-unclaimed-state)',
    );
    return;
  }
  const foundState = (s: Stage): boolean =>
    (s.kind === 'sink' ? restore.sinks : restore.states)[keyOf(s)] !== undefined ||
    (broadcasting.includes(s) && restore.broadcast?.[keyOf(s)] !== undefined);
  const unmatched = stateful.filter((s) => !foundState(s)).map((s) => `'${s.name}' ('${keyOf(s)}')`);
  throw new CheckpointError(
    `checkpoint ${restore.id} holds state that no operator of this job claims: ${unclaimed.join(', ')}` +
      (unmatched.length === 0 ? '' : `; operators of this job that found no state in it: ${unmatched.join(', ')}`) +
      `. An operator's state is found by its uid(), or without one by the order of the API calls that built the job, ` +
      `which adding or removing an operator changes: give stateful operators and sinks a uid(), or set ` +
      `execution.savepoint.ignore-unclaimed-state=true to drop that state and start those operators empty`,
  );
}

/** Whether a stage's snapshots hold any keyed state or timer (one that cannot even be read counts). */
function holdsKeyedState(snapshots: readonly (Uint8Array | null | undefined)[]): boolean {
  const present = snapshots.filter((b): b is Uint8Array => b !== undefined && b !== null);
  if (present.length === 0) return false;
  try {
    const backend = new KeyedStateBackend({ maxParallelism: snapshotMaxParallelism(present[0]!) });
    backend.restore(present);
    return backend.stats().entries > 0;
  } catch {
    return true;
  }
}
