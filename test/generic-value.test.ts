import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../shared/errors/errors.ts';
import {
  decodeGeneric,
  encodeGeneric,
  encodeKey,
  GenericEncodeError,
  GenericReader,
  GenericWriter,
} from '../shared/codec/generic-value.ts';

const roundTrip = (v: unknown): unknown => decodeGeneric(encodeGeneric(v));
const bytesOf = (v: unknown): number[] => [...encodeGeneric(v)];

describe('generic value encoding: round trips', () => {
  it.each([
    ['zero', 0],
    ['small int', 127],
    ['int just past the one-byte form', 128],
    ['negative int', -1],
    ['int32 min', -2147483648],
    ['int32 max', 2147483647],
    ['max safe integer', Number.MAX_SAFE_INTEGER],
    ['min safe integer', Number.MIN_SAFE_INTEGER],
    ['2^53 (not safe)', 2 ** 53],
    ['fraction', 1.5],
    ['tiny', 5e-324],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['empty string', ''],
    ['ascii', 'hello'],
    ['63 bytes', 'x'.repeat(63)],
    ['64 bytes', 'x'.repeat(64)],
    ['long ascii', 'abc'.repeat(10_000)],
    ['ü', 'ü'],
    ['日本', '日本'],
    ['emoji', 'a😀b'],
    ['multi-byte past the short form', 'ü'.repeat(40)],
    ['true', true],
    ['false', false],
    ['null', null],
    ['undefined', undefined],
    ['0n', 0n],
    ['1n', 1n],
    ['-1n', -1n],
    ['int64 max', 2n ** 63n - 1n],
    ['int64 min', -(2n ** 63n)],
    ['2^64', 2n ** 64n],
    ['huge bigint', -(3n ** 500n)],
  ])('%s', (_, v) => {
    expect(roundTrip(v)).toStrictEqual(v);
  });

  it('keeps -0 and NaN', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Number.isNaN(roundTrip(NaN))).toBe(true);
  });

  it('keeps Dates to the millisecond, invalid Dates included', () => {
    expect(roundTrip(new Date(1_700_000_000_123))).toStrictEqual(new Date(1_700_000_000_123));
    expect(roundTrip(new Date(-62_135_596_800_000))).toStrictEqual(new Date(-62_135_596_800_000));
    const invalid = roundTrip(new Date(NaN));
    expect(invalid).toBeInstanceOf(Date);
    expect(Number.isNaN((invalid as Date).getTime())).toBe(true);
  });

  it('keeps byte arrays, typed arrays and ArrayBuffers', () => {
    expect(roundTrip(new Uint8Array([0, 1, 255]))).toStrictEqual(new Uint8Array([0, 1, 255]));
    expect(roundTrip(new Float64Array([1.5, -0, NaN]))).toStrictEqual(new Float64Array([1.5, -0, NaN]));
    expect(roundTrip(new BigInt64Array([-5n, 2n ** 62n]))).toStrictEqual(new BigInt64Array([-5n, 2n ** 62n]));
    expect(roundTrip(new Int16Array([-3, 7]))).toStrictEqual(new Int16Array([-3, 7]));
    expect(roundTrip(new Uint8ClampedArray([9]))).toStrictEqual(new Uint8ClampedArray([9]));
    expect(new Uint8Array(roundTrip(new Uint8Array([4, 5]).buffer) as ArrayBuffer)).toStrictEqual(new Uint8Array([4, 5]));
    // A view of part of a bigger buffer carries only its own bytes.
    const part = new Int32Array(new Int32Array([1, 2, 3, 4]).buffer, 4, 2);
    expect(roundTrip(part)).toStrictEqual(new Int32Array([2, 3]));
  });

  it('decodes a Node Buffer as a Uint8Array', () => {
    const decoded = roundTrip(Buffer.from('hi'));
    expect(decoded).toStrictEqual(new Uint8Array([104, 105]));
    expect((decoded as object).constructor).toBe(Uint8Array);
  });

  it('keeps arrays, objects (key order included), Maps and Sets, nested', () => {
    const value = {
      zeta: 1,
      alpha: [1, 'two', [3, [4n]], null, undefined],
      'not an identifier': { inner: new Map<unknown, unknown>([[1, 'one'], ['k', new Set([1, 'a', null])], [{ x: 1 }, []]]) },
      when: new Date(5),
      bytes: new Uint8Array([7]),
    };
    const decoded = roundTrip(value);
    expect(decoded).toStrictEqual(value);
    expect(Object.keys(decoded as object)).toStrictEqual(['zeta', 'alpha', 'not an identifier', 'when', 'bytes']);
  });

  it('decodes holes of sparse arrays as undefined', () => {
    const decoded = roundTrip([1, , 3]) as unknown[];
    expect(decoded).toStrictEqual([1, undefined, 3]);
    expect(1 in decoded).toBe(true);
  });

  it('keeps an own "__proto__" key as a property', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const decoded = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toStrictEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toStrictEqual({ polluted: true });
  });

  it('takes plain objects and arrays from another realm (vm context)', () => {
    const foreign = runInNewContext('({ a: [1, { b: 2 }], d: new Date(3), m: new Map([[1, 2]]) })') as unknown;
    expect(roundTrip(foreign)).toStrictEqual({ a: [1, { b: 2 }], d: new Date(3), m: new Map([[1, 2]]) });
  });

  it('decodes null-prototype objects as plain objects', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(roundTrip(bare)).toStrictEqual({ a: 1 });
  });

  it('replaces lone surrogates with U+FFFD', () => {
    expect(roundTrip('a\uD800b')).toBe('a\uFFFDb');
    expect(roundTrip('\uDC00'.repeat(30))).toBe('\uFFFD'.repeat(30));
  });
});

