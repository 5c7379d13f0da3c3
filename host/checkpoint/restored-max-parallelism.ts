/**
 * Keyed state is filed by key group, and the max parallelism is the number of key groups: a
 * resumed job must spread its keys over the groups its state was written with (each snapshot
 * records them in its header). As Flink does when it assigns restored state
 * (StateAssignmentOperation): a keyed stage whose max parallelism the job did not configure
 * takes its state's, since its own was derived from a parallelism that may have changed since;
 * a configured one that differs is refused, as is a parallelism above the restored max
 * parallelism (fewer key groups than subtasks).
 */
import { CheckpointError } from '../../shared/errors/errors.ts';
import type { JobPlan, UdfStage } from '../graph/plan.ts';
import { snapshotMaxParallelism } from '../state/snapshot-reader.ts';
import type { CompletedCheckpoint } from './completed-checkpoint.ts';

/**
 * Gives each keyed stage of `plan` the max parallelism its state in `restore` was written with
 * (`keyOf`: the key the checkpoint files a stage's state under). Returns what changed, for the
 * log; throws CheckpointError where the state cannot be restored.
 */
export function adoptRestoredMaxParallelism(plan: JobPlan, restore: CompletedCheckpoint, keyOf: (stage: UdfStage) => string): string[] {
  const adopted: string[] = [];
  for (const stage of plan.stages) {
    if (stage.kind !== 'udf' || !stage.keyedInput) continue;
    const key = keyOf(stage);
    const snapshot = restore.states[key]?.find((b) => b !== null && b !== undefined);
    if (snapshot === undefined) continue;
    const written = snapshotMaxParallelism(snapshot);
    if (written === stage.maxParallelism) continue;
    const state = `checkpoint ${restore.id}: the keyed state of '${stage.name}' ('${key}') was written with max parallelism ${written}`;
    if (plan.configuredMaxParallelism !== null) {
      throw new CheckpointError(
        `${state}, and pipeline.max-parallelism is now ${plan.configuredMaxParallelism}: keys cannot move to another number of ` +
          `key groups (Flink refuses this too); resume with pipeline.max-parallelism=${written}`,
      );
    }
    if (stage.parallelism > written) {
      throw new CheckpointError(
        `${state}, the most subtasks it can be spread over, and the operator's parallelism is now ${stage.parallelism}: ` +
          `resume at a parallelism of at most ${written}`,
      );
    }
    adopted.push(`'${stage.name}' keeps max parallelism ${written}, which its keyed state in checkpoint ${restore.id} was written with (derived from its parallelism ${stage.parallelism} it would be ${stage.maxParallelism})`);
    stage.maxParallelism = written;
  }
  return adopted;
}
