import { describe, expect, it } from 'vitest';
import type { TypeDescriptor } from '../shared/api/types.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import { TIMERS_LAYOUT, type BatchLayout, type RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { KeyColumn, keysArray } from '../shared/codec/key-column.ts';

const plain = (value: TypeDescriptor | null): BatchLayout => ({ value, keyed: false, timestamped: false });

function batchOf(values: unknown[], keys: Uint8Array[] | null = null, timestamps: (number | null)[] | null = null): RowBatch {
  return { length: values.length, values, keys, timestamps };
}

/** Encodes and decodes `batch`; the decoded keys (a KeyColumn) come back as an array, to compare. */
function roundTrip(layout: BatchLayout, batch: RowBatch): RowBatch {
  const decoded = new BatchDecoder(layout).decode(new BatchEncoder(layout).encode(batch));
  return { ...decoded, keys: decoded.keys === null ? null : keysArray(decoded.keys) };
}

/** Values of a typed column decode as themselves (null and undefined as null). */
function expectRoundTrip(value: TypeDescriptor, values: unknown[], expected: unknown[] = values): void {
  const decoded = roundTrip(plain(value), batchOf(values));
  expect(decoded).toStrictEqual({ length: values.length, values: expected, keys: null, timestamps: null });
}

const S = (kind: string): TypeDescriptor => ({ kind }) as TypeDescriptor;

describe('batch codec: primitive columns', () => {
  it('BOOLEAN', () => expectRoundTrip(S('BOOLEAN'), [true, false, null, true, undefined, false, true, true, false], [true, false, null, true, null, false, true, true, false]));
  it('BYTE', () => expectRoundTrip(S('BYTE'), [0, -128, 127, null, -1]));
  it('SHORT', () => expectRoundTrip(S('SHORT'), [0, -32768, 32767, null, 300]));
  it('INT', () => expectRoundTrip(S('INT'), [0, -2147483648, 2147483647, null, 42]));
  it('FLOAT', () => expectRoundTrip(S('FLOAT'), [1.5, -0.25, null, Infinity, 0.1], [1.5, -0.25, null, Infinity, Math.fround(0.1)]));
  it('DOUBLE keeps -0, NaN and infinities', () => {
    const decoded = roundTrip(plain(S('DOUBLE')), batchOf([0.1, -0, NaN, -Infinity, null, 5e-324]));
    expect(decoded.values).toStrictEqual([0.1, -0, NaN, -Infinity, null, 5e-324]);
    expect(Object.is(decoded.values[1], -0)).toBe(true);
  });
  it('STRING, multi-byte included', () => {
    expectRoundTrip(S('STRING'), ['', 'plain', 'ü', '日本', 'emoji 😀', null, 'x'.repeat(100_000), 'ünïcödé'.repeat(5000), undefined], [
      '',
      'plain',
      'ü',
      '日本',
      'emoji 😀',
      null,
      'x'.repeat(100_000),
      'ünïcödé'.repeat(5000),
      null,
    ]);
  });
  it('STRING across many chunks, ASCII and not mixed', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i % 997 === 0 ? `zeile ${i} über` : i % 13 === 0 ? null : `row ${i} `.padEnd(60, '.')));
    expectRoundTrip(S('STRING'), values);
  });
  it('STRING with lone surrogates writes U+FFFD', () => expectRoundTrip(S('STRING'), ['a\uD83Db', '\uDE00'], ['a\uFFFDb', '\uFFFD']));
  it('BYTES', () => expectRoundTrip(S('BYTES'), [new Uint8Array([1, 2, 3]), new Uint8Array(0), null, Buffer.from([255])], [new Uint8Array([1, 2, 3]), new Uint8Array(0), null, new Uint8Array([255])]));
  it('SQL_DATE is a Date at UTC midnight (the time of day is dropped)', () => {
    expectRoundTrip(S('SQL_DATE'), [new Date(Date.UTC(2024, 1, 29)), new Date(Date.UTC(1969, 11, 31, 23, 59)), null, new Date(Date.UTC(2024, 1, 29, 13, 5))], [
      new Date(Date.UTC(2024, 1, 29)),
      new Date(Date.UTC(1969, 11, 31)),
      null,
      new Date(Date.UTC(2024, 1, 29)),
    ]);
  });
  it('SQL_TIME', () => expectRoundTrip(S('SQL_TIME'), [0, 86_399_999, null, 12 * 3_600_000]));
  it('SQL_TIMESTAMP to the millisecond', () => {
    expectRoundTrip(S('SQL_TIMESTAMP'), [new Date(1_700_000_000_123), new Date(-1), null, new Date(8.64e15), new Date(-8.64e15)]);
  });
});

