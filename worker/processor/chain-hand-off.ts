/**
 * What a function chained after another receives: the value the other returned as a stage
 * boundary between them would deliver it, checked and shaped by the declared output type of the
 * function that returned it and copied (value-normalizer.ts gives exactly decode(encode(value))).
 * Chaining is a speed-up and must change no result: with `disableChaining()`, `startNewChain()`
 * or `udf.operator-chaining.enabled: false` the same value crosses the wire, so a FLOAT arrives
 * rounded either way, and a function that changes the object it is given never changes what
 * another function was given (a flatMap that emits one object twice). Flink does the same with
 * object reuse disabled, its default: a chained operator gets a copy made by the type's
 * serializer.
 *
 *   A returns v ─▶ ChainHandOff: normalize_A(v) ─▶ B.push
 *                      └─ v does not fit A's type: OutputTypeError of A (as at a boundary)
 */
import { ValueEncodeError } from '../../shared/codec/value-encode-error.ts';
import type { ValueNormalizer } from '../../shared/codec/value-normalizer.ts';
import { OutputTypeError } from '../../shared/errors/errors.ts';
import type { Downstream, Pushed } from './downstream.ts';
import { FunctionFailure, type FunctionIdentity } from './failure.ts';

export class ChainHandOff implements Downstream {
  /** The normalizer's rule, called directly: the refusal is only worked out for a value it refused. */
  private readonly rule: (value: unknown) => unknown;

  constructor(
    private readonly normalizer: ValueNormalizer,
    private readonly next: Downstream,
    /** The function whose output type the values are checked against. */
    private readonly producer: FunctionIdentity,
  ) {
    this.rule = normalizer.rule;
  }

  push(value: unknown, timestamp: number | null): Pushed {
    let handed: unknown;
    try {
      handed = this.rule(value);
    } catch (thrown) {
      throw outputTypeFailure(this.normalizer.refusal(value, thrown), this.producer);
    }
    return this.next.push(handed, timestamp);
  }
}

/**
 * A value refused by the type declared for it (a ValueEncodeError), as a failure of the
 * function `who` that returned it, with no record: what a stage's output encoder raises and what
 * a chained hand-off raises are the same error. A value whose reading threw (a getter's or a
 * Proxy trap's own code) is that function's failure too, with what was thrown.
 */
export function outputTypeFailure(error: unknown, who: FunctionIdentity): unknown {
  if (error instanceof FunctionFailure) return error;
  const thrown = error instanceof ValueEncodeError ? new OutputTypeError(`${error.path}: expected ${error.expected}, got ${error.found}`) : error;
  return new FunctionFailure(thrown, who, who.functionName, '');
}
