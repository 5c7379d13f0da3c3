/**
 * A location given as a local file system path or a `file://` URI (Flink's usual form), as the
 * path it names. Any other scheme (s3://, hdfs://) is refused: only local files and directories
 * are supported. `what` names what was given (a key, a call) in the refusal, and `kind` what it
 * must be (a local directory, a local file); `error` makes the refusal's error.
 */
import { fileURLToPath } from 'node:url';

export function localPath(value: string, what: string, kind: string, error: (message: string) => Error): string {
  if (value.startsWith('file:')) {
    try {
      return fileURLToPath(value);
    } catch (e) {
      throw error(`${what} ${JSON.stringify(value)} is not a usable file: URI (${(e as Error).message})`);
    }
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme !== null) throw error(`${what} ${JSON.stringify(value)}: ${scheme[1]}:// is not supported; give ${kind} (a path or a file:// URI)`);
  return value;
}