describe('batch codec: LONG', () => {
  const MAX = 2n ** 63n - 1n;
  const MIN = -(2n ** 63n);

  it('keeps numbers numbers up to the safe-integer bound, and bigints beyond it', () => {
    expectRoundTrip(
      S('LONG'),
      [0, -1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, MAX, MIN, 2n ** 53n, -(2n ** 53n), null, 2n ** 53n - 1n],
      [0, -1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, MAX, MIN, 2n ** 53n, -(2n ** 53n), null, Number.MAX_SAFE_INTEGER],
    );
  });

  it('decodes a safe bigint as a number', () => {
    expectRoundTrip(S('LONG'), [5n, -7n], [5, -7]);
  });
});

describe('batch codec: nested columns', () => {
  it('ROW and TUPLE are arrays', () => {
    const row: TypeDescriptor = { kind: 'ROW', fields: [S('INT'), S('STRING'), S('LONG')] };
    expectRoundTrip(row, [[1, 'a', 2n ** 60n], null, [null, null, null], [-5, 'ü', 3]]);
    const tuple: TypeDescriptor = { kind: 'TUPLE', fields: [S('DOUBLE'), S('BOOLEAN')] };
    expectRoundTrip(tuple, [[1.5, true], [2, null], undefined], [[1.5, true], [2, null], null]);
  });

  it('ROW_NAMED is a plain object; missing fields are null', () => {
    const named: TypeDescriptor = { kind: 'ROW_NAMED', names: ['id', 'name', 'weird key'], fields: [S('LONG'), S('STRING'), S('DOUBLE')] };
    expectRoundTrip(named, [{ id: 1, name: 'x', 'weird key': 0.5 }, { id: 2 }, null], [{ id: 1, name: 'x', 'weird key': 0.5 }, { id: 2, name: null, 'weird key': null }, null]);
  });

  it('a missing field is null, not what Object.prototype holds under its name', () => {
    const named: TypeDescriptor = {
      kind: 'ROW_NAMED',
      names: ['id', 'constructor', 'toString', '__proto__', 'valueOf'],
      fields: [S('INT'), S('STRING'), S('GENERIC'), S('GENERIC'), S('LONG')],
    };
    const missing = { id: 1, constructor: null, toString: null, ['__proto__']: null, valueOf: null };
    const decoded = roundTrip(plain(named), batchOf([{ id: 1 }])).values[0] as Record<string, unknown>;
    expect(Object.entries(decoded)).toStrictEqual(Object.entries(missing));
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    const own = JSON.parse('{"id": 2, "constructor": "c", "toString": [1], "__proto__": {"p": 1}, "valueOf": 3}') as object;
    expect(Object.entries(roundTrip(plain(named), batchOf([own])).values[0] as object)).toStrictEqual(Object.entries(own));
  });

  it('a missing field and a hole are null in a GENERIC field or element too; undefined written stays undefined', () => {
    const named: TypeDescriptor = { kind: 'ROW_NAMED', names: ['id', 'extra'], fields: [S('INT'), S('GENERIC')] };
    expectRoundTrip(named, [{ id: 1 }, { id: 2, extra: undefined }], [{ id: 1, extra: null }, { id: 2, extra: undefined }]);
    expectRoundTrip({ kind: 'LIST', element: S('GENERIC') }, [[, 'x', undefined]], [[null, 'x', undefined]]);
    expectRoundTrip({ kind: 'TUPLE', fields: [S('GENERIC'), S('GENERIC')] }, [[, undefined]], [[null, undefined]]);
  });

  it('LIST and PRIMITIVE_ARRAY are arrays; PRIMITIVE_ARRAY takes typed arrays', () => {
    expectRoundTrip({ kind: 'LIST', element: S('STRING') }, [['a', null, 'ü'], [], null, ['x']]);
    expectRoundTrip({ kind: 'PRIMITIVE_ARRAY', element: S('INT') }, [new Int32Array([1, -2]), [3], null], [[1, -2], [3], null]);
    expectRoundTrip({ kind: 'LIST', element: S('INT') }, [[1, , 3]], [[1, null, 3]]);
  });

  it('PRIMITIVE_ARRAY(BYTE) is a Uint8Array and takes arrays of bytes', () => {
    expectRoundTrip({ kind: 'PRIMITIVE_ARRAY', element: S('BYTE') }, [new Uint8Array([1, 200]), [-1, 255, 0], null], [
      new Uint8Array([1, 200]),
      new Uint8Array([255, 255, 0]),
      null,
    ]);
  });

  it('MAP is a Map; a plain object is taken for string keys', () => {
    const map: TypeDescriptor = { kind: 'MAP', key: S('STRING'), value: S('LONG') };
    expectRoundTrip(map, [new Map<string, unknown>([['a', 1], ['b', null]]), { c: 2n ** 62n }, new Map(), null], [
      new Map<string, unknown>([['a', 1], ['b', null]]),
      new Map([['c', 2n ** 62n]]),
      new Map(),
      null,
    ]);
    expectRoundTrip({ kind: 'MAP', key: S('INT'), value: { kind: 'LIST', element: S('DOUBLE') } }, [new Map([[1, [1.5]], [2, null]])]);
  });

  it('GENERIC inside ROW, LIST and MAP keeps any value, undefined included', () => {
    const type: TypeDescriptor = {
      kind: 'ROW_NAMED',
      names: ['any', 'many', 'lookup'],
      fields: [S('GENERIC'), { kind: 'LIST', element: S('GENERIC') }, { kind: 'MAP', key: S('STRING'), value: S('GENERIC') }],
    };
    const values = [
      { any: { deep: [1n, new Date(3), new Set(['x'])] }, many: [1, 'two', undefined, null], lookup: new Map([['k', new Map([[1, 2]])]]) },
      { any: undefined, many: [], lookup: new Map([['u', undefined]]) },
    ];
    expectRoundTrip(type, values);
  });

  it('deeply nested: LIST of ROW of MAP of LIST', () => {
    const type: TypeDescriptor = {
      kind: 'LIST',
      element: { kind: 'ROW', fields: [S('STRING'), { kind: 'MAP', key: S('LONG'), value: { kind: 'LIST', element: S('SQL_TIMESTAMP') } }] },
    };
    expectRoundTrip(type, [[['a', new Map([[1, [new Date(1), null]]])], null, ['b', null]], null, []]);
  });
});

