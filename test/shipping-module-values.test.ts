import { describe, expect, test } from 'vitest';
import { MapFunction, OutputTag, Types, ValueStateDescriptor } from '../shared/api/index.ts';
import { StreamExecutionEnvironment } from '../host/index.ts';
import { refusal, roundTrip } from './fixtures/shipping/round-trip.ts';

// Top-level names of a file workers never import (a test file, as the job file): the ones
// declared with const, function or class travel by value.
const THRESHOLD = 3;
const STOP_WORDS = new Set(['a', 'the']);
const WEIGHTS = { x: 2, label: 'w' };
WEIGHTS.x = 5;
const LATE = new OutputTag<string>('late', Types.STRING());
const COUNT = new ValueStateDescriptor<number>('count', Types.LONG());
const NOTHING = undefined;

function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

const words = (line: string): string[] => line.split(' ').filter((w) => !STOP_WORDS.has(w));

class Scaler {
  scale(v: number): number {
    return v * WEIGHTS.x;
  }
}

// A base class that only the `extends` clause of another top-level class names.
class Normalizer extends MapFunction<string, string> {
  protected suffix = '!';
  map(word: string): string {
    return this.norm(word) + this.suffix;
  }
  protected norm(word: string): string {
    return word.trim();
  }
}

class Shouter extends Normalizer {
  protected override norm(word: string): string {
    return super.norm(word).toUpperCase();
  }
}

function ping(n: number): number {
  return n <= 0 ? 0 : pong(n - 1);
}

function pong(n: number): number {
  return n <= 0 ? 1 : ping(n - 1);
}

const ENV = StreamExecutionEnvironment.getExecutionEnvironment();

describe('top-level consts, functions and classes of a never-imported file travel by value', () => {
  test('a number, a Set and an object, the object as it is now (changed after its declaration)', async () => {
    const { payload, loaded } = await roundTrip((line: string) => `${words(line).join('+')}:${THRESHOLD}:${WEIGHTS.x}${WEIGHTS.label}`);
    const bindings = payload.function['bindings'] as Record<string, unknown>;
    expect(bindings['THRESHOLD']).toEqual({ value: 3 });
    expect(bindings['WEIGHTS']).toEqual({ value: { $: 'object', fields: { x: 5, label: 'w' } } });
    expect(loaded('a b the c')).toBe('b+c:3:5w');
  });

  test('Sluice API objects: an OutputTag and a state descriptor', async () => {
    const { loaded } = await roundTrip(() => [LATE, COUNT] as const);
    const [tag, descriptor] = loaded();
    expect(tag).toBeInstanceOf(OutputTag);
    expect(tag.tagId).toBe('late');
    expect(tag.typeInfo).toEqual(Types.STRING());
    expect(descriptor).toBeInstanceOf(ValueStateDescriptor);
    expect(descriptor.name).toBe('count');
  });

  test('a recursive function declaration, and a class, used by a function class', async () => {
    class Fib extends MapFunction<number, number> {
      map(n: number): number {
        return fib(n) + new Scaler().scale(1);
      }
    }
    const { loaded } = await roundTrip(new Fib());
    expect(loaded.map(10)).toBe(60);
  });

  test('a class whose base class of the same file only its `extends` clause names', async () => {
    const { payload, loaded } = await roundTrip(new Shouter());
    const cls = payload.function['class'] as { bindings: Record<string, { value?: { $: string; function: { kind: string; name: string } } }> };
    expect(Object.keys(cls.bindings)).toContain('Normalizer');
    expect(cls.bindings['Normalizer']?.value?.function).toMatchObject({ kind: 'source', name: 'Normalizer' });
    expect(loaded.map(' hey ')).toBe('HEY!');
    expect(loaded).toBeInstanceOf(MapFunction);
  });

  test('a const whose value is undefined', async () => {
    const { loaded } = await roundTrip(() => NOTHING === undefined);
    expect(loaded()).toBe(true);
  });

  test('functions that call each other are refused, naming both', async () => {
    expect(await refusal((n: number) => ping(n))).toMatch(
      /to a worker: `ping` and `pong` of shipping-module-values\.test\.ts use each other: module-level values that refer to each other cannot travel by value\. Export them from a module the job imports \(not the job file\)\.$/,
    );
  });

  test("Sluice's job-building objects are refused: they stay on the host", async () => {
    expect(await refusal((n: number) => (ENV === null ? 0 : n))).toMatch(
      /to a worker: it uses `ENV`, declared at the top level of shipping-module-values\.test\.ts, whose value travels to the worker as it is now; it cannot: field `ENV` holds a StreamExecutionEnvironment, part of Sluice's job-building API, which stays on the host: functions cannot use it\.$/,
    );
  });

  test('a const read before its declaration has run is refused', () => {
    expect(refusedBeforeDeclaration).toMatch(
      /to a worker: it uses `LATER`, declared at the top level of shipping-module-values\.test\.ts, whose value travels to the worker as it is when the job is submitted, but could not be read then\. Declare `LATER` before the job is executed\.$/,
    );
  });
});

// Shipped while this file is still being evaluated, before the declaration below has run.
const refusedBeforeDeclaration = await refusal((n: number) => n * LATER);
const LATER = 2;
