import { describe, expect, test } from 'vitest';
import { MapFunction } from '../shared/api/index.ts';
import * as sl from '../shared/api/index.ts';
import { UnshippableFunctionError } from '../shared/errors/errors.ts';
import { shipFunction } from '../host/shipping/ship-function.ts';
import { refusal } from './fixtures/shipping/round-trip.ts';

const PREFIX = 'UnshippableFunctionError: Cannot ship map function';

function surcharge(price: number): number {
  return price + 2;
}

// A `let`: the file may still change it, so it does not travel by value.
let rounding = 0.05;
rounding = 0.1;

class RoundedPrice extends MapFunction<number, number> {
  map(price: number): number {
    return Math.round(price / rounding) * rounding;
  }
}

class Counter extends MapFunction<number, number> {
  #count = 0;
  map(v: number): number {
    this.#count++;
    return v + this.#count;
  }
}

class Scaler extends MapFunction<number, number> {
  constructor(private readonly factor: number) {
    super();
  }
  map(v: number): number {
    return v * this.factor;
  }
  /** Returns an arrow that reads `this` of this method. */
  asLambda(): (v: number) => number {
    return (v) => v * this.factor;
  }
}

describe('functions that cannot be shipped are refused before anything runs', () => {
  test('the error is an UnshippableFunctionError naming the function', async () => {
    const error = await shipFunction(surcharge.bind(null), { role: 'map function', operator: 'Prices' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnshippableFunctionError);
    expect((error as UnshippableFunctionError).functionName).toBe('bound surcharge');
  });

  test('a lambda closing over a local variable', async () => {
    const factor = 3;
    expect(await refusal((x: number) => x * factor)).toBe(
      `${PREFIX} <lambda at shipping-unshippable.test.ts:54:26> of operator 'Map' to a worker: it closes over ` +
        '`factor`, a local variable of an enclosing function. Move `factor` into the function, pass it as a field ' +
        'of a function class, or export the function from a module.',
    );
  });

  test('a class that uses a top-level `let` of the same (never imported) file', async () => {
    expect(await refusal(new RoundedPrice())).toBe(
      `${PREFIX} RoundedPrice of operator 'Map' to a worker: it uses \`rounding\`, declared in ` +
        'shipping-unshippable.test.ts, a test file, which workers never import, with `let` or `var`: only a ' +
        '`const` (or a function or class declaration) travels to the worker, by value. Declare `rounding` with ' +
        '`const`, move `rounding` into the function, or move the function (with what it uses) to another module ' +
        'and export it from there.',
    );
  });

  test('a bound function', async () => {
    expect(await refusal(surcharge.bind(null))).toBe(
      `${PREFIX} bound surcharge of operator 'Map' to a worker: it is a bound function (made with .bind()); its ` +
        'bound `this` and arguments cannot be shipped. Pass the function itself, and give it the bound values as ' +
        'fields of a function class.',
    );
  });

  test('a native function that no global reaches', async () => {
    expect(await refusal(String.prototype.trim)).toBe(
      `${PREFIX} trim of operator 'Map' to a worker: it is a native function (trim) that no JavaScript global ` +
        'reaches, and it has no JavaScript source to ship. Wrap it in a function of your own that calls it.',
    );
  });

  test('an object whose class has private #fields', async () => {
    expect(await refusal(new Counter())).toBe(
      `${PREFIX} Counter of operator 'Map' to a worker: it has private members: class Counter declares ` +
        '`#count`. A function object is rebuilt in the worker from its fields without running its constructor, ' +
        'and private members are not fields. Use ordinary fields instead (`count`).',
    );
  });

  test("an arrow that uses `this` of the method that made it", async () => {
    const message = await refusal(new Scaler(2).asLambda());
    expect(message).toBe(
      `${PREFIX} <lambda at shipping-unshippable.test.ts:41:12> of operator 'Map' to a worker: it is an arrow ` +
        'function that uses `this` of the function it was created in, which stays behind. Copy what it needs ' +
        'into a field of a function class (and read it from `this` in a method), or into the arrow.',
    );
  });

  test('a field holding a function that cannot be shipped names the field', async () => {
    const offset = 10;
    class Shifted extends MapFunction<number, number> {
      shift = (v: number) => v + offset;
      map(v: number): number {
        return this.shift(v);
      }
    }
    expect(await refusal(new Shifted(), 'key selector', 'byCity')).toBe(
      "UnshippableFunctionError: Cannot ship key selector Shifted of operator 'byCity' to a worker: field " +
        '`this.shift` (shift) closes over `offset`, a local variable of an enclosing function. Move `offset` into ' +
        'the function, pass it as a field of a function class, or export the function from a module.',
    );
  });

  test('a name that is not declared anywhere', async () => {
    // @ts-expect-error: the point is a name nothing declares
    const message = await refusal((v: number) => v + notDeclaredAnywhere);
    expect(message).toBe(
      `${PREFIX} <lambda at shipping-unshippable.test.ts:120:35> of operator 'Map' to a worker: it uses ` +
        '`notDeclaredAnywhere`, which is neither declared in it, nor imported, nor a JavaScript global.',
    );
  });

  test('a Sluice name that workers do not have', async () => {
    const message = await refusal((v: number) => [v, (sl as Record<string, unknown>)['StreamExecutionEnvironment']]);
    expect(message).toBe(
      `${PREFIX} <lambda at shipping-unshippable.test.ts:128:35> of operator 'Map' to a worker: it uses ` +
        "`StreamExecutionEnvironment` from Sluice, which workers do not have: functions may use Sluice's " +
        'user-function API (shared/api: Types, state descriptors, function base classes, OutputTag, Time, ' +
        'StateTtlConfig …).',
    );
  });

  test('import.meta', async () => {
    expect(await refusal(function where() { return import.meta.url; })).toBe(
      `${PREFIX} where of operator 'Map' to a worker: it uses import.meta, which a function rebuilt from its ` +
        'source does not have. Compute the value outside and pass it as a field of a function class, or export ' +
        'the function from a module.',
    );
  });

  test('several problems at once are all named', async () => {
    const a = 1;
    const b = 2;
    expect(await refusal(function sum(v: number) { return v + a + b + rounding; })).toBe(
      `${PREFIX} sum of operator 'Map' to a worker: it closes over \`a\` and \`b\`, local variables of an ` +
        'enclosing function. Move `a` and `b` into the function, pass them as fields of a function class, or ' +
        'export the function from a module. It also uses `rounding`, declared in shipping-unshippable.test.ts, ' +
        'a test file, which workers never import, with `let` or `var`: only a `const` (or a function or class ' +
        'declaration) travels to the worker, by value. Declare `rounding` with `const`, move `rounding` into the ' +
        'function, or move the function (with what it uses) to another module and export it from there.',
    );
  });

  test('a Proxy, a non-function and a built-in object', async () => {
    expect(await refusal(new Proxy((v: number) => v, {}))).toMatch(/ it is a Proxy, whose handler cannot be shipped\. /);
    expect(await refusal(42)).toBe(`${PREFIX} <number> of operator 'Map' to a worker: it is not a function or a function object (got number)`);
    expect(await refusal(new WeakMap())).toBe(
      `${PREFIX} WeakMap of operator 'Map' to a worker: it is a WeakMap, not a function or a function object`,
    );
  });

  test('a method taken from its class that calls super', async () => {
    class Opened extends MapFunction<number, number> {
      override open(): void {
        super.open({} as never);
      }
      map(v: number): number {
        return v;
      }
    }
    expect(await refusal(Opened.prototype.open)).toBe(
      `${PREFIX} open of operator 'Map' to a worker: it is a method that uses \`super\`, which needs its class. ` +
        'Pass the object, not its method.',
    );
  });

  test('a dynamic import in a function defined in a test file', async () => {
    expect(await refusal(async function load() { return import('./fixtures/shipping/text-tools.ts'); })).toBe(
      `${PREFIX} load of operator 'Map' to a worker: it uses import(), which a function rebuilt from its source ` +
        'does not have. Import the module at the top of the file instead: imports travel with the function.',
    );
  });

  test('an object of a class extending a built-in class', async () => {
    class Registry extends Map<string, number> {
      map(v: string): number {
        return this.get(v) ?? 0;
      }
    }
    expect(await refusal(new Registry())).toBe(
      `${PREFIX} Registry of operator 'Map' to a worker: it extends Map, a built-in class whose internal state ` +
        'is not in fields and cannot be rebuilt. Hold a Map in a field instead.',
    );
  });
});