describe('batch codec: the generic column', () => {
  it('keeps every value exactly, null and undefined apart', () => {
    const values = [1, -0, 'ü', null, undefined, 2n ** 64n, { a: [1, { b: new Map([[1, 2]]) }] }, new Uint8Array([1]), [undefined]];
    const decoded = roundTrip(plain(null), batchOf(values));
    expect(decoded.values).toStrictEqual(values);
    expect(Object.is(decoded.values[1], -0)).toBe(true);
    expect(roundTrip(plain(S('GENERIC')), batchOf(values)).values).toStrictEqual(values);
  });
});

describe('batch codec: keys, timestamps and empty batches', () => {
  it('carries keys (views) and nullable timestamps beside the values', () => {
    const layout: BatchLayout = { value: S('STRING'), keyed: true, timestamped: true };
    const keys = ['a', 'b', 'a'].map(encodeKey);
    const decoded = roundTrip(layout, batchOf(['x', null, 'z'], keys, [1_700_000_000_000, null, -5.5]));
    expect(decoded).toStrictEqual({ length: 3, values: ['x', null, 'z'], keys, timestamps: [1_700_000_000_000, null, -5.5] });
  });

  it('carries timer batches', () => {
    const batch = batchOf([0, 1], [encodeKey('k1'), encodeKey(2)], [100, 200]);
    expect(roundTrip(TIMERS_LAYOUT, batch)).toStrictEqual(batch);
  });

  it.each<[string, BatchLayout]>([
    ['generic', plain(null)],
    ['LONG', plain(S('LONG'))],
    ['STRING, keyed, timestamped', { value: S('STRING'), keyed: true, timestamped: true }],
    ['ROW of LIST and MAP', plain({ kind: 'ROW', fields: [{ kind: 'LIST', element: S('INT') }, { kind: 'MAP', key: S('STRING'), value: S('GENERIC') }] })],
    ['BOOLEAN', plain(S('BOOLEAN'))],
  ])('encodes and decodes an empty batch: %s', (_, layout) => {
    const empty: RowBatch = { length: 0, values: [], keys: layout.keyed ? [] : null, timestamps: layout.timestamped ? [] : null };
    expect(roundTrip(layout, empty)).toStrictEqual(empty);
  });

  it('nulls in every primitive type', () => {
    for (const kind of ['BOOLEAN', 'BYTE', 'SHORT', 'INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BYTES', 'SQL_DATE', 'SQL_TIME', 'SQL_TIMESTAMP']) {
      expect(roundTrip(plain(S(kind)), batchOf(new Array(9).fill(null))).values).toStrictEqual(new Array(9).fill(null));
    }
  });
});

