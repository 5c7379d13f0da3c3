/**
 * Whatever a function throws, describing it never throws: the user gets the operator, the function
 * and the record with it (an object without a prototype once lost them all, as did an Error whose
 * message getter throws and a returned Proxy whose traps throw). Plain objects read as
 * util.inspect shows them; an Error's cause and an AggregateError's errors are in the stack.
 */
import { describe, expect, it } from 'vitest';
import { MapFunction, UserFunctionError } from '../../host/index.ts';
import { renderRecord } from '../../shared/errors/render-record.ts';
import { fromWireError, toWireError } from '../../shared/errors/wire.ts';
import { FunctionFailure, isPromiseLike } from '../../worker/processor/failure.ts';
import { failureOf } from '../support/failure.ts';
import { environment, MODES } from '../support/jobs.ts';

const WHO = { operator: 'Op', transform: '3', functionName: 'fn' };

function nullPrototype(): object {
  const o = Object.create(null) as Record<string, unknown>;
  o['reason'] = 'no prototype';
  return o;
}

function messageGetterThrows(): Error {
  const e = new Error('evil');
  Object.defineProperty(e, 'message', {
    get() {
      throw new Error('getter throws');
    },
  });
  return e;
}

/** A Proxy every trap of which throws. */
function hostileProxy(): object {
  const fail = (): never => {
    throw new Error('trap');
  };
  return new Proxy({ x: 1 }, { get: fail, getPrototypeOf: fail, ownKeys: fail, has: fail, getOwnPropertyDescriptor: fail });
}

describe('describing a thrown value', () => {
  it('an object without a prototype is shown as inspect shows it', () => {
    const wire = toWireError(nullPrototype(), { operator: 'Op', record: '2' });
    expect(wire.name).toBe('NonErrorThrown');
    expect(wire.message).toBe("a non-Error value was thrown: [Object: null prototype] { reason: 'no prototype' }");
    expect(wire.operator).toBe('Op');
    expect(wire.record).toBe('2');
    expect(new FunctionFailure(nullPrototype(), WHO, 'fn', '2').message).toBe("[Object: null prototype] { reason: 'no prototype' }");
  });

  it('a plain object and a cyclic one read as objects, not [object Object]', () => {
    expect(toWireError({ message: 'looks like an error', code: 7 }).message).toBe(
      "a non-Error value was thrown: { message: 'looks like an error', code: 7 }",
    );
    const cyclic: Record<string, unknown> = { id: 1 };
    cyclic['self'] = cyclic;
    expect(toWireError(cyclic).message).toBe('a non-Error value was thrown: <ref *1> { id: 1, self: [Circular *1] }');
    expect(toWireError('boom').message).toBe('a non-Error value was thrown: "boom"');
    expect(toWireError(42).message).toBe('a non-Error value was thrown: 42');
    expect(toWireError(Symbol('sym')).message).toBe('a non-Error value was thrown: Symbol(sym)');
  });

  it('an Error whose message getter throws keeps its name and says the message could not be read', () => {
    const wire = toWireError(messageGetterThrows(), { operator: 'Op' });
    expect(wire.name).toBe('Error');
    expect(wire.message).toBe('(its message could not be read)');
    expect(new FunctionFailure(messageGetterThrows(), WHO, 'fn', '').message).toBe('(its message could not be read)');
  });

  it('a Proxy whose traps throw is described, is no promise, and renders as a record', () => {
    const proxy = hostileProxy();
    expect(toWireError(proxy).name).toBe('NonErrorThrown');
    expect(toWireError(proxy).message.startsWith('a non-Error value was thrown: ')).toBe(true);
    expect(isPromiseLike(proxy)).toBe(false);
    expect(typeof renderRecord(proxy)).toBe('string');
    expect(new FunctionFailure(proxy, WHO, 'fn', renderRecord(proxy)).toWire().operator).toBe('Op');
  });

  it("an Error's cause chain and an AggregateError's errors are in the stack", () => {
    const root = new Error('root cause');
    const error = new TypeError('bad record', { cause: root });
    const stack = toWireError(error).stack;
    expect(stack.startsWith(`${error.stack!}\ncaused by: ${root.stack!}`)).toBe(true);
    const aggregate = new AggregateError([new Error('inner one'), 'not an error'], 'several failed');
    const lines = toWireError(aggregate).stack.split('\n');
    expect(lines).toContain('errors (2):');
    expect(lines).toContain('  [0] Error: inner one');
    expect(lines).toContain("  [1] 'not an error'");
    const cyclic = new Error('a');
    (cyclic as { cause?: unknown }).cause = cyclic;
    expect(toWireError(cyclic).stack.endsWith('caused by: [the same error again: a cycle of causes]')).toBe(true);
    expect(toWireError(new Error('plain')).stack).not.toContain('caused by');
  });
});

