/**
 * Type descriptors as Arrow types (proto/types.md), and the check that a received schema
 * is the one a layout expects. Nullability and metadata are not compared: a writer in
 * another language may mark fields differently without changing what the bytes mean.
 */
import { Type } from 'apache-arrow/enum';
import { Field, Schema } from 'apache-arrow/schema';
import {
  Binary,
  Bool,
  DateDay,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Map_,
  Struct,
  TimeMillisecond,
  TimestampMillisecond,
  Utf8,
  type DataType,
} from 'apache-arrow/type';
import type { TypeDescriptor } from '../api/types.ts';
import { KEY_COLUMN, TIMESTAMP_COLUMN, VALUE_COLUMN, valueType, type BatchLayout } from './batch-layout.ts';

/** Marks Binary fields that hold the generic encoding, so that the schema describes itself. */
export const GENERIC_METADATA: ReadonlyMap<string, string> = new Map([['sluice.encoding', 'generic-v1']]);

export function arrowField(name: string, d: TypeDescriptor, nullable = true): Field {
  const metadata = d.kind === 'GENERIC' ? new Map(GENERIC_METADATA) : null;
  return new Field(name, arrowType(d), nullable, metadata);
}

export function arrowType(d: TypeDescriptor): DataType {
  switch (d.kind) {
    case 'BOOLEAN':
      return new Bool();
    case 'BYTE':
      return new Int8();
    case 'SHORT':
      return new Int16();
    case 'INT':
      return new Int32();
    case 'LONG':
      return new Int64();
    case 'FLOAT':
      return new Float32();
    case 'DOUBLE':
      return new Float64();
    case 'STRING':
      return new Utf8();
    case 'BYTES':
    case 'GENERIC':
      return new Binary();
    case 'SQL_DATE':
      return new DateDay();
    case 'SQL_TIME':
      return new TimeMillisecond();
    case 'SQL_TIMESTAMP':
      return new TimestampMillisecond();
    case 'ROW':
    case 'TUPLE':
      return new Struct(d.fields.map((f, i) => arrowField(`f${i}`, f)));
    case 'ROW_NAMED':
      return new Struct(d.fields.map((f, i) => arrowField(d.names[i]!, f)));
    case 'LIST':
      return new List(arrowField('item', d.element));
    case 'PRIMITIVE_ARRAY':
      return d.element.kind === 'BYTE' ? new Binary() : new List(arrowField('item', d.element));
    case 'MAP':
      return new Map_(
        new Field('entries', new Struct([arrowField('key', d.key, false), arrowField('value', d.value)]), false) as Field<never>,
        false,
      );
  }
}

export function layoutSchema(layout: BatchLayout): Schema {
  const fields: Field[] = [];
  if (layout.keyed) fields.push(new Field(KEY_COLUMN, new Binary(), false));
  if (layout.timestamped) fields.push(new Field(TIMESTAMP_COLUMN, new Float64(), true));
  fields.push(arrowField(VALUE_COLUMN, valueType(layout)));
  return new Schema(fields);
}

/** Why `actual` cannot be read as `expected`, or null if it can. */
export function schemaMismatch(expected: Schema, actual: Schema): string | null {
  const names = (s: Schema) => s.fields.map((f) => f.name).join(', ');
  if (expected.fields.length !== actual.fields.length || expected.fields.some((f, i) => f.name !== actual.fields[i]!.name)) {
    return `expected columns [${names(expected)}], got [${names(actual)}]`;
  }
  for (let i = 0; i < expected.fields.length; i++) {
    const e = expected.fields[i]!;
    const why = typeMismatch(e.type, actual.fields[i]!.type, e.name);
    if (why !== null) return why;
  }
  return null;
}

function typeMismatch(expected: DataType, actual: DataType, path: string): string | null {
  if (!sameLeafType(expected, actual)) return `column ${path}: expected ${String(expected)}, got ${String(actual)}`;
  const ec = expected.children ?? [];
  const ac = actual.children ?? [];
  if (ec.length !== ac.length) return `column ${path}: expected ${String(expected)}, got ${String(actual)}`;
  for (let i = 0; i < ec.length; i++) {
    const e = ec[i]!;
    const a = ac[i]!;
    // List and Map children may be named anything; struct fields are matched by name.
    if (expected.typeId === Type.Struct && e.name !== a.name) {
      return `column ${path}: expected field ${e.name} at position ${i}, got ${a.name}`;
    }
    const why = typeMismatch(e.type, a.type, `${path}.${e.name}`);
    if (why !== null) return why;
  }
  return null;
}

function sameLeafType(e: DataType, a: DataType): boolean {
  if (e.typeId !== a.typeId) return false;
  const x = e as unknown as Record<string, unknown>;
  const y = a as unknown as Record<string, unknown>;
  // The parameters that change how the buffers are read (timezone does not).
  for (const p of ['bitWidth', 'isSigned', 'precision', 'unit']) {
    if (x[p] !== y[p]) return false;
  }
  return true;
}