describe('batch codec: columns of bytes (encodeColumns)', () => {
  const column = (rows: Uint8Array[]): KeyColumn => {
    const offsets = new Int32Array(rows.length + 1);
    rows.forEach((r, i) => (offsets[i + 1] = offsets[i]! + r.length));
    const data = new Uint8Array(offsets[rows.length]! + 5);
    rows.forEach((r, i) => data.set(r, 5 + offsets[i]!));
    return new KeyColumn(rows.length, data.buffer, 5, offsets);
  };

  it('writes the same batch as encode() does from the rows', () => {
    const layout: BatchLayout = { value: S('BYTES'), keyed: true, timestamped: true };
    const keys = ['a', 7, 'ünïcode', -1.5].map(encodeKey);
    const values = [new Uint8Array([1]), new Uint8Array(0), Uint8Array.from({ length: 40 }, (_, i) => i), new Uint8Array([0xff, 0])];
    const timestamps = [0, 1_700_000_000_000, -3, 12.5];
    const encoder = new BatchEncoder(layout);
    const fromColumns = encoder.encodeColumns(column(keys), timestamps, column(values));
    expect(fromColumns).toStrictEqual(new BatchEncoder(layout).encode({ length: 4, keys, values, timestamps }));
    const decoded = new BatchDecoder(layout).decode(fromColumns);
    expect({ ...decoded, keys: keysArray(decoded.keys!) }).toStrictEqual({ length: 4, keys, values, timestamps });
  });

  it('writes an empty batch', () => {
    const layout: BatchLayout = { value: S('BYTES'), keyed: true, timestamped: true };
    const empty = new BatchEncoder(layout).encodeColumns(column([]), [], column([]));
    const decoded = new BatchDecoder(layout).decode(empty);
    expect({ ...decoded, keys: keysArray(decoded.keys!) }).toStrictEqual({ length: 0, keys: [], values: [], timestamps: [] });
  });

  it('refuses a layout whose values are not bytes, and columns of different lengths', () => {
    const rows = column([encodeKey(1)]);
    expect(() => new BatchEncoder({ value: S('STRING'), keyed: true, timestamped: false }).encodeColumns(rows, null, rows)).toThrow(
      'encodeColumns needs a keyed layout whose value column is BYTES',
    );
    const bytesLayout: BatchLayout = { value: S('BYTES'), keyed: true, timestamped: false };
    expect(() => new BatchEncoder(bytesLayout).encodeColumns(rows, null, column([]))).toThrow('batch of length 1 has 0 values');
  });
});

describe('batch codec: ownership', () => {
  it('returns fresh bytes on every call, so earlier results stay intact', () => {
    const layout = plain(S('STRING'));
    const encoder = new BatchEncoder(layout);
    const first = encoder.encode(batchOf(['first', 'batch']));
    const second = encoder.encode(batchOf(['second', 'batch', 'longer']));
    expect(first.buffer).not.toBe(second.buffer);
    const decoder = new BatchDecoder(layout);
    expect(decoder.decode(first).values).toStrictEqual(['first', 'batch']);
    expect(decoder.decode(second).values).toStrictEqual(['second', 'batch', 'longer']);
  });

  it('decodes input at any byte offset, Node Buffers included', () => {
    const layout: BatchLayout = { value: S('BYTES'), keyed: true, timestamped: false };
    const bytes = new BatchEncoder(layout).encode(batchOf([new Uint8Array([1, 2])], [encodeKey('k')]));
    const shifted = Buffer.alloc(bytes.byteLength + 3);
    shifted.set(bytes, 3);
    const decoded = new BatchDecoder(layout).decode(shifted.subarray(3));
    expect(decoded.values).toStrictEqual([new Uint8Array([1, 2])]);
    expect(decoded.keys).toBeInstanceOf(KeyColumn);
    expect(decoded.keys!.length).toBe(1);
    expect(decoded.keys!.at(0)).toStrictEqual(encodeKey('k'));
    expect(decoded.keys!.at(0)!.constructor).toBe(Uint8Array);
    expect(decoded.keys!.at(1)).toBeUndefined();
  });

  it('decodes byte values as views into the input', () => {
    const layout = plain(S('BYTES'));
    const bytes = new BatchEncoder(layout).encode(batchOf([new Uint8Array([1, 2])]));
    const value = new BatchDecoder(layout).decode(bytes).values[0] as Uint8Array;
    expect(value.buffer).toBe(bytes.buffer);
  });
});
