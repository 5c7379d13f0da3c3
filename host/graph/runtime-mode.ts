/**
 * Whether a job runs in BATCH mode (execution.runtime-mode), as Flink decides it: BATCH runs
 * only a job whose sources are all bounded, and AUTOMATIC is BATCH exactly when they are.
 * fromCollection, fromSequence, readTextFile, a NumberSequenceSource and a FileSource over its
 * static file set are bounded; a continuously monitored FileSource is not, and neither is a
 * SourceFunction (addSource), which Flink also counts as unbounded whatever it does.
 */
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import type { Configuration } from '../../shared/config/configuration.ts';
import type { SourceTransformation, Transformation } from './transformation.ts';

export function runsAsBatch(transformations: readonly Transformation[], config: Configuration): boolean {
  const mode = config.get('execution.runtime-mode');
  if (mode === 'streaming') return false;
  const unbounded = transformations.filter((t): t is SourceTransformation => t.kind === 'source' && !isBounded(t));
  if (mode === 'automatic') return unbounded.length === 0;
  const first = unbounded[0];
  if (first !== undefined) {
    const what = first.source.kind === 'function' ? 'a SourceFunction, which is unbounded' : 'a FileSource that monitors its paths continuously';
    throw new JobDefinitionError(
      `execution.runtime-mode is batch, but the source '${first.name}' is ${what}: BATCH runs only bounded sources; set execution.runtime-mode to streaming or automatic`,
    );
  }
  return true;
}

function isBounded(t: SourceTransformation): boolean {
  const spec = t.source;
  switch (spec.kind) {
    case 'function':
      return false;
    case 'file':
      return spec.monitorIntervalMs === null;
    default:
      return true;
  }
}