describe('generic value encoding: bytes', () => {
  it('writes the forms proto/generic-value.md specifies', () => {
    expect(bytesOf(undefined)).toStrictEqual([0x00]);
    expect(bytesOf(null)).toStrictEqual([0x01]);
    expect(bytesOf(false)).toStrictEqual([0x02]);
    expect(bytesOf(true)).toStrictEqual([0x03]);
    expect(bytesOf(5)).toStrictEqual([0x85]);
    expect(bytesOf(127)).toStrictEqual([0xff]);
    expect(bytesOf(128)).toStrictEqual([0x04, 0x80, 0x02]);
    expect(bytesOf(-1)).toStrictEqual([0x04, 0x01]);
    expect(bytesOf(-300)).toStrictEqual([0x04, 0xd7, 0x04]);
    expect(bytesOf(Number.MAX_SAFE_INTEGER)).toStrictEqual([0x04, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]);
    expect(bytesOf(Number.MIN_SAFE_INTEGER)).toStrictEqual([0x04, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]);
    expect(bytesOf(1.5)).toStrictEqual([0x05, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f]);
    expect(bytesOf(-0)).toStrictEqual([0x05, 0, 0, 0, 0, 0, 0, 0, 0x80]);
    expect(bytesOf(NaN)).toStrictEqual([0x05, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f]);
    expect(bytesOf('hi')).toStrictEqual([0x42, 0x68, 0x69]);
    expect(bytesOf('ü')).toStrictEqual([0x42, 0xc3, 0xbc]);
    expect(bytesOf('x'.repeat(64)).slice(0, 3)).toStrictEqual([0x06, 0x40, 0x78]);
    expect(bytesOf('ü'.repeat(32)).slice(0, 3)).toStrictEqual([0x06, 0x40, 0xc3]);
    expect(bytesOf(0n)).toStrictEqual([0x07, 0x00]);
    expect(bytesOf(300n)).toStrictEqual([0x07, 0x02, 0x2c, 0x01]);
    expect(bytesOf(-1n)).toStrictEqual([0x08, 0x01, 0x01]);
    expect(bytesOf(new Date(0))).toStrictEqual([0x09, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(bytesOf(new Uint8Array([9, 8]))).toStrictEqual([0x0a, 0x02, 9, 8]);
    expect(bytesOf(new Int16Array([1, -1]))).toStrictEqual([0x0f, 0x03, 0x04, 0x01, 0x00, 0xff, 0xff]);
    expect(bytesOf(new ArrayBuffer(1))).toStrictEqual([0x10, 0x01, 0x00]);
    expect(bytesOf([1, 'a'])).toStrictEqual([0x0b, 0x02, 0x81, 0x41, 0x61]);
    expect(bytesOf({ id: 7, tags: ['a'] })).toStrictEqual([0x0c, 0x02, 0x42, 0x69, 0x64, 0x87, 0x44, 0x74, 0x61, 0x67, 0x73, 0x0b, 0x01, 0x41, 0x61]);
    expect(bytesOf(new Map([[1, true]]))).toStrictEqual([0x0d, 0x01, 0x81, 0x03]);
    expect(bytesOf(new Set([null]))).toStrictEqual([0x0e, 0x01, 0x01]);
  });

  it('writes the example of proto/generic-value.md', () => {
    const hex = Buffer.from(encodeGeneric({ id: 7, tags: ['a'], at: new Date(0), big: -300n })).toString('hex');
    expect(hex).toBe('0c04' + '426964' + '87' + '4474616773' + '0b01' + '4161' + '426174' + '090000000000000000' + '43626967' + '08022c01');
  });

  it('writes keys canonically: -0 becomes 0, at any depth', () => {
    expect([...encodeKey(-0)]).toStrictEqual([0x80]);
    expect(encodeKey([-0, { a: -0 }])).toStrictEqual(encodeKey([0, { a: 0 }]));
    expect(decodeGeneric(encodeKey(-0))).toBe(0);
    expect(encodeKey('k')).toStrictEqual(encodeGeneric('k'));
    expect(encodeKey(NaN)).toStrictEqual(encodeKey(-NaN));
  });

  it('gives fresh, caller-owned bytes on every call', () => {
    const a = encodeGeneric('first');
    const b = encodeGeneric('second');
    expect(decodeGeneric(a)).toBe('first');
    expect(decodeGeneric(b)).toBe('second');
    expect(a.buffer).not.toBe(b.buffer);
  });
});

describe('GenericWriter', () => {
  it('appends many values into one buffer, read back by offsets', () => {
    const writer = new GenericWriter({ initialCapacity: 64 });
    const values: unknown[] = [1, 'two', [3], { four: 4 }, 'ü'.repeat(100), 2n ** 70n, null, undefined];
    const offsets: number[] = [];
    for (const v of values) {
      offsets.push(writer.length);
      writer.write(v);
    }
    offsets.push(writer.length);
    const reader = new GenericReader();
    reader.reset(writer.copy());
    expect(values.map((_, i) => reader.readAt(offsets[i]!, offsets[i + 1]!))).toStrictEqual(values);
  });

  it('leaves nothing of a refused value behind', () => {
    const writer = new GenericWriter();
    writer.write('ok');
    const before = writer.length;
    expect(() => writer.write({ a: [1, 2, () => 3] })).toThrow(GenericEncodeError);
    expect(writer.length).toBe(before);
    writer.write(5);
    const reader = new GenericReader();
    reader.reset(writer.bytes());
    expect(reader.readAt(before, writer.length)).toBe(5);
  });

  it('appends raw bytes and big-endian integers as they are, growing past its capacity', () => {
    const writer = new GenericWriter({ initialCapacity: 64 });
    writer.writeBytes(new Uint8Array([9, 8, 7]));
    writer.writeBigEndian(0x01020304, 4);
    writer.writeBigEndian(0xff00ff80 | 0, 4);
    writer.writeBigEndian(0x0a0b0c, 3);
    writer.writeBigEndian(0x0d, 1);
    writer.writeBigEndian(0x7fffffff, 0);
    writer.writeBytes(new Uint8Array(0));
    const long = Uint8Array.from({ length: 100 }, (_, i) => 255 - i);
    writer.writeBytes(long);
    expect([...writer.bytes()]).toStrictEqual([9, 8, 7, 1, 2, 3, 4, 0xff, 0, 0xff, 0x80, 0x0a, 0x0b, 0x0c, 0x0d, ...long]);
  });

  it('starts over on reset', () => {
    const writer = new GenericWriter();
    writer.write('something long enough');
    writer.reset();
    writer.write(1);
    expect([...writer.bytes()]).toStrictEqual([0x81]);
  });
});

describe('generic value encoding: refused values', () => {
  const refused = (v: unknown): string => {
    try {
      encodeGeneric(v);
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError);
      expect(e).toBeInstanceOf(GenericEncodeError);
      return (e as Error).message;
    }
    throw new Error('expected a TypeError');
  };

  it('names the path of a function', () => {
    expect(refused({ items: [0, 1, 2, { handler() {} }] })).toBe('value.items[3].handler is a function');
    expect(refused(() => 1)).toBe('value is a function');
  });

  it('names symbols, class instances and unsupported built-ins', () => {
    class Point {
      x = 1;
    }
    expect(refused([Symbol('s')])).toBe('value[0] is a symbol');
    expect(refused({ p: new Point() })).toBe('value.p is an instance of Point');
    expect(refused({ 'a b': new WeakMap() })).toBe('value["a b"] is an instance of WeakMap');
    expect(refused(new Map([['k', { f: Math.max }]]))).toBe('value.get("k").f is a function');
    expect(refused(new Map([[Symbol.iterator, 1]]))).toBe('value.keys()[0] is a symbol');
    expect(refused(new Set([1, Promise.resolve()]))).toBe('value.values()[1] is an instance of Promise');
    expect(refused(new DataView(new ArrayBuffer(1)))).toBe('value is a DataView');
  });

  it('refuses cyclic values instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(refused(cyclic)).toBe(`value${'.self'.repeat(30)}…${'.self'.repeat(30)} is nested more than 1000 levels deep (is it cyclic?)`);
    try {
      encodeGeneric(cyclic);
    } catch (e) {
      expect((e as GenericEncodeError).path).toBe('.self'.repeat(1000));
    }
  });
});

