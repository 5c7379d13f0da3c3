/**
 * Tags of the generic value encoding (proto/generic-value.md is the normative description;
 * keep the two in step). Every encoded value is one tag byte followed by its payload.
 */

export const TAG_UNDEFINED = 0x00;
export const TAG_NULL = 0x01;
export const TAG_FALSE = 0x02;
export const TAG_TRUE = 0x03;
/** A safe integer as a zigzag LEB128 varint. */
export const TAG_INT = 0x04;
/** An IEEE 754 binary64, little-endian. */
export const TAG_FLOAT64 = 0x05;
/** A string of any length: varint byte length, then UTF-8. */
export const TAG_STRING = 0x06;
export const TAG_BIGINT_POSITIVE = 0x07;
export const TAG_BIGINT_NEGATIVE = 0x08;
export const TAG_DATE = 0x09;
export const TAG_BYTES = 0x0a;
export const TAG_ARRAY = 0x0b;
export const TAG_OBJECT = 0x0c;
export const TAG_MAP = 0x0d;
export const TAG_SET = 0x0e;
/** A typed array other than Uint8Array: kind byte, varint byte length, elements little-endian. */
export const TAG_TYPED_ARRAY = 0x0f;
export const TAG_ARRAY_BUFFER = 0x10;
/** 0x40..0x7f: a string whose UTF-8 form is (tag - 0x40) bytes long, bytes follow. */
export const TAG_SHORT_STRING = 0x40;
export const SHORT_STRING_MAX = 63;
/** 0x80..0xff: the integer (tag - 0x80). */
export const TAG_SMALL_INT = 0x80;
export const SMALL_INT_MAX = 127;

/** Containers nested deeper than this are refused on both sides (it also catches cycles). */
export const MAX_DEPTH = 1000;

type TypedArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** Kind byte of TAG_TYPED_ARRAY; index = kind. Kind 0 is unused (Uint8Array has TAG_BYTES). */
export const TYPED_ARRAY_KINDS: readonly (TypedArrayConstructor | null)[] = [
  null,
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];

export function typedArrayKind(v: ArrayBufferView): number {
  const ctor = v.constructor;
  for (let k = 1; k < TYPED_ARRAY_KINDS.length; k++) {
    if (TYPED_ARRAY_KINDS[k] === ctor) return k;
  }
  // A subclass, or a typed array from another realm: match by the tag the engine reports.
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  for (let k = 1; k < TYPED_ARRAY_KINDS.length; k++) {
    if (TYPED_ARRAY_KINDS[k]!.name === tag) return k;
  }
  return 0;
}
