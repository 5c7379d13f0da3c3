/** What encodeGeneric and GenericWriter throw for a value the generic encoding cannot carry. */
import { shortenPath } from './value-paths.ts';

export class GenericEncodeError extends TypeError {
  constructor(
    /** Where inside the value, relative to it: e.g. `.items[3].handler`, '' for the value itself. */
    readonly path: string,
    /** What is wrong there, e.g. `is a function`. */
    readonly problem: string,
  ) {
    super(`value${shortenPath(path)} ${problem}`);
  }

  override get name(): string {
    return 'GenericEncodeError';
  }
}

/**
 * Thrown inside the writer's recursion, cheaply (no stack). Each enclosing container adds
 * its segment on the way out; GenericWriter.write turns it into a GenericEncodeError.
 */
export class Unencodable {
  /** Innermost first. */
  readonly segments: string[] = [];
  constructor(readonly problem: string) {}

  toError(): GenericEncodeError {
    return new GenericEncodeError(this.segments.reverse().join(''), this.problem);
  }
}

export function withSegment(e: unknown, segment: string): unknown {
  if (e instanceof Unencodable) e.segments.push(segment);
  return e;
}