describe('generic value decoding: malformed input', () => {
  const malformed = (bytes: number[]): string => {
    try {
      decodeGeneric(new Uint8Array(bytes));
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
      return (e as Error).message;
    }
    throw new Error('expected a ProtocolError');
  };

  it('refuses every truncation of a valid encoding', () => {
    const full = [
      ...encodeGeneric({ a: [1, 300, -2.5, 'text', 'ü'.repeat(70), 2n ** 80n, new Date(9), new Uint8Array([1])], m: new Map([[1, new Set([2])]]) }),
    ];
    for (let cut = 0; cut < full.length; cut++) {
      expect(() => decodeGeneric(new Uint8Array(full.slice(0, cut)))).toThrow(ProtocolError);
    }
  });

  it('says what is wrong and where', () => {
    expect(malformed([])).toBe('malformed generic value at byte 0: truncated: a value was expected');
    expect(malformed([0x05, 1, 2])).toBe('malformed generic value at byte 1: truncated: a float64 needs 8 bytes, 2 left');
    expect(malformed([0x20])).toBe('malformed generic value at byte 0: unknown tag 0x20');
    expect(malformed([0x81, 0x81])).toBe('malformed generic value at byte 1: 1 bytes left over after the value');
    expect(malformed([0x0f, 0x00, 0x00])).toBe('malformed generic value at byte 1: unknown typed array kind 0');
    expect(malformed([0x0f, 0x05, 0x03, 1, 2, 3])).toBe('malformed generic value at byte 3: 3 bytes is not a whole number of Int32Array elements');
    expect(malformed([0x0c, 0x01, 0x81, 0x81])).toBe('malformed generic value at byte 2: an object key must be a string, found tag 0x81');
    expect(malformed([0x04, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).toBe('malformed generic value at byte 9: varint longer than 8 bytes');
    expect(malformed([0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40])).toBe('malformed generic value at byte 9: integer outside the safe range');
  });

  it('refuses counts larger than the bytes left, before allocating', () => {
    expect(malformed([0x0b, 0xff, 0xff, 0xff, 0xff, 0x0f])).toBe(
      'malformed generic value at byte 6: truncated: a container claims 4294967295 items of at least 1 byte(s), 0 bytes left',
    );
    expect(malformed([0x06, 0x05, 0x61])).toBe('malformed generic value at byte 2: truncated: a string claims 5 items of at least 1 byte(s), 1 bytes left');
  });

  it('refuses nesting deeper than the encoder writes', () => {
    const deep = [...new Array<number>(1001).fill(0x0b).flatMap((tag) => [tag, 0x01]), 0x81];
    expect(malformed(deep)).toBe('malformed generic value at byte 2001: containers nested more than 1000 deep');
    const ok = [...new Array<number>(1000).fill(0x0b).flatMap((tag) => [tag, 0x01]), 0x81];
    let expected: unknown = 1;
    for (let i = 0; i < 1000; i++) expected = [expected];
    expect(decodeGeneric(new Uint8Array(ok))).toStrictEqual(expected);
  });

  it('decodes the non-canonical forms a foreign writer may use', () => {
    expect(decodeGeneric(new Uint8Array([0x04, 0x0a]))).toBe(5);
    expect(decodeGeneric(new Uint8Array([0x06, 0x02, 0x68, 0x69]))).toBe('hi');
    expect(decodeGeneric(new Uint8Array([0x08, 0x00]))).toBe(0n);
    expect(decodeGeneric(new Uint8Array([0x0c, 0x01, 0x06, 0x01, 0x6b, 0x81]))).toStrictEqual({ k: 1 });
  });
});
