/**
 * Encoders of nested columns. Each works a column at a time: it gathers its children's
 * values into flat arrays (a struct's field j of every row, a list's elements of every
 * row) and hands each array to the child encoder in one call. A child's CellMismatch
 * comes back indexed into that flat array; the parent maps it to its own row and adds
 * its path segment.
 */
import { types } from 'node:util';
import type { BodyWriter } from './body.ts';
import type { ColumnEncoder } from './column-codec.ts';
import { Scratch, ValidityBuilder } from './scratch.ts';
import { CellMismatch, mismatch } from './value-encode-error.ts';
import { propertySegment, renderMapKey } from './value-paths.ts';

const EMPTY = new Uint8Array(0);

/** A plain object of any realm (user code may run in a vm context). */
export function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** ROW and TUPLE (JS arrays of exactly as many fields) and ROW_NAMED (plain objects). */
export class StructEncoder implements ColumnEncoder {
  private readonly validity = new ValidityBuilder();
  private readonly nameSet: ReadonlySet<string> | null;

  constructor(
    /** Field names for ROW_NAMED; null for ROW and TUPLE, whose rows are arrays. */
    private readonly names: readonly string[] | null,
    private readonly children: readonly ColumnEncoder[],
    private readonly expected: string,
  ) {
    this.nameSet = names === null ? null : new Set(names);
  }

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const { validity, names, nameSet, children } = this;
    const m = children.length;
    validity.reset(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) validity.markNull(i);
      else if (nameSet === null) {
        if (!Array.isArray(v) || v.length !== m) throw mismatch(i, this.expected, v);
      } else {
        if (typeof v !== 'object' || Array.isArray(v) || !isPlainObject(v)) throw mismatch(i, this.expected, v);
        // Fields it does not declare would be lost without a word.
        for (const key in v) {
          if (!nameSet.has(key)) throw mismatch(i, this.expected, v, `it has a property ${JSON.stringify(key)} that is not a field`);
        }
      }
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    for (let j = 0; j < m; j++) {
      const column = new Array<unknown>(n);
      const key: string | number = names === null ? j : names[j]!;
      // A field is an own property: a missing one (or a tuple's hole) is null, even in a GENERIC
      // field (where undefined is a value), and a name Object.prototype has (constructor,
      // toString, __proto__) is never read from the prototype.
      const inherited = key in Object.prototype;
      for (let i = 0; i < n; i++) {
        const v = values[i] as Record<string | number, unknown> | null | undefined;
        if (v === null || v === undefined) column[i] = undefined;
        else if (inherited) column[i] = Object.hasOwn(v, key) ? v[key] : null;
        else {
          const field = v[key];
          column[i] = field === undefined && !(key in v) ? null : field;
        }
      }
      try {
        children[j]!.encode(column, n, body);
      } catch (e) {
        if (e instanceof CellMismatch) e.within(e.index, names === null ? `[${j}]` : propertySegment(names[j]!));
        throw e;
      }
    }
  }
}

/** LIST and PRIMITIVE_ARRAY (other than of BYTE): JS arrays, or typed arrays when allowed. */
export class ListEncoder implements ColumnEncoder {
  private readonly offsetScratch = new Scratch();
  private readonly validity = new ValidityBuilder();

  constructor(
    private readonly child: ColumnEncoder,
    private readonly expected: string,
    private readonly typedArrays: boolean,
  ) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const offsets = this.offsetScratch.int32(n + 1);
    const validity = this.validity;
    validity.reset(n);
    let total = 0;
    offsets[0] = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (Array.isArray(v) || (this.typedArrays && ArrayBuffer.isView(v) && !types.isDataView(v))) {
        total += (v as ArrayLike<unknown>).length;
      } else if (v === null || v === undefined) validity.markNull(i);
      else throw mismatch(i, this.expected, v);
      offsets[i + 1] = total;
    }
    if (total > 0x7fffffff) throw new RangeError('a list column of one batch must hold fewer than 2^31 elements');
    // Holes of sparse arrays are null, even where undefined is a value (a GENERIC element).
    const elements = new Array<unknown>(total);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i] as ArrayLike<unknown> | null | undefined;
      if (v === null || v === undefined) continue;
      for (let j = 0; j < v.length; j++) {
        const element = v[j];
        elements[k++] = element === undefined && !(j in v) ? null : element;
      }
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(offsets);
    try {
      this.child.encode(elements, total, body);
    } catch (e) {
      if (!(e instanceof CellMismatch)) throw e;
      const row = rowOf(offsets, n, e.index);
      throw e.within(row, `[${e.index - offsets[row]!}]`);
    }
  }
}

/** MAP: JS Maps (and plain objects when the keys are strings). Keys may not be null. */
export class MapEncoder implements ColumnEncoder {
  private readonly offsetScratch = new Scratch();
  private readonly validity = new ValidityBuilder();

  constructor(
    private readonly keyEncoder: ColumnEncoder,
    private readonly valueEncoder: ColumnEncoder,
    private readonly expected: string,
    private readonly objects: boolean,
  ) {}

  encode(values: readonly unknown[], n: number, body: BodyWriter): void {
    const offsets = this.offsetScratch.int32(n + 1);
    const validity = this.validity;
    validity.reset(n);
    let total = 0;
    offsets[0] = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v instanceof Map || types.isMap(v)) total += (v as Map<unknown, unknown>).size;
      else if (v === null || v === undefined) validity.markNull(i);
      else if (this.objects && typeof v === 'object' && !Array.isArray(v) && isPlainObject(v)) total += Object.keys(v).length;
      else throw mismatch(i, this.expected, v);
      offsets[i + 1] = total;
    }
    const keys = new Array<unknown>(total);
    const entries = new Array<unknown>(total);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) continue;
      if (v instanceof Map || types.isMap(v)) {
        for (const [key, value] of v as Map<unknown, unknown>) {
          if (key === null || key === undefined) throw mismatch(i, this.expected, v, `key ${k - offsets[i]!} is ${String(key)}: map keys may not be null`);
          keys[k] = key;
          entries[k++] = value;
        }
      } else {
        for (const key of Object.keys(v)) {
          keys[k] = key;
          entries[k++] = (v as Record<string, unknown>)[key];
        }
      }
    }
    body.node(n, validity.nullCount);
    body.buffer(validity.bitmap());
    body.buffer(offsets);
    // The entries struct: never null.
    body.node(total, 0);
    body.buffer(EMPTY);
    try {
      this.keyEncoder.encode(keys, total, body);
    } catch (e) {
      if (!(e instanceof CellMismatch)) throw e;
      const row = rowOf(offsets, n, e.index);
      throw e.within(row, `.keys()[${e.index - offsets[row]!}]`);
    }
    try {
      this.valueEncoder.encode(entries, total, body);
    } catch (e) {
      if (!(e instanceof CellMismatch)) throw e;
      throw e.within(rowOf(offsets, n, e.index), `.get(${renderMapKey(keys[e.index])})`);
    }
  }
}

/** The row whose elements [offsets[row], offsets[row + 1]) hold flat index k. */
function rowOf(offsets: Int32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= k) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
