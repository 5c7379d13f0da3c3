/**
 * Where each source of a resumed job starts. A source is found in the checkpoint by its key
 * (checkpointKey: its uid(), or without one the order of the API calls), as an operator's state
 * is. A source the checkpoint has no position for is new to the job: as Flink starts an operator
 * that has no state in the savepoint empty, it starts from its beginning, and the log says so.
 * What cannot be restored is refused, before any worker is started: positions held for another
 * parallelism by a source that cannot share them out again. (A position no source of the job
 * claims is refused with the unclaimed state, see Attempt.checkStateClaimed.)
 */
import { CheckpointError } from '../../shared/errors/errors.ts';
import type { JobPlan, SourceStage } from '../graph/plan.ts';
import type { Logger } from '../log.ts';
import { rescaleSequence } from '../runtime/sources/sequence-ranges.ts';
import type { CompletedCheckpoint, SourcePosition } from './completed-checkpoint.ts';

/**
 * The positions `restore` holds for each source of `plan`, one per subtask it has now (`keyOf`:
 * the key the checkpoint files a source's position under); a source missing from the map starts
 * from its beginning. A sequence's positions, held for another parallelism, are shared out again
 * over the subtasks it has now; the other sources are never parallel.
 */
export function restoredPositions(
  plan: JobPlan,
  restore: CompletedCheckpoint,
  keyOf: (stage: SourceStage) => string,
  log: Logger,
): Map<SourceStage, SourcePosition[]> {
  const restored = new Map<SourceStage, SourcePosition[]>();
  for (const stage of plan.stages) {
    if (stage.kind !== 'source') continue;
    const key = keyOf(stage);
    const positions = restore.sources[key];
    if (positions === undefined) {
      log.info(`checkpoint ${restore.id} has no position for ${stage.name} ('${key}'), new to the job: it starts from its beginning`);
      continue;
    }
    if (positions.length === stage.parallelism) {
      restored.set(stage, positions);
      continue;
    }
    const spec = stage.transformation.source;
    if (spec.kind !== 'sequence') {
      throw new CheckpointError(
        `checkpoint ${restore.id} has ${positions.length} positions for ${stage.name}, whose parallelism is now ${stage.parallelism}`,
      );
    }
    restored.set(stage, rescaleSequence(spec.start, spec.end, positions, stage.parallelism));
  }
  return restored;
}
