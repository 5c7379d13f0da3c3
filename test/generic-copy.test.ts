import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { genericCopy, genericSizeEstimate, MAX_COPY_DEPTH, NO_COPY } from '../shared/codec/generic-copy.ts';
import { decodeGeneric, encodeGeneric } from '../shared/codec/generic-value.ts';

const roundTrip = (v: unknown): unknown => decodeGeneric(encodeGeneric(v));

/** Every array and object of `a` and `b` (the same shape) are distinct objects. */
function expectNoSharedObjects(a: unknown, b: unknown): void {
  if (typeof a !== 'object' || a === null) return;
  expect(b).not.toBe(a);
  for (const key of Object.keys(a)) expectNoSharedObjects((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]);
}

/** A user's subclass of Array: the generic encoding takes it as an array, and it decodes as a plain one. */
class Pair extends Array<unknown> {}

function nested(depth: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('genericCopy: what the generic round trip gives, without the bytes', () => {
  const copied: [string, unknown][] = [
    ['a small integer', 7],
    ['-0', -0],
    ['NaN', NaN],
    ['-Infinity', -Infinity],
    ['a fraction', 0.1],
    ['an integer beyond 2^53', 2 ** 60],
    ['int64 max as a bigint', 2n ** 63n - 1n],
    ['a negative bigint', -(2n ** 70n)],
    ['true', true],
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['a multi-byte string', 'ü日😀é'],
    ['a word-count tuple', ['word', 3]],
    ['an empty array', []],
    ['an array with a hole', [1, , 3]],
    ['an array with undefined and null', [undefined, null]],
    ['an array with an extra property', Object.assign([1, 2], { extra: 'dropped' })],
    ['a plain object', { sum: 4, n: 2 }],
    ['integer-like keys first, then insertion order', { b: 1, 2: 'two', a: 2, 1: 'one' }],
    ['keys that are Object.prototype names', { constructor: 1, toString: 'x', hasOwnProperty: null }],
    ['a multi-byte key', { 'ключ😀': [1] }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { x: 1 })],
    ['an object of another realm', runInNewContext('({ a: [1, { b: "c" }] })')],
    ['an array of another realm', runInNewContext('[1, "two", [3]]')],
    ['a flat array of another realm', runInNewContext('["word", 2]')],
    ['a flat array of a subclass of Array', Pair.from(['word', 2])],
    ['a subclass of Array holding an array', Pair.from(['word', [2]])],
    ['nesting at the depth limit', nested(MAX_COPY_DEPTH - 1)],
    ['a Date', new Date(1_700_000_000_123)],
    ['an invalid Date', new Date(NaN)],
    ['a Date of another realm in a tuple', ['seen', runInNewContext('new Date(5)')]],
    ['a mix', { id: 12n, tags: ['a', 'b'], scores: [1.5, -0, NaN], meta: { seen: true, none: undefined } }],
  ];

  it.each(copied)('%s: a copy equal to its round trip, sharing no object with it', (_name, value) => {
    const copy = genericCopy(value);
    const expected = roundTrip(value);
    expect(copy).toEqual(expected);
    if (typeof expected === 'object' && expected !== null) {
      expect(Object.keys(copy as object)).toEqual(Object.keys(expected));
      expect(Object.getPrototypeOf(copy)).toBe(Object.getPrototypeOf(expected));
      expectNoSharedObjects(value, copy);
    }
  });

  it('a non-enumerable or symbol-keyed property is left out, as the encoding leaves it', () => {
    const value: Record<string | symbol, unknown> = { kept: 1, [Symbol('s')]: 2 };
    Object.defineProperty(value, 'hidden', { value: 3, enumerable: false });
    expect(genericCopy(value)).toEqual({ kept: 1 });
    expect(roundTrip(value)).toEqual({ kept: 1 });
  });

  const leftToTheRoundTrip: [string, unknown][] = [
    ['a Map', new Map([[1, 2]])],
    ['a Set', new Set([1])],
    ['bytes', new Uint8Array([1, 2])],
    ['a typed array', new Float64Array([1])],
    ['an ArrayBuffer', new ArrayBuffer(2)],
    ['a class instance', new (class Point {
      x = 1;
    })()],
    ['a string with a lone surrogate', 'a\ud800b'],
    ['a key with a lone surrogate', { ['\udc00']: 1 }],
    ['an own __proto__ key', JSON.parse('{"__proto__": 1}') as unknown],
    ['nesting past the depth limit', nested(MAX_COPY_DEPTH + 1)],
    ['a Map inside a tuple', ['when', new Map()]],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
  ];

  it.each(leftToTheRoundTrip)('%s: NO_COPY', (_name, value) => {
    expect(genericCopy(value)).toBe(NO_COPY);
  });

  it('a cycle is NO_COPY, and the round trip still refuses it', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(genericCopy(cyclic)).toBe(NO_COPY);
    expect(() => encodeGeneric(cyclic)).toThrow(/nested more than/);
  });
});

describe('genericCopy into an earlier copy', () => {
  it('writes an array of primitives and strings into an array of the same length, and returns it', () => {
    const earlier = ['word', 1, null];
    const value = ['word', 2n, undefined];
    const copy = genericCopy(value, earlier);
    expect(copy).toBe(earlier);
    expect(copy).toEqual(roundTrip(value));
    expect(copy).not.toBe(value);
  });

  it('makes a new copy when the lengths differ, an element is an object, or the earlier copy is not an array', () => {
    const earlier = ['word', 1];
    for (const [value, reuse] of [
      [['word', 1, 2], earlier],
      [['word', [1]], earlier],
      [['word', 1], { 0: 'word', 1: 1 }],
      [['word', 1], 7],
    ] as const) {
      const copy = genericCopy(value, reuse);
      expect(copy).not.toBe(reuse);
      expect(copy).toEqual(roundTrip(value));
    }
    expect(earlier).toEqual(['word', 1]);
  });

  it('an array with a hole comes back with undefined in its place, as the round trip gives it', () => {
    const copy = genericCopy([1, , 3]) as unknown[];
    expect(1 in copy).toBe(true);
    expect(copy).toStrictEqual(roundTrip([1, undefined, 3]));
  });

  it('leaves the earlier copy as it was when the value is not copied', () => {
    const earlier = ['word', 1];
    expect(genericCopy(['a\ud800', 2], earlier)).toBe(NO_COPY);
    expect(genericCopy(['b', () => 2], earlier)).toBe(NO_COPY);
    expect(earlier).toEqual(['word', 1]);
  });
});

describe('genericSizeEstimate', () => {
  it('is the encoded size for numbers that take nine bytes and for ASCII strings of 63 bytes or fewer, plus one', () => {
    expect(genericSizeEstimate(0.5)).toBe(encodeGeneric(0.5).byteLength);
    expect(genericSizeEstimate('word')).toBe(encodeGeneric('word').byteLength + 1);
  });

  it('adds up arrays and objects', () => {
    expect(genericSizeEstimate(['word', 0.5])).toBe(2 + 6 + 9);
    expect(genericSizeEstimate({ n: 0.5, s: null })).toBe(2 + (2 + 1 + 9) + (2 + 1 + 1));
  });
});
