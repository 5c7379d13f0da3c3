import { describe, expect, test } from 'vitest';
import { MapFunction } from '../shared/api/index.ts';
import { describeFunction } from '../host/shipping/ship-function.ts';

class Upper extends MapFunction<string, string> {
  map(v: string): string {
    return v.toUpperCase();
  }
}

function named(): void {}

describe('describeFunction names functions for messages', () => {
  test('by class or function name', () => {
    const inferred = (v: number) => v;
    expect(describeFunction(new Upper())).toBe('Upper');
    expect(describeFunction(Upper)).toBe('Upper');
    expect(describeFunction(named)).toBe('named');
    expect(describeFunction(inferred)).toBe('inferred');
    expect(describeFunction(named.bind(null))).toBe('bound named');
    expect(describeFunction(Math.sqrt)).toBe('sqrt');
  });

  test('an anonymous function by where it was written (1-based line and column of the TypeScript file)', () => {
    expect(describeFunction((v: number) => v + 1)).toBe('<lambda at shipping-describe-function.test.ts:25:29>');
    expect(describeFunction(async function () {})).toBe('<lambda at shipping-describe-function.test.ts:26:44>');
    expect(describeFunction(new (class {
      map(): void {}
    })())).toBe('<object of class at shipping-describe-function.test.ts:27:34>');
  });

  test('other values by what they are', () => {
    expect(describeFunction({ map: () => 1 })).toBe('<object>');
    expect(describeFunction(42)).toBe('<number>');
    expect(describeFunction(null)).toBe('<null>');
  });
});
