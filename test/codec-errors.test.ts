import { describe, expect, it } from 'vitest';
import type { TypeDescriptor } from '../shared/api/types.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { BatchLayout, RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { ValueEncodeError } from '../shared/codec/value-encode-error.ts';
import { ProtocolError } from '../shared/errors/errors.ts';

const plain = (value: TypeDescriptor | null): BatchLayout => ({ value, keyed: false, timestamped: false });
const S = (kind: string): TypeDescriptor => ({ kind }) as TypeDescriptor;

function refusal(layout: BatchLayout, batch: Partial<RowBatch> & { values: unknown[] }): ValueEncodeError {
  const full: RowBatch = { length: batch.values.length, keys: null, timestamps: null, ...batch };
  try {
    new BatchEncoder(layout).encode(full);
  } catch (e) {
    expect(e).toBeInstanceOf(ValueEncodeError);
    return e as ValueEncodeError;
  }
  throw new Error('expected a ValueEncodeError');
}

const message = (type: TypeDescriptor, values: unknown[]): string => refusal(plain(type), { values }).message;

describe('ValueEncodeError: which row, which path, what was expected and found', () => {
  it('carries the row index and the path as fields', () => {
    const e = refusal(plain({ kind: 'ROW_NAMED', names: ['items'], fields: [{ kind: 'LIST', element: S('DOUBLE') }] }), {
      values: [{ items: [1] }, null, { items: [1, 2, 'x'] }],
    });
    expect(e.rowIndex).toBe(2);
    expect(e.path).toBe('value.items[2]');
    expect(e.expected).toBe('DOUBLE (a number)');
    expect(e.found).toBe('string "x"');
    expect(e.message).toBe('row 2: value.items[2]: expected DOUBLE (a number), got string "x"');
    expect(e.name).toBe('ValueEncodeError');
  });

  it('primitive columns', () => {
    expect(message(S('INT'), [1, 2 ** 31])).toBe('row 1: value: expected INT (an integer number in [-2147483648, 2147483647]), got number 2147483648');
    expect(message(S('BYTE'), [128])).toBe('row 0: value: expected BYTE (an integer number in [-128, 127]), got number 128');
    expect(message(S('SHORT'), [1.5])).toBe('row 0: value: expected SHORT (an integer number in [-32768, 32767]), got number 1.5');
    expect(message(S('BOOLEAN'), [1])).toBe('row 0: value: expected BOOLEAN (a boolean), got number 1');
    expect(message(S('DOUBLE'), [1n])).toBe('row 0: value: expected DOUBLE (a number), got bigint 1n');
    expect(message(S('STRING'), ['a', 5])).toBe('row 1: value: expected STRING (a string), got number 5');
    expect(message(S('BYTES'), [[1, 2]])).toBe('row 0: value: expected BYTES (a Uint8Array), got an array of length 2');
    expect(message(S('SQL_DATE'), [new Date(NaN)])).toBe('row 0: value: expected SQL_DATE (a valid Date), got an invalid Date');
    expect(message(S('SQL_TIMESTAMP'), [0])).toBe('row 0: value: expected SQL_TIMESTAMP (a valid Date), got number 0');
    expect(message(S('SQL_TIME'), [86_400_000])).toBe(
      'row 0: value: expected SQL_TIME (an integer number of milliseconds in [0, 86400000)), got number 86400000',
    );
  });

  it('LONG refuses what would lose precision', () => {
    const expected = 'LONG (a safe integer number, or a bigint in the int64 range)';
    expect(message(S('LONG'), [2 ** 53])).toBe(`row 0: value: expected ${expected}, got number 9007199254740992 (not a safe integer: pass a bigint)`);
    expect(message(S('LONG'), [0, 0.5])).toBe(`row 1: value: expected ${expected}, got number 0.5 (not an integer)`);
    expect(message(S('LONG'), [2n ** 63n])).toBe(`row 0: value: expected ${expected}, got bigint 9223372036854775808n (outside the int64 range)`);
    expect(message(S('LONG'), [-(2n ** 63n) - 1n])).toBe(`row 0: value: expected ${expected}, got bigint -9223372036854775809n (outside the int64 range)`);
    expect(message(S('LONG'), ['1'])).toBe(`row 0: value: expected ${expected}, got string "1"`);
  });

  it('ROW, TUPLE and ROW_NAMED', () => {
    const row: TypeDescriptor = { kind: 'ROW', fields: [S('INT'), S('STRING')] };
    expect(message(row, [[1, 'a'], [1]])).toBe('row 1: value: expected ROW(INT, STRING) (an array of 2 fields), got an array of length 1');
    expect(message(row, [[1, 2]])).toBe('row 0: value[1]: expected STRING (a string), got number 2');
    const named: TypeDescriptor = { kind: 'ROW_NAMED', names: ['id', 'the name'], fields: [S('INT'), S('STRING')] };
    expect(message(named, [{ id: 1, 'the name': 3 }])).toBe('row 0: value["the name"]: expected STRING (a string), got number 3');
    expect(message(named, [{ id: 1, extra: true }])).toBe(
      'row 0: value: expected ROW_NAMED(id: INT, the name: STRING) (a plain object), got an object (it has a property "extra" that is not a field)',
    );
    expect(message(named, [[1, 'a']])).toBe('row 0: value: expected ROW_NAMED(id: INT, the name: STRING) (a plain object), got an array of length 2');
  });

  it('LIST, MAP and PRIMITIVE_ARRAY', () => {
    const list: TypeDescriptor = { kind: 'LIST', element: { kind: 'LIST', element: S('INT') } };
    expect(message(list, [[[1]], [[], [2, 'x']]])).toBe('row 1: value[1][1]: expected INT (an integer number in [-2147483648, 2147483647]), got string "x"');
    expect(message(list, ['nope'])).toBe('row 0: value: expected LIST(LIST(INT)) (an array), got string "nope"');
    const map: TypeDescriptor = { kind: 'MAP', key: S('INT'), value: S('STRING') };
    expect(message(map, [new Map([[1, 'a']]), new Map<unknown, unknown>([[2, 'b'], [3, 4]])])).toBe('row 1: value.get(3): expected STRING (a string), got number 4');
    expect(message(map, [new Map([['k', 'v']])])).toBe(
      'row 0: value.keys()[0]: expected INT (an integer number in [-2147483648, 2147483647]), got string "k"',
    );
    expect(message(map, [{ a: 'b' }])).toBe('row 0: value: expected MAP(INT, STRING) (a Map), got an object');
    expect(message(map, [new Map([[null, 'v']])])).toBe('row 0: value: expected MAP(INT, STRING) (a Map), got a Map of size 1 (key 0 is null: map keys may not be null)');
    expect(message({ kind: 'PRIMITIVE_ARRAY', element: S('BYTE') }, [[1, 256]])).toBe(
      'row 0: value: expected PRIMITIVE_ARRAY(BYTE) (a Uint8Array or an array of bytes), got an array of length 2 (element 1 is 256)',
    );
  });

  it('generic values, top-level and nested', () => {
    const expected = 'a value the generic encoding supports (see proto/generic-value.md)';
    expect(message(S('GENERIC'), [1, { items: [0, 1, 2, { handler() {} }] }])).toBe(`row 1: value.items[3].handler: expected ${expected}, got a function`);
    const nested: TypeDescriptor = { kind: 'ROW_NAMED', names: ['payload'], fields: [{ kind: 'LIST', element: S('GENERIC') }] };
    expect(message(nested, [{ payload: [1, new Map([['k', Symbol('s')]])] }])).toBe(`row 0: value.payload[1].get("k"): expected ${expected}, got a symbol`);
    class Custom {}
    expect(message(S('GENERIC'), [new Custom()])).toBe(`row 0: value: expected ${expected}, got an instance of Custom`);
  });

  it('keys and timestamps', () => {
    const layout: BatchLayout = { value: S('INT'), keyed: true, timestamped: true };
    const keyError = refusal(layout, { values: [1, 2], keys: [encodeKey(1), 'k' as unknown as Uint8Array], timestamps: [0, 0] });
    expect(keyError.message).toBe('row 1: key: expected a key (a Uint8Array from encodeKey), got string "k"');
    const nullKey = refusal(layout, { values: [1], keys: [null as unknown as Uint8Array], timestamps: [0] });
    expect(nullKey.message).toBe('row 0: key: expected a key (a Uint8Array from encodeKey), got null');
    const tsError = refusal(layout, { values: [1], keys: [encodeKey(1)], timestamps: [new Date(1) as unknown as number] });
    expect(tsError.message).toBe('row 0: timestamp: expected a timestamp (a number of milliseconds since the epoch, or null), got Date 1970-01-01T00:00:00.001Z');
  });

  it('a batch whose arrays do not match its layout is a TypeError', () => {
    const encoder = new BatchEncoder({ value: S('INT'), keyed: true, timestamped: false });
    expect(() => encoder.encode({ length: 2, values: [1], keys: [], timestamps: null })).toThrow(new TypeError('batch of length 2 has 1 values'));
    expect(() => encoder.encode({ length: 1, values: [1], keys: null, timestamps: null })).toThrow(
      new TypeError('batch keys must be an array of 1 keys for this layout'),
    );
    expect(() => encoder.encode({ length: 1, values: [1], keys: [encodeKey(1)], timestamps: [1] })).toThrow(
      new TypeError('batch timestamps must be null for this layout'),
    );
  });

  it('the encoder stays usable after a refusal', () => {
    const encoder = new BatchEncoder(plain(S('STRING')));
    expect(() => encoder.encode({ length: 2, values: ['a', 1], keys: null, timestamps: null })).toThrow(ValueEncodeError);
    const bytes = encoder.encode({ length: 1, values: ['ok'], keys: null, timestamps: null });
    expect(new BatchDecoder(plain(S('STRING'))).decode(bytes).values).toStrictEqual(['ok']);
  });
});

