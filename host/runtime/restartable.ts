/**
 * Which failures a restart can cure. A worker that died, hung, ran out of memory or broke the
 * protocol can be replaced; a source's read or a sink's write that the system refused while the
 * job ran (EIO, ENOSPC, too many open files, a file deleted or made unreadable after the job
 * started: SourceIOError, SinkIOError) may succeed the next time, as Flink fails over any task
 * that failed; a function that threw is restarted only where its failure policy says `restart`
 * (the default, `fail`, fails the job, as the policy names), in a worker or, for a source's or
 * sink's function, in the host. Failures of the job's own definition or data (a value that does
 * not fit its declared type, an input path missing or a sink directory unwritable when the job
 * was submitted: refused before it starts) would only happen again.
 */
import type { Configuration } from '../../shared/config/configuration.ts';
import {
  ProtocolError,
  SinkIOError,
  SourceIOError,
  StateAccessError,
  UserFunctionError,
  WorkerFailureError,
} from '../../shared/errors/errors.ts';
import { RemoteError } from '../../shared/errors/wire.ts';
import { transformId, type JobPlan } from '../graph/plan.ts';
import type { Transformation } from '../graph/transformation.ts';

export function isRestartable(error: unknown, plan: JobPlan, config: Configuration): boolean {
  if (error instanceof WorkerFailureError || error instanceof ProtocolError || error instanceof StateAccessError) return true;
  if (error instanceof RemoteError) return true;
  if (error instanceof SourceIOError || error instanceof SinkIOError) return true;
  if (error instanceof UserFunctionError) return policyOf(error, plan, config) === 'restart';
  return false;
}

/**
 * The failing operator's policy: found by its transform id, since names need not be unique
 * ('Map'). A source's or sink's function (run by the host) restarts or fails: with no stream to
 * send dead letters on, `skip` fails the job there.
 */
function policyOf(error: UserFunctionError, plan: JobPlan, config: Configuration): string {
  const matches = (t: Transformation): boolean => (error.transform === '' ? t.name === error.operator : transformId(t) === error.transform);
  for (const stage of plan.stages) {
    const transforms = stage.kind === 'udf' ? stage.transforms : [stage.transformation];
    for (const t of transforms) {
      if (matches(t)) return t.failurePolicy ?? config.get('udf.failure-policy');
    }
  }
  return config.get('udf.failure-policy');
}
