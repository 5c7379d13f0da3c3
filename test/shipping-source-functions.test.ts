import { describe, expect, test } from 'vitest';
import { FlatMapFunction, MapFunction, RichFunction } from '../shared/api/index.ts';
import type { RuntimeContext } from '../shared/api/contexts.ts';
import { roundTrip } from './fixtures/shipping/round-trip.ts';
import { mappedPositionOf, positionOf } from './support/source-position.ts';

// Functions written in this test file travel as source: the file itself is never imported.

function double(x: number): number {
  return x * 2;
}

async function slowDouble(x: number): Promise<number> {
  await Promise.resolve();
  return x * 2;
}

class Repeat extends FlatMapFunction<string, string> {
  times = 2;
  *flatMap(value: string): Generator<string> {
    for (let i = 0; i < this.times; i++) yield `${value}${i}`;
  }
}

class AsyncRepeat {
  async *flatMap(value: string): AsyncGenerator<string> {
    yield value;
    yield value.toUpperCase();
  }
}

type Counters = { __openedConstructions?: number };

class Opened extends MapFunction<number, string> {
  opened = false;
  prefix: string;
  constructor(prefix: string) {
    super();
    // Through globalThis: a shipped class may use globals, not this file's variables.
    const counters = globalThis as Counters;
    counters.__openedConstructions = (counters.__openedConstructions ?? 0) + 1;
    this.prefix = prefix;
  }
  override open(ctx: RuntimeContext): void {
    super.open(ctx);
    this.opened = true;
  }
  map(value: number): string {
    return `${this.prefix}${value}:${this.opened}`;
  }
}

class WithStatic {
  static unit: string;
  static {
    WithStatic.unit = 'kg';
  }
  map(value: number): string {
    return `${value}${WithStatic.unit}`;
  }
}

class Thrower extends MapFunction<number, number> {
  map(value: number): number {
    throw new RangeError(`bad ${value}`);
  }
}

