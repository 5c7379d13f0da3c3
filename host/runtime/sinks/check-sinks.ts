/**
 * What a job's sinks need that can be checked before anything runs, as check-sources.ts does for
 * its sources: a file sink's directory must be one, or be creatable, and be writable. A path
 * that names a file, or lies under one, fails the job at once, naming the sink, instead of once
 * its first record arrives.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { JobDefinitionError } from '../../../shared/errors/errors.ts';
import type { JobPlan } from '../../graph/plan.ts';

export async function checkSinks(plan: JobPlan): Promise<void> {
  for (const stage of plan.stages) {
    if (stage.kind !== 'sink') continue;
    const spec = stage.transformation.sink;
    if (spec.kind === 'file') await checkDirectory(stage.name, spec.sink.directory);
  }
}

/**
 * The directory, or the nearest of its ancestors that exists (the sink creates those missing
 * below it), must be a directory the host may write into.
 */
async function checkDirectory(sinkName: string, directory: string): Promise<void> {
  const refuse = (why: string): JobDefinitionError => new JobDefinitionError(`${sinkName}: cannot write into ${JSON.stringify(directory)}: ${why}`);
  const wanted = resolve(directory);
  let at = wanted;
  for (;;) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(at)).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: something above is a file; the walk up finds it and says so.
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(at) !== at) {
        at = dirname(at);
        continue;
      }
      throw refuse(code === 'EACCES' ? `permission denied on ${JSON.stringify(at)}` : (error as Error).message);
    }
    if (!isDirectory) throw refuse(at === wanted ? 'it is not a directory' : `${JSON.stringify(at)} is not a directory`);
    try {
      await access(at, constants.W_OK | constants.X_OK);
    } catch {
      throw refuse(at === wanted ? 'permission denied' : `cannot create it in ${JSON.stringify(at)}: permission denied`);
    }
    return;
  }
}
