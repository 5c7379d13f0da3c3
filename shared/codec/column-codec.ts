/**
 * One encoder and one decoder per column, built once per layout from the column's type
 * descriptor (proto/types.md has the mapping). Nested types build a tree of them that
 * mirrors the type.
 */
import { describeType, type TypeDescriptor } from '../api/types.ts';
import type { BodyReader, BodyWriter } from './body.ts';
import {
  BoolDecoder,
  DateDayDecoder,
  Float32Decoder,
  Float64Decoder,
  LongDecoder,
  SmallIntDecoder,
  TimestampDecoder,
} from './fixed-width-decoders.ts';
import {
  BoolEncoder,
  DateDayEncoder,
  Float32Encoder,
  Float64Encoder,
  LongEncoder,
  SmallIntEncoder,
  TimestampEncoder,
} from './fixed-width-encoders.ts';
import { ListDecoder, MapDecoder, StructDecoder } from './nested-decoders.ts';
import { ListEncoder, MapEncoder, StructEncoder } from './nested-encoders.ts';
import { BinaryDecoder, GenericColumnDecoder, Utf8Decoder } from './variable-width-decoders.ts';
import { BinaryEncoder, GENERIC_EXPECTED, GenericColumnEncoder, Utf8Encoder } from './variable-width-encoders.ts';

export interface ColumnEncoder {
  /**
   * Appends the field nodes and buffers of values[0, n) to the body, pre-order. The
   * buffers are this encoder's scratch: valid until its next call. Throws a CellMismatch
   * indexed into `values` when a value does not fit.
   */
  encode(values: readonly unknown[], n: number, body: BodyWriter): void;
}

export interface ColumnDecoder {
  /** Reads this column's field nodes and buffers; returns one value per slot. */
  decode(body: BodyReader): unknown[];
}

const MS_PER_DAY = 86400000;

/** What a column takes, for error messages: the type and its JavaScript form. */
export function expectedValue(d: TypeDescriptor): string {
  const type = describeType(d);
  switch (d.kind) {
    case 'BOOLEAN':
      return `${type} (a boolean)`;
    case 'BYTE':
      return `${type} (an integer number in [-128, 127])`;
    case 'SHORT':
      return `${type} (an integer number in [-32768, 32767])`;
    case 'INT':
      return `${type} (an integer number in [-2147483648, 2147483647])`;
    case 'LONG':
      return `${type} (a safe integer number, or a bigint in the int64 range)`;
    case 'FLOAT':
    case 'DOUBLE':
      return `${type} (a number)`;
    case 'STRING':
      return `${type} (a string)`;
    case 'BYTES':
      return `${type} (a Uint8Array)`;
    case 'SQL_DATE':
    case 'SQL_TIMESTAMP':
      return `${type} (a valid Date)`;
    case 'SQL_TIME':
      return `${type} (an integer number of milliseconds in [0, ${MS_PER_DAY}))`;
    case 'GENERIC':
      return GENERIC_EXPECTED;
    case 'ROW':
    case 'TUPLE':
      return `${type} (an array of ${d.fields.length} fields)`;
    case 'ROW_NAMED':
      return `${type} (a plain object)`;
    case 'LIST':
      return `${type} (an array)`;
    case 'PRIMITIVE_ARRAY':
      return d.element.kind === 'BYTE' ? `${type} (a Uint8Array or an array of bytes)` : `${type} (an array or a typed array)`;
    case 'MAP':
      return d.key.kind === 'STRING' ? `${type} (a Map or a plain object)` : `${type} (a Map)`;
  }
}

export function columnEncoder(d: TypeDescriptor): ColumnEncoder {
  const expected = expectedValue(d);
  switch (d.kind) {
    case 'BOOLEAN':
      return new BoolEncoder(expected);
    case 'BYTE':
      return new SmallIntEncoder(1, -128, 127, expected);
    case 'SHORT':
      return new SmallIntEncoder(2, -32768, 32767, expected);
    case 'INT':
      return new SmallIntEncoder(4, -2147483648, 2147483647, expected);
    case 'SQL_TIME':
      return new SmallIntEncoder(4, 0, MS_PER_DAY - 1, expected);
    case 'LONG':
      return new LongEncoder(expected);
    case 'FLOAT':
      return new Float32Encoder(expected);
    case 'DOUBLE':
      return new Float64Encoder(expected);
    case 'STRING':
      return new Utf8Encoder(expected);
    case 'BYTES':
      return new BinaryEncoder(expected);
    case 'SQL_DATE':
      return new DateDayEncoder(expected);
    case 'SQL_TIMESTAMP':
      return new TimestampEncoder(expected);
    case 'GENERIC':
      return new GenericColumnEncoder();
    case 'ROW':
    case 'TUPLE':
      return new StructEncoder(null, d.fields.map(columnEncoder), expected);
    case 'ROW_NAMED':
      return new StructEncoder(d.names, d.fields.map(columnEncoder), expected);
    case 'LIST':
      return new ListEncoder(columnEncoder(d.element), expected, false);
    case 'PRIMITIVE_ARRAY':
      if (d.element.kind === 'BYTE') return new BinaryEncoder(expected, { byteArrays: true });
      return new ListEncoder(columnEncoder(d.element), expected, true);
    case 'MAP':
      return new MapEncoder(columnEncoder(d.key), columnEncoder(d.value), expected, d.key.kind === 'STRING');
  }
}

/** `name` is the column's path (e.g. `value.f0.item`), for messages about malformed input. */
export function columnDecoder(d: TypeDescriptor, name: string): ColumnDecoder {
  switch (d.kind) {
    case 'BOOLEAN':
      return new BoolDecoder(name);
    case 'BYTE':
      return new SmallIntDecoder(Int8Array, name);
    case 'SHORT':
      return new SmallIntDecoder(Int16Array, name);
    case 'INT':
    case 'SQL_TIME':
      return new SmallIntDecoder(Int32Array, name);
    case 'LONG':
      return new LongDecoder(name);
    case 'FLOAT':
      return new Float32Decoder(name);
    case 'DOUBLE':
      return new Float64Decoder(name);
    case 'STRING':
      return new Utf8Decoder(name);
    case 'BYTES':
      return new BinaryDecoder(name);
    case 'SQL_DATE':
      return new DateDayDecoder(name);
    case 'SQL_TIMESTAMP':
      return new TimestampDecoder(name);
    case 'GENERIC':
      return new GenericColumnDecoder(name);
    case 'ROW':
    case 'TUPLE':
      return new StructDecoder(null, d.fields.map((f, i) => columnDecoder(f, `${name}.f${i}`)), name);
    case 'ROW_NAMED':
      return new StructDecoder(d.names, d.fields.map((f, i) => columnDecoder(f, `${name}.${d.names[i]!}`)), name);
    case 'LIST':
      return new ListDecoder(columnDecoder(d.element, `${name}.item`), name);
    case 'PRIMITIVE_ARRAY':
      if (d.element.kind === 'BYTE') return new BinaryDecoder(name);
      return new ListDecoder(columnDecoder(d.element, `${name}.item`), name);
    case 'MAP':
      return new MapDecoder(columnDecoder(d.key, `${name}.key`), columnDecoder(d.value, `${name}.value`), name);
  }
}