describe('functions shipped as source', () => {
  test('a lambda', async () => {
    const fn = (line: string) => line.split(' ');
    const { payload, loaded } = await roundTrip(fn);
    expect(payload.function).toEqual({
      kind: 'source',
      name: 'fn',
      source: "(line) => line.split(\" \")",
      syntax: 'expression',
      bindings: {},
      map: { sources: [import.meta.url], mappings: expect.any(String) },
    });
    expect(loaded('to be or')).toEqual(['to', 'be', 'or']);
    expect(loaded).not.toBe(fn);
  });

  test("the source map leads each token of the shipped text back to this file's line and column", async () => {
    const fn = (words: string[]) =>
      words
        .filter((w) => w.length > 2)
        .map((w) => w.toUpperCase());
    const { payload } = await roundTrip(fn);
    const originalOf = (token: string): string => mappedPositionOf(payload.function, token);
    expect(originalOf('filter')).toBe(positionOf(import.meta.url, 'filter((w) => w.length > 2)'));
    expect(originalOf('length')).toBe(positionOf(import.meta.url, 'length > 2)'));
    expect(originalOf('toUpperCase')).toBe(positionOf(import.meta.url, 'toUpperCase());'));
  });

  test('a named function declaration', async () => {
    const { payload, loaded } = await roundTrip(double);
    expect(payload.function['kind']).toBe('source');
    expect(loaded.name).toBe('double');
    expect(loaded(21)).toBe(42);
  });

  test('an async function', async () => {
    const { loaded } = await roundTrip(slowDouble);
    await expect(loaded(4)).resolves.toBe(8);
  });

  test('a generator method of a class extending a Sluice base class', async () => {
    const { loaded } = await roundTrip(new Repeat());
    expect(loaded).toBeInstanceOf(FlatMapFunction);
    expect([...loaded.flatMap('x')]).toEqual(['x0', 'x1']);
  });

  test('an async generator method', async () => {
    const { loaded } = await roundTrip(new AsyncRepeat());
    const seen: string[] = [];
    for await (const v of loaded.flatMap('ab')) seen.push(v);
    expect(seen).toEqual(['ab', 'AB']);
  });

  test('an object is rebuilt from its fields without running its constructor, and super calls work', async () => {
    const original = new Opened('n=');
    const counters = globalThis as Counters;
    const before = counters.__openedConstructions;
    const { payload, loaded } = await roundTrip(original);
    expect(counters.__openedConstructions).toBe(before);
    expect(payload.function['kind']).toBe('instance');
    expect(payload.function['fields']).toEqual({ opened: false, prefix: 'n=' });
    expect(loaded).toBeInstanceOf(MapFunction);
    expect(loaded).toBeInstanceOf(RichFunction);
    expect(loaded).not.toBe(original);
    loaded.open({} as RuntimeContext);
    expect(loaded.map(7)).toBe('n=7:true');
    expect(original.opened).toBe(false);
  });

  test('a class with a static block', async () => {
    const { loaded } = await roundTrip(new WithStatic());
    expect(loaded.map(3)).toBe('3kg');
  });

  test('a function using only JavaScript globals', async () => {
    const fn = (json: string) => {
      const v = JSON.parse(json) as { a: number[] };
      return [Math.max(...v.a), new Date(Date.UTC(2024, 0, 2)).toISOString(), Number.isInteger(v.a[0]), typeof console.log];
    };
    const { payload, loaded } = await roundTrip(fn);
    expect(payload.function['bindings']).toEqual({});
    expect(loaded('{"a":[3,9,4]}')).toEqual([9, '2024-01-02T00:00:00.000Z', true, 'function']);
  });

  test.each([
    ['String', String, 42, '42'],
    ['Boolean', Boolean, '', false],
    ['Math.max', Math.max, -3, -3],
    ['JSON.parse', JSON.parse, '[1,{"a":"b"}]', [1, { a: 'b' }]],
    ['Number.isInteger', Number.isInteger, 2.5, false],
  ] as const)('a native function of the globals travels as its path: %s', async (path, fn, input, output) => {
    const { payload, loaded } = await roundTrip(fn as (v: unknown) => unknown);
    expect(payload.function).toEqual({ kind: 'global', path });
    expect(loaded).toBe(fn);
    expect(loaded(input)).toEqual(output);
  });

  test('a function object whose field holds a native function of the globals', async () => {
    const { payload, loaded } = await roundTrip({ parse: Number.parseFloat, map(v: string) { return this.parse(v) * 2; } });
    expect((payload.function['fields'] as Record<string, unknown>)['parse']).toEqual({
      $: 'function',
      function: { kind: 'global', path: 'Number.parseFloat' },
    });
    expect(loaded.map('1.25')).toBe(2.5);
  });

  test('a method taken from an object literal', async () => {
    const triple = { triple(v: number) { return v * 3; } }.triple;
    const { payload, loaded } = await roundTrip(triple);
    expect(payload.function['syntax']).toBe('method');
    expect(loaded(5)).toBe(15);
  });

  test('a plain object holding functions', async () => {
    const { payload, loaded } = await roundTrip({ offset: 10, map(v: number) { return v + this.offset; } });
    expect(payload.function['kind']).toBe('object');
    expect(loaded.map(1)).toBe(11);
  });

  test('a function that calls itself by name', async () => {
    const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
    const { payload, loaded } = await roundTrip(fact);
    expect(payload.function['bindings']).toEqual({ fact: { self: true } });
    expect(loaded(5)).toBe(120);
  });

  test('every load rebuilds the class afresh', async () => {
    const shipped = await roundTrip(new Repeat());
    const again = await roundTrip(new Repeat());
    expect(Object.getPrototypeOf(shipped.loaded)).not.toBe(Object.getPrototypeOf(again.loaded));
    expect(Object.getPrototypeOf(shipped.loaded)).not.toBe(Repeat.prototype);
  });

  test("a rebuilt function's stack names it by its sourceURL", async () => {
    const { loaded } = await roundTrip(new Thrower());
    let stack = '';
    try {
      loaded.map(1);
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    expect(stack.split('\n')[0]).toBe('RangeError: bad 1');
    expect(stack).toContain('sluice-fn:///Thrower:');
  });
});
