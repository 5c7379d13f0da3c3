/**
 * What a job's sources need that can be checked before anything runs: a readTextFile's path,
 * and each of a FileSource's, must exist and be a file or a directory (as Flink's file source
 * fails when it lists its input), so that a wrong path fails the job at once, naming the
 * source, instead of after its workers started.
 */
import { stat } from 'node:fs/promises';
import { JobDefinitionError } from '../../../shared/errors/errors.ts';
import type { JobPlan } from '../../graph/plan.ts';

export async function checkSources(plan: JobPlan): Promise<void> {
  for (const stage of plan.stages) {
    if (stage.kind !== 'source') continue;
    const spec = stage.transformation.source;
    if (spec.kind === 'text-file') await checkReadable(stage.name, spec.path);
    if (spec.kind === 'file') for (const path of spec.paths) await checkReadable(stage.name, path);
  }
}

async function checkReadable(source: string, path: string): Promise<void> {
  let readable: boolean;
  try {
    const found = await stat(path);
    readable = found.isFile() || found.isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new JobDefinitionError(`${source}: cannot read ${JSON.stringify(path)}: ${why}`);
  }
  if (!readable) throw new JobDefinitionError(`${source}: ${JSON.stringify(path)} is neither a file nor a directory`);
}
