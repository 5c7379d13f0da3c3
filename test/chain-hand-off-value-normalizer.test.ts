/**
 * The per-value normalizer (what a chained function receives from the one before it) against
 * the codec it stands in for: for every value, normalize(value) must be exactly what a one-row
 * batch of it gives after an encode and a decode (bigint against number, -0, Map against
 * object, Date, Uint8Array included), and refuse exactly what the encoder refuses, with its
 * message.
 */
import { describe, expect, it } from 'vitest';
import type { TypeDescriptor } from '../shared/api/types.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { BatchLayout } from '../shared/codec/batch-layout.ts';
import { BatchNormalizer } from '../shared/codec/batch-normalizer.ts';
import { ValueNormalizer } from '../shared/codec/value-normalizer.ts';

const valueNormalizer = (type: TypeDescriptor | null) => (value: unknown): unknown => new ValueNormalizer(type).normalize(value);
import { Gen, prng } from './support/random-values.ts';

type Outcome = { value: unknown } | { error: string };

function layoutOf(type: TypeDescriptor): BatchLayout {
  return { value: type, keyed: false, timestamped: false };
}

function viaCodec(type: TypeDescriptor, value: unknown): Outcome {
  const layout = layoutOf(type);
  try {
    const bytes = new BatchEncoder(layout).encode({ length: 1, values: [value], keys: null, timestamps: null });
    return { value: new BatchDecoder(layout).decode(bytes.slice()).values[0] };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function normalized(type: TypeDescriptor, value: unknown): Outcome {
  try {
    return { value: valueNormalizer(type)(value) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** Whether `b` holds (at any depth) an object that `a` also holds: a copy shares none. */
function sharesObject(a: unknown, b: unknown): boolean {
  const seen = new Set<unknown>();
  const walk = (v: unknown, visit: (o: object) => boolean): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    if (visit(v)) return true;
    const children = v instanceof Map ? [...v.keys(), ...v.values()] : v instanceof Set ? [...v] : ArrayBuffer.isView(v) ? [] : Object.values(v);
    return children.some((c) => walk(c, visit));
  };
  walk(a, (o) => {
    seen.add(o);
    if (ArrayBuffer.isView(o)) seen.add(o.buffer);
    return false;
  });
  return walk(b, (o) => seen.has(o) || (ArrayBuffer.isView(o) && seen.has(o.buffer)));
}

class Stranger {
  x = 1;
}

/** Values of a type in every form a function may return, and now and then one the type refuses. */
class WildGen extends Gen {
  misfit(): unknown {
    return this.pick<() => unknown>([
      () => 'a string',
      () => 5,
      () => 0.5,
      () => 2 ** 53,
      () => NaN,
      () => true,
      () => 2n ** 70n,
      () => [1, 'x'],
      () => ({ odd: 1 }),
      () => new Map([[null, 1]]),
      () => new Set([1]),
      () => new Stranger(),
      () => () => 1,
      () => new Date(Number.NaN),
      () => Symbol('s'),
    ])();
  }

  wild(d: TypeDescriptor, depth = 0): unknown {
    const r = this.random();
    if (r < 0.06) return undefined;
    if (r < 0.09) return this.misfit();
    switch (d.kind) {
      case 'BYTE':
      case 'SHORT':
      case 'INT':
      case 'SQL_TIME':
        return this.random() < 0.2 ? -0 : this.value(d);
      case 'LONG':
        return this.pick<() => unknown>([
          () => this.value(d),
          () => -0,
          () => BigInt(this.int(-1000, 1000)),
          () => 2n ** 53n - 1n,
          () => -(2n ** 53n),
          () => -(2n ** 53n) + 1n,
          () => 2n ** 63n - 1n,
          () => -(2n ** 63n - 1n),
          () => -(2n ** 63n),
          () => 2n ** 63n,
          () => 2 ** 53 - 1,
        ])();
      case 'FLOAT':
        return this.pick([(this.random() - 0.5) * 1e6, 0.1, -0, NaN, Infinity, 1e300, 3.4028235e38, 1e-46]);
      case 'STRING':
        return this.pick([this.string(), `${this.string()}\uD800`, '\uDC00', 'é😀\uD83D']);
      case 'BYTES':
        return this.pick<() => unknown>([() => this.value(d), () => Buffer.from('bytes'), () => new Uint8Array(16).fill(3).subarray(4, 9), () => [1, 2]])();
      case 'SQL_DATE':
        return new Date(this.int(-1e12, 1e12) + 0.5);
      case 'GENERIC':
        return this.wildGeneric(depth);
      case 'ROW':
      case 'TUPLE': {
        const row = d.fields.map((f) => this.wild(f, depth + 1));
        if (this.random() < 0.1) delete row[this.int(0, row.length - 1)];
        if (this.random() < 0.03) row.push(1);
        return row;
      }
      case 'ROW_NAMED': {
        const row: Record<string, unknown> = this.random() < 0.2 ? Object.create(null) : {};
        d.names.forEach((name, i) => {
          if (this.random() < 0.85) row[name] = this.wild(d.fields[i]!, depth + 1);
        });
        if (this.random() < 0.03) row['extra'] = 1;
        return row;
      }
      case 'LIST': {
        const list = Array.from({ length: this.int(0, 4) }, () => this.wild(d.element, depth + 1));
        if (list.length > 0 && this.random() < 0.15) delete list[0];
        return list;
      }
      case 'PRIMITIVE_ARRAY': {
        const k = d.element.kind;
        if (k === 'BYTE') return this.pick<() => unknown>([() => this.value(d), () => [-128, -1, 0, 255], () => Buffer.from([9, 8]), () => [1, 256], () => [1, 0.5]])();
        if (this.random() < 0.3) return k === 'INT' ? new Int32Array([1, -2]) : this.pick([new Float64Array([0.1, -0, NaN]), new Float32Array([0.1])]);
        return Array.from({ length: this.int(0, 4) }, () => this.wild(d.element, depth + 1));
      }
      case 'MAP': {
        const map = new Map<unknown, unknown>();
        for (let n = this.int(0, 3); n > 0; n--) {
          const key = this.random() < 0.04 ? null : (this.wild(d.key, depth + 1) ?? this.value(d.key, false));
          map.set(key, this.wild(d.value, depth + 1));
        }
        if (d.key.kind === 'STRING' && this.random() < 0.4) return Object.fromEntries([...map].map(([k, v]) => [String(k), v]));
        return map;
      }
      default:
        return this.value(d);
    }
  }

  wildGeneric(depth: number): unknown {
    if (depth >= 3 || this.random() < 0.5) {
      return this.pick<() => unknown>([
        () => this.generic(depth),
        () => -0,
        () => `lone \uD800`,
        () => new Uint8Array([1, 2]),
        () => new Float64Array([-0, NaN]),
        () => new Stranger(),
        () => () => 1,
      ])();
    }
    const children = () => Array.from({ length: this.int(0, 3) }, () => this.wildGeneric(depth + 1));
    return this.pick<() => unknown>([
      () => children(),
      () => [, ...children()],
      () => Object.assign(Object.create(null), ...children().map((v, i) => ({ [`k${i}`]: v }))),
      () => new Map(children().map((v, i) => [`k${i}`, v])),
      () => new Set(children()),
    ])();
  }
}

describe('normalize(value) is decode(encode(value))', () => {
  it('for random values of random types, misfits included', () => {
    const gen = new WildGen(prng(20261124));
    let refused = 0;
    let copied = 0;
    for (let round = 0; round < 400; round++) {
      const type = gen.type(0);
      for (let k = 0; k < 8; k++) {
        const value = gen.wild(type);
        const outcome = normalized(type, value);
        expect(outcome, `round ${round}: ${JSON.stringify(type)}`).toStrictEqual(viaCodec(type, value));
        if ('error' in outcome) refused++;
        else if (typeof outcome.value === 'object' && outcome.value !== null) {
          copied++;
          expect(sharesObject(value, outcome.value), `round ${round}: a copy shares no object`).toBe(false);
        }
      }
    }
    // The rounds reach both sides.
    expect(refused).toBeGreaterThan(100);
    expect(copied).toBeGreaterThan(1000);
  });

  it('for values in the form they decode to (the round-trip test generator)', () => {
    const gen = new Gen(prng(611));
    for (let round = 0; round < 300; round++) {
      const type = gen.type(0);
      const value = gen.value(type);
      expect(normalized(type, value), JSON.stringify(type)).toStrictEqual({ value });
    }
  });
});

const LONG: TypeDescriptor = { kind: 'LONG' };
const FLOAT: TypeDescriptor = { kind: 'FLOAT' };
const STRING: TypeDescriptor = { kind: 'STRING' };
const GENERIC: TypeDescriptor = { kind: 'GENERIC' };

describe('what a value becomes', () => {
  it('a FLOAT is rounded to 32 bits', () => {
    expect(valueNormalizer(FLOAT)(0.1)).toBe(Math.fround(0.1));
    expect(valueNormalizer(FLOAT)(1e300)).toBe(Infinity);
    expect(Object.is(valueNormalizer(FLOAT)(-0), -0)).toBe(true);
  });

  it('a LONG beyond 2^53 stays a bigint, a bigint that fits a number becomes one, -0 becomes 0', () => {
    const long = valueNormalizer(LONG);
    expect(long(2n ** 60n)).toBe(2n ** 60n);
    expect(long(5n)).toBe(5);
    expect(long(-(2n ** 53n) + 1n)).toBe(-(2 ** 53) + 1);
    expect(long(-(2n ** 53n))).toBe(-(2n ** 53n));
    expect(long(2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(long(-(2n ** 63n - 1n))).toBe(-(2n ** 63n - 1n));
    expect(Object.is(long(-0), 0)).toBe(true);
    expect(() => long(2n ** 63n)).toThrow(
      'row 0: value: expected LONG (a safe integer number, or a bigint in the int64 range), got bigint 9223372036854775808n (outside the int64 range)',
    );
    expect(() => long(2 ** 53)).toThrow('got number 9007199254740992 (not a safe integer: pass a bigint)');
  });

  it('undefined is null in a typed column, and stays undefined in the generic one', () => {
    expect(valueNormalizer(LONG)(undefined)).toBe(null);
    expect(valueNormalizer({ kind: 'ROW', fields: [LONG, GENERIC] })([undefined, undefined])).toStrictEqual([null, undefined]);
    expect(valueNormalizer(null)(undefined)).toBe(undefined);
  });

  it('a lone surrogate becomes U+FFFD; a well-formed string is the same string', () => {
    expect(valueNormalizer(STRING)('a\uD800b')).toBe('a\uFFFDb');
    const word = 'wörd';
    expect(valueNormalizer(STRING)(word)).toBe(word);
  });

  it('a MAP given as an object arrives as a Map of shaped values', () => {
    const map = valueNormalizer({ kind: 'MAP', key: STRING, value: LONG })({ a: 5n, b: undefined });
    expect(map).toStrictEqual(new Map<string, unknown>([['a', 5], ['b', null]]));
    expect(() => valueNormalizer({ kind: 'MAP', key: LONG, value: LONG })({ a: 1 })).toThrow(
      'row 0: value: expected MAP(LONG, LONG) (a Map), got an object',
    );
  });

  it('a nested ROW with nulls, missing fields and holes', () => {
    const type: TypeDescriptor = {
      kind: 'ROW',
      fields: [{ kind: 'INT' }, { kind: 'ROW_NAMED', names: ['v', 'constructor', '__proto__'], fields: [FLOAT, STRING, LONG] }, { kind: 'LIST', element: LONG }],
    };
    const out = valueNormalizer(type)([null, { v: 0.1 }, [, 7n, undefined]]);
    const named = { v: Math.fround(0.1), constructor: null } as Record<string, unknown>;
    Object.defineProperty(named, '__proto__', { value: null, writable: true, enumerable: true, configurable: true });
    expect(out).toStrictEqual([null, named, [null, 7, null]]);
    expect(viaCodec(type, [null, { v: 0.1 }, [, 7n, undefined]])).toStrictEqual({ value: out });
    expect(valueNormalizer(type)([1, null, null])).toStrictEqual([1, null, null]);
  });

  it('an empty list is a new empty list; every object is a copy, even when nothing in it changes', () => {
    const empty: unknown[] = [];
    const list = valueNormalizer({ kind: 'LIST', element: LONG })(empty);
    expect(list).toStrictEqual([]);
    expect(list).not.toBe(empty);
    const inner = ['a', 1];
    const tuple = [inner, 2];
    const out = valueNormalizer({ kind: 'TUPLE', fields: [{ kind: 'TUPLE', fields: [STRING, LONG] }, LONG] })(tuple) as unknown[];
    expect(out).toStrictEqual(tuple);
    expect(out).not.toBe(tuple);
    expect(out[0]).not.toBe(inner);
    const generic = { words: ['a'], at: new Date(5) };
    const copy = valueNormalizer(null)(generic) as typeof generic;
    expect(copy).toStrictEqual(generic);
    expect(copy.words).not.toBe(generic.words);
    expect(copy.at).not.toBe(generic.at);
  });

  it('bytes are copied into a Uint8Array of their own', () => {
    const buffer = Buffer.from('abc');
    const out = valueNormalizer({ kind: 'BYTES' })(buffer) as Uint8Array;
    expect(out.constructor).toBe(Uint8Array);
    expect([...out]).toEqual([97, 98, 99]);
    expect(out.buffer).not.toBe(buffer.buffer);
  });

  it('a nested value with two faults is refused for the one the encoder finds first (column by column)', () => {
    // Element 0's field is wrong, element 1 is no row at all: the encoder checks every element's
    // shape before any element's fields.
    const type: TypeDescriptor = { kind: 'LIST', element: { kind: 'ROW', fields: [{ kind: 'INT' }, STRING] } };
    const value = [['x', 'a'], 'bad'];
    expect(normalized(type, value)).toStrictEqual(viaCodec(type, value));
    expect(normalized(type, value)).toStrictEqual({
      error: 'ValueEncodeError: row 0: value[1]: expected ROW(INT, STRING) (an array of 2 fields), got string "bad"',
    });
  });

  it('a generic value the encoding cannot carry is refused as the encoder refuses it', () => {
    const value = { a: [1, new Stranger()] };
    expect(normalized(GENERIC, value)).toStrictEqual(viaCodec(GENERIC, value));
    expect(normalized(GENERIC, value)).toStrictEqual({
      error: expect.stringMatching(/^ValueEncodeError: row 0: value\.a\[1\]: expected a value the generic encoding supports .*, got an instance of Stranger/),
    });
  });
});

describe('BatchNormalizer shares the rule', () => {
  it('a nested column is copied value by value, and a batch with a misfit refused at the row the encoder names', () => {
    const type: TypeDescriptor = { kind: 'ROW', fields: [FLOAT, { kind: 'LIST', element: LONG }] };
    const layout = layoutOf(type);
    const values = [[0.1, [5n]], null, [1, []]];
    const batch = { length: 3, values, keys: null, timestamps: null };
    const out = new BatchNormalizer(layout).normalize(batch);
    expect(out.values).toStrictEqual([[Math.fround(0.1), [5]], null, [1, []]]);
    expect(out.values[2]).not.toBe(values[2]);
    // Row 0's field is wrong, row 1 is no row: the encoder checks the rows' shapes first.
    const bad = { length: 2, values: [['x', []], 'bad'], keys: null, timestamps: null };
    expect(() => new BatchNormalizer(layout).normalize(bad)).toThrow('row 1: value: expected ROW(FLOAT, LIST(LONG)) (an array of 2 fields), got string "bad"');
  });
});