describe('BatchDecoder: malformed input', () => {
  const layout: BatchLayout = {
    value: { kind: 'ROW', fields: [S('STRING'), { kind: 'LIST', element: S('LONG') }, S('GENERIC')] },
    keyed: true,
    timestamped: true,
  };
  const bytes = new BatchEncoder(layout).encode({
    length: 3,
    values: [['a', [1, 2n ** 60n], { x: 1 }], null, ['ü', [], [1, 2, 3]]],
    keys: [encodeKey(1), encodeKey(2), encodeKey(3)],
    timestamps: [1, null, 3],
  });

  it('refuses every truncation with a ProtocolError (except dropping the optional end-of-stream marker)', () => {
    const decoder = new BatchDecoder(layout);
    for (let cut = 0; cut < bytes.byteLength; cut++) {
      if (cut === bytes.byteLength - 8) {
        expect(decoder.decode(bytes.slice(0, cut)).length).toBe(3);
        continue;
      }
      expect(() => decoder.decode(bytes.slice(0, cut)), `cut at ${cut}`).toThrow(ProtocolError);
    }
  });

  it('names what is missing', () => {
    const decoder = new BatchDecoder(layout);
    expect(() => decoder.decode(new Uint8Array(0))).toThrow(new ProtocolError('malformed Arrow batch: the stream ends before its schema'));
    expect(() => decoder.decode(bytes.slice(0, 20))).toThrow(/^malformed Arrow batch: truncated in the schema message \(\d+ bytes announced\)$/);
    expect(() => decoder.decode(bytes.slice(0, bytes.byteLength - 20))).toThrow(
      /^malformed Arrow batch: truncated in the record batch body \(\d+ bytes announced, \d+ left\)$/,
    );
  });

  it('refuses garbage', () => {
    const decoder = new BatchDecoder(layout);
    const garbage = new Uint8Array(64).map((_, i) => (i * 37 + 11) & 0xff);
    expect(() => decoder.decode(garbage)).toThrow(ProtocolError);
    expect(() => decoder.decode(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x08, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(ProtocolError);
  });

  it('refuses a batch whose schema does not match the layout', () => {
    const asInt = new BatchEncoder(plain(S('INT'))).encode({ length: 1, values: [1], keys: null, timestamps: null });
    expect(() => new BatchDecoder(plain(S('LONG'))).decode(asInt)).toThrow(new ProtocolError('Arrow batch does not match its layout: column value: expected Int64, got Int32'));
    expect(() => new BatchDecoder(layout).decode(asInt)).toThrow(new ProtocolError('Arrow batch does not match its layout: expected columns [key, ts, value], got [value]'));
    const named = new BatchEncoder(plain({ kind: 'ROW_NAMED', names: ['a'], fields: [S('INT')] })).encode({ length: 1, values: [{ a: 1 }], keys: null, timestamps: null });
    expect(() => new BatchDecoder(plain({ kind: 'ROW_NAMED', names: ['b'], fields: [S('INT')] })).decode(named)).toThrow(
      new ProtocolError('Arrow batch does not match its layout: column value: expected field b at position 0, got a'),
    );
  });

  it('refuses offsets that point outside the data', () => {
    const stringLayout = plain(S('STRING'));
    const good = new BatchEncoder(stringLayout).encode({ length: 2, values: ['ab', 'cd'], keys: null, timestamps: null });
    // The offsets buffer [0, 2, 4] is the only place the int32 4 follows a 2.
    const bad = good.slice();
    const view = new DataView(bad.buffer);
    let patched = false;
    for (let p = 0; p + 12 <= bad.byteLength; p += 4) {
      if (view.getInt32(p, true) === 0 && view.getInt32(p + 4, true) === 2 && view.getInt32(p + 8, true) === 4) {
        view.setInt32(p + 8, 400, true);
        patched = true;
        break;
      }
    }
    expect(patched).toBe(true);
    expect(() => new BatchDecoder(stringLayout).decode(bad)).toThrow(
      new ProtocolError('malformed Arrow batch: offset 2 of value is 400 (offsets must rise within [0, 4])'),
    );
  });

  it('refuses a malformed value in the generic column, naming the slot', () => {
    const genericLayout = plain(null);
    const good = new BatchEncoder(genericLayout).encode({ length: 2, values: [1, 'abc'], keys: null, timestamps: null });
    const bad = good.slice();
    // 'abc' is written as 0x43 'a' 'b' 'c'; make its tag claim a longer string.
    const at = bad.findIndex((b, i) => b === 0x43 && bad[i + 1] === 0x61 && bad[i + 2] === 0x62);
    bad[at] = 0x47;
    expect(() => new BatchDecoder(genericLayout).decode(bad)).toThrow(
      new ProtocolError('Arrow batch: value at slot 1: malformed generic value at byte 2: truncated: a string needs 7 bytes, 3 left'),
    );
  });
});