/** What ThrowsOnTwo throws, by kind. */
function thrownOfKind(kind: string): unknown {
  if (kind === 'null-prototype') return nullPrototype();
  if (kind === 'message-getter') return messageGetterThrows();
  return new RangeError('bad record', { cause: new Error('root cause here') });
}

class ThrowsOnTwo extends MapFunction<number, number> {
  constructor(private readonly kind: string) {
    super();
  }
  map(x: number): number {
    if (x === 2) throw thrownOfKind(this.kind);
    return x;
  }
}

describe.each(MODES)('%s mode', (mode) => {
  async function failureThrowing(kind: string): Promise<UserFunctionError> {
    const env = environment(mode);
    env.fromCollection([1, 2, 3]).map(new ThrowsOnTwo(kind)).name('Thrower').print();
    const error = await failureOf(env.execute('throws'));
    expect(error).toBeInstanceOf(UserFunctionError);
    return error as UserFunctionError;
  }

  it('an object without a prototype thrown fails the job with the operator and the record', async () => {
    const error = await failureThrowing('null-prototype');
    expect(error.operator).toBe('Thrower');
    expect(error.record).toBe('2');
    expect(error.causeName).toBe('NonErrorThrown');
    expect(error.causeMessage).toBe("a non-Error value was thrown: [Object: null prototype] { reason: 'no prototype' }");
  });

  it('an Error whose message getter throws fails the job with the operator and the record', async () => {
    const error = await failureThrowing('message-getter');
    expect(error.operator).toBe('Thrower');
    expect(error.record).toBe('2');
    expect(error.causeMessage).toBe('(its message could not be read)');
  });

  it("an Error's cause is in the stack the host shows", async () => {
    const error = await failureThrowing('cause');
    expect(error.causeMessage).toBe('bad record');
    expect(error.workerStack).toContain('\ncaused by: Error: root cause here\n');
    expect(error.message).toContain('caused by: Error: root cause here');
  });

  it.each([true, false])(
    'a returned Proxy whose traps throw fails the function that returned it, whole, chained or not (chaining %s)',
    async (chaining) => {
      const env = environment(mode, { 'udf.operator-chaining.enabled': chaining });
      env
        .fromCollection([1])
        .map(
          (x: number) =>
            new Proxy(
              { x },
              {
                get() {
                  throw new Error('proxy get blew up');
                },
                ownKeys() {
                  throw new Error('proxy ownKeys blew up');
                },
              },
            ),
        )
        .name('First')
        .map((): number => {
          throw new Error('second fails');
        })
        .name('Second')
        .print();
      const error = await failureOf(env.execute('proxy'));
      expect(error).toBeInstanceOf(UserFunctionError);
      expect((error as UserFunctionError).operator).toBe('First');
      expect((error as UserFunctionError).causeMessage).toBe('proxy ownKeys blew up');
    },
  );
});

it('fromWireError keeps a non-Error throw readable', () => {
  const error = fromWireError(toWireError({ code: 7 }, { operator: 'Op', record: '1' })) as UserFunctionError;
  expect(error.message).toBe("operator 'Op': function <anonymous> threw: NonErrorThrown: a non-Error value was thrown: { code: 7 }\n  record: 1");
});
