import {
  Binary,
  DateDay,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { TypeDescriptor } from '../shared/api/types.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { BatchLayout } from '../shared/codec/batch-layout.ts';
import { decodeGeneric, encodeGeneric, encodeKey } from '../shared/codec/generic-value.ts';
import { keysArray } from '../shared/codec/key-column.ts';

const S = (kind: string): TypeDescriptor => ({ kind }) as TypeDescriptor;

describe('our IPC bytes are standard: apache-arrow reads them', () => {
  it('keyed, timestamped LONG batch', () => {
    const layout: BatchLayout = { value: S('LONG'), keyed: true, timestamped: true };
    const keys = [encodeKey('a'), encodeKey(7)];
    const bytes = new BatchEncoder(layout).encode({ length: 2, values: [2n ** 62n, null], keys, timestamps: [1.5, null] });
    const table = tableFromIPC(bytes);
    expect(table.numRows).toBe(2);
    expect(table.schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toStrictEqual(['key: Binary', 'ts: Float64', 'value: Int64']);
    expect([...table.getChild('key')!]).toStrictEqual(keys);
    expect([...table.getChild('ts')!]).toStrictEqual([1.5, null]);
    expect([...table.getChild('value')!]).toStrictEqual([2n ** 62n, null]);
  });

  it('strings, multi-byte included', () => {
    const layout: BatchLayout = { value: S('STRING'), keyed: false, timestamped: false };
    const values = ['plain', 'ü', null, '日本', '😀'];
    const table = tableFromIPC(new BatchEncoder(layout).encode({ length: 5, values, keys: null, timestamps: null }));
    expect(String(table.schema.fields[0]!.type)).toBe('Utf8');
    expect([...table.getChild('value')!]).toStrictEqual(values);
  });

  it('nested ROW_NAMED with dates, timestamps, lists and maps', () => {
    const type: TypeDescriptor = {
      kind: 'ROW_NAMED',
      names: ['day', 'at', 'ids', 'counts'],
      fields: [S('SQL_DATE'), S('SQL_TIMESTAMP'), { kind: 'LIST', element: S('LONG') }, { kind: 'MAP', key: S('STRING'), value: S('INT') }],
    };
    const layout: BatchLayout = { value: type, keyed: false, timestamped: false };
    const bytes = new BatchEncoder(layout).encode({
      length: 2,
      values: [{ day: new Date(Date.UTC(2024, 0, 2)), at: new Date(1_700_000_000_123), ids: [1, 2n ** 60n], counts: new Map([['a', 1]]) }, null],
      keys: null,
      timestamps: null,
    });
    const table = tableFromIPC(bytes);
    expect(String(table.schema.fields[0]!.type)).toBe(
      'Struct<{day:Date32<DAY>, at:Timestamp<MILLISECOND>, ids:List<Int64>, counts:Map<{key:Utf8, value:Int32}>}>',
    );
    const row = table.getChild('value')!.get(0) as { day: number; at: number; ids: { toArray(): BigInt64Array }; counts: { toJSON(): object } };
    expect(row.day).toBe(Date.UTC(2024, 0, 2));
    expect(row.at).toBe(1_700_000_000_123);
    expect(row.ids.toArray()).toStrictEqual(new BigInt64Array([1n, 2n ** 60n]));
    expect(row.counts.toJSON()).toStrictEqual({ a: 1 });
    expect(table.getChild('value')!.get(1)).toBe(null);
  });

  it('the generic column is Binary holding the generic encoding, marked in the field metadata', () => {
    const layout: BatchLayout = { value: null, keyed: false, timestamped: false };
    const values = [{ a: [1, 'x'] }, null, undefined];
    const table = tableFromIPC(new BatchEncoder(layout).encode({ length: 3, values, keys: null, timestamps: null }));
    const field = table.schema.fields[0]!;
    expect(String(field.type)).toBe('Binary');
    expect(field.metadata).toStrictEqual(new Map([['sluice.encoding', 'generic-v1']]));
    const cells = [...table.getChild('value')!] as (Uint8Array | null)[];
    expect(cells[0]).toStrictEqual(encodeGeneric({ a: [1, 'x'] }));
    expect(cells[1]).toBe(null);
    expect(decodeGeneric(cells[2]!)).toBe(undefined);
  });
});

describe('the example of proto/data.md', () => {
  it('has the buffers the document shows', () => {
    const layout: BatchLayout = { value: S('STRING'), keyed: true, timestamped: true };
    const bytes = new BatchEncoder(layout).encode({ length: 2, values: ['x', null], keys: [encodeKey('a'), encodeKey(7)], timestamps: [1000, null] });
    const table = tableFromIPC(bytes);
    expect(table.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '' : ' not null'}`)).toStrictEqual([
      'key: Binary not null',
      'ts: Float64',
      'value: Utf8',
    ]);
    const [key, ts, value] = table.batches[0]!.data.children;
    expect(key!.nullCount).toBe(0);
    expect([...key!.valueOffsets]).toStrictEqual([0, 2, 3]);
    expect([...key!.values]).toStrictEqual([0x41, 0x61, 0x87]);
    expect(ts!.nullBitmap[0]).toBe(0b01);
    expect([...ts!.values]).toStrictEqual([1000, 0]);
    expect(value!.nullBitmap[0]).toBe(0b01);
    expect([...value!.valueOffsets]).toStrictEqual([0, 1, 1]);
    expect([...value!.values]).toStrictEqual([0x78]);
  });
});

describe('apache-arrow IPC bytes: our decoder reads them', () => {
  it('a table built with apache-arrow builders', () => {
    const table = new Table({
      key: vectorFromArray([encodeKey(1), encodeKey(2), encodeKey(3)], new Binary()),
      ts: vectorFromArray([10, null, 30], new Float64()),
      value: vectorFromArray(
        [
          { name: 'a', n: 1n, tags: ['x'], at: new Date(5) },
          { name: null, n: null, tags: [], at: null },
          { name: 'ü', n: 2n ** 60n, tags: null, at: new Date(-5) },
        ],
        new Struct([
          new Field('name', new Utf8(), true),
          new Field('n', new Int64(), true),
          new Field('tags', new List(new Field('element', new Utf8(), true)), true),
          new Field('at', new TimestampMillisecond(), true),
        ]),
      ),
    });
    const layout: BatchLayout = {
      value: { kind: 'ROW_NAMED', names: ['name', 'n', 'tags', 'at'], fields: [S('STRING'), S('LONG'), { kind: 'LIST', element: S('STRING') }, S('SQL_TIMESTAMP')] },
      keyed: true,
      timestamped: true,
    };
    const decoded = new BatchDecoder(layout).decode(tableToIPC(table, 'stream'));
    expect({ ...decoded, keys: keysArray(decoded.keys!) }).toStrictEqual({
      length: 3,
      keys: [encodeKey(1), encodeKey(2), encodeKey(3)],
      timestamps: [10, null, 30],
      values: [
        { name: 'a', n: 1, tags: ['x'], at: new Date(5) },
        { name: null, n: null, tags: [], at: null },
        { name: 'ü', n: 2n ** 60n, tags: null, at: new Date(-5) },
      ],
    });
  });

  it('an empty table and a date column', () => {
    const empty = new Table({ value: vectorFromArray([] as number[], new Int32()) });
    const layout: BatchLayout = { value: S('INT'), keyed: false, timestamped: false };
    expect(new BatchDecoder(layout).decode(tableToIPC(empty, 'stream'))).toStrictEqual({ length: 0, values: [], keys: null, timestamps: null });
    const dates = new Table({ value: vectorFromArray([new Date(Date.UTC(2020, 5, 1)), null], new DateDay()) });
    expect(new BatchDecoder({ value: S('SQL_DATE'), keyed: false, timestamped: false }).decode(tableToIPC(dates, 'stream')).values).toStrictEqual([
      new Date(Date.UTC(2020, 5, 1)),
      null,
    ]);
  });
});
