/**
 * What a source's failed access to its files becomes. A call the system refused while the job ran
 * (EIO, ENOENT for a file deleted since it was listed, EMFILE, …) is a SourceIOError naming the
 * source and the path, which the restart strategy may restart (restartable.ts), as Flink fails a
 * task over whose read failed; anything else stays as thrown. The paths were checked before the
 * job started (check-sources.ts): a wrong one never gets here.
 */
import { SluiceError, SourceIOError, systemErrorIn } from '../../../shared/errors/errors.ts';

/** `path`: what the source was reading; the failed call's own path, when it names one, is more precise. */
export function sourceIOFailure(source: string, path: string, thrown: unknown): unknown {
  if (thrown instanceof SluiceError) return thrown;
  const system = systemErrorIn(thrown);
  if (system === null) return thrown;
  const gone = system.code === 'ENOENT' ? "it is gone (a source's files must stay until it has read them)" : '';
  return new SourceIOError(source, system.path ?? path, system, gone);
}
