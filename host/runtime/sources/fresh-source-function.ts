/**
 * Every attempt runs its own copy of a user SourceFunction, made from the object given to
 * addSource, which itself never runs (so it stays as it was before the job started), as Flink
 * deserialises a fresh function for each attempt. What a failed attempt left in its copy (a
 * running flag that cancel() cleared, a position it had moved on) cannot leak into the next, and
 * a run() that ignores cancel() goes on with its own fields, not the new attempt's.
 */
import { JobDefinitionError } from '../../../shared/errors/errors.ts';
import { SourceFunction } from '../../api/sources.ts';
import { functionSource, FunctionSourceError } from '../../shipping/function-source.ts';
import { listNames } from '../../shipping/shipping-problem.ts';
import { copyHostFunction } from '../clone-function.ts';

export function freshSourceFunction(fn: SourceFunction<unknown>, sourceName: string): SourceFunction<unknown> {
  refusePrivateMembers(fn, sourceName);
  return copyHostFunction(fn);
}

/** A copy is made of fields; `#members` are not fields, and methods using them would throw on it. */
function refusePrivateMembers(fn: object, sourceName: string): void {
  for (let c: unknown = fn.constructor; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    if (c === SourceFunction || c === Object || c === Function.prototype) return;
    let members: string[];
    try {
      members = functionSource(c).privateMembers;
    } catch (error) {
      // Source text that does not parse (a native class): nothing it declares can be seen.
      if (error instanceof FunctionSourceError) continue;
      throw error;
    }
    if (members.length === 0) continue;
    throw new JobDefinitionError(
      `${sourceName}: class ${c.name || '(anonymous)'} declares private members ${listNames(members)}. ` +
        'Every attempt of the job runs a fresh copy of the source made from its fields, and private members ' +
        `are not fields. Use ordinary fields instead (${listNames(members.map((m) => m.slice(1)))}).`,
    );
  }
}
