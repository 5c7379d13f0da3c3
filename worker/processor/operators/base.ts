/**
 * The common part of chain operators: counting, and what happens when the user function
 * throws. Under the `skip` policy the record and the error go to the operator's dead-letter
 * output and processing continues; otherwise the error is attributed (operator, function,
 * record) and fails the bundle. A failure that came from further down the chain was already
 * handled there and passes through untouched.
 */
import { toWireError } from '../../../shared/errors/wire.ts';
import type { Downstream, Pushed } from '../downstream.ts';
import { attribute, FunctionFailure, type FunctionIdentity } from '../failure.ts';
import type { OutputBuffer } from '../output-buffer.ts';

export type FailurePolicy = 'fail' | 'restart' | 'skip';

export interface OperatorSetup {
  who: FunctionIdentity;
  policy: FailurePolicy;
  /** Present iff the policy is `skip`. */
  deadLetters: OutputBuffer | null;
}

export abstract class ChainOperator implements Downstream {
  next!: Downstream;
  /** Elements that entered this operator. */
  elementsIn = 0;
  readonly who: FunctionIdentity;
  private readonly policy: FailurePolicy;
  private readonly deadLetters: OutputBuffer | null;

  constructor(setup: OperatorSetup) {
    this.who = setup.who;
    this.policy = setup.policy;
    this.deadLetters = setup.deadLetters;
  }

  abstract push(value: unknown, timestamp: number | null): Pushed;

  /** Handles an error thrown while this operator processed `record`; returns if skipped. */
  protected failed(thrown: unknown, record: unknown): undefined {
    if (thrown instanceof FunctionFailure) throw thrown;
    if (this.policy === 'skip' && this.deadLetters !== null) {
      const wire = toWireError(thrown);
      this.deadLetters.push(
        {
          record,
          operator: this.who.operator,
          function: this.who.functionName,
          error: { name: wire.name, message: wire.message, stack: wire.stack },
        },
        null,
      );
      return undefined;
    }
    throw attribute(thrown, this.who, record);
  }

  /** Calls `run`, routing a synchronous throw or a rejection through `failed`. */
  protected guarded(record: unknown, run: () => Pushed): Pushed {
    let pushed: Pushed;
    try {
      pushed = run();
    } catch (thrown) {
      return this.failed(thrown, record);
    }
    if (pushed === undefined) return undefined;
    return pushed.then(undefined, (thrown: unknown) => this.failed(thrown, record));
  }
}

/** Resolves the callable a user function stands for: a plain function, or a method of an object. */
export function callableOf<F extends (...args: never[]) => unknown>(loaded: unknown, method: string, role: string): F {
  if (typeof loaded === 'function') return loaded as F;
  if (typeof loaded === 'object' && loaded !== null) {
    const m = (loaded as Record<string, unknown>)[method];
    if (typeof m === 'function') return m.bind(loaded) as F;
  }
  throw new TypeError(`the ${role} is neither a function nor an object with a ${method}() method`);
}
