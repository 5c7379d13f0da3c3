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
  /** The `skip` policy: a record the function throws on becomes a dead letter and the rest go on. */
  protected readonly skips: boolean;
  private readonly deadLetters: OutputBuffer | null;

  constructor(setup: OperatorSetup) {
    this.who = setup.who;
    this.skips = setup.policy === 'skip' && setup.deadLetters !== null;
    this.deadLetters = setup.deadLetters;
  }

  /**
   * Records this operator sent to its side outputs, dead letters included, since the processor
   * started. Its recordsOut counts them with its main output, as Flink's numRecordsOut counts
   * what an operator sends to side outputs (the window operator's late records included, which
   * like dead letters are the operator's, not the function's).
   */
  get sideElementsOut(): number {
    return this.deadLetters?.emitted ?? 0;
  }

  abstract push(value: unknown, timestamp: number | null): Pushed;

  /**
   * Set by the processor on the head of its chain. Such an operator may answer push() with the
   * function's own promise, setting `handedOver`: the processor then awaits that promise itself
   * and hands its outcome to settle() or settleFailure(). A record of an async function then
   * costs one promise and one turn less than chaining a handler onto it (measured: ~100 bytes
   * and ~20 ns of the ~650 bytes and ~150 ns an async record costs the runtime).
   */
  isHead = false;
  /** True from a push() that returned the function's own promise until the processor takes it. */
  handedOver = false;

  /** The fulfilled value of a handed-over promise: continues the record. */
  settle(_result: unknown): Pushed {
    throw new Error(`${this.constructor.name} hands no promise over`);
  }

  /** The rejection of a handed-over promise: as a throw of the function. */
  settleFailure(_thrown: unknown): undefined {
    throw new Error(`${this.constructor.name} hands no promise over`);
  }

  /**
   * Handles an error thrown while this operator processed `record`; returns if skipped. `who`
   * names the function that threw, when the operator runs more than one.
   */
  protected failed(thrown: unknown, record: unknown, who: FunctionIdentity = this.who): undefined {
    if (thrown instanceof FunctionFailure) throw thrown;
    if (this.skips && this.deadLetters !== null) {
      const wire = toWireError(thrown);
      this.deadLetters.push(
        {
          record,
          operator: who.operator,
          function: who.functionName,
          error: { name: wire.name, message: wire.message, stack: wire.stack },
        },
        null,
      );
      return undefined;
    }
    throw attribute(thrown, who, record);
  }

  /**
   * Calls `run(record, timestamp)`, routing a synchronous throw or a rejection through `failed`.
   * A per-record path passes a function bound once, not a closure made for the record.
   */
  protected guarded(record: unknown, timestamp: number | null, run: (record: unknown, timestamp: number | null) => Pushed): Pushed {
    let pushed: Pushed;
    try {
      pushed = run(record, timestamp);
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
  const m = boundMethod<F>(loaded, method);
  if (m !== null) return m;
  throw new TypeError(`the ${role} is neither a function nor an object with a ${method}() method`);
}

/**
 * Resolves one method of a user function that has several, none of which a plain function
 * could stand for (a CoMapFunction's map1 and map2). Resolved when the processor is built, so
 * that a missing method fails the registration, not the first record that needs it.
 */
export function methodOf<F extends (...args: never[]) => unknown>(loaded: unknown, method: string, role: string): F {
  const m = boundMethod<F>(loaded, method);
  if (m !== null) return m;
  if (typeof loaded === 'object' && loaded !== null) throw new TypeError(`the ${role} has no ${method}() method`);
  throw new TypeError(`the ${role} must be an object with a ${method}() method, got ${loaded === null ? 'null' : typeof loaded}`);
}

function boundMethod<F>(loaded: unknown, method: string): F | null {
  if ((typeof loaded !== 'object' && typeof loaded !== 'function') || loaded === null) return null;
  const m = (loaded as Record<string, unknown>)[method];
  return typeof m === 'function' ? (m.bind(loaded) as F) : null;
}
