/**
 * Decoders of nested columns: each child column is decoded whole (one pass per column),
 * then the parent assembles its values from the children's arrays.
 */
import { ProtocolError } from '../errors/errors.ts';
import { checkOffsets, type BodyReader } from './body.ts';
import type { ColumnDecoder } from './column-codec.ts';

function isNull(valid: Uint8Array | null, i: number): boolean {
  return valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0;
}

/** ROW and TUPLE as arrays, ROW_NAMED as plain objects. */
export class StructDecoder implements ColumnDecoder {
  constructor(
    private readonly names: readonly string[] | null,
    private readonly children: readonly ColumnDecoder[],
    private readonly name: string,
  ) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const columns = this.children.map((child) => child.decode(body));
    for (const column of columns) {
      if (column.length < n) throw new ProtocolError(`malformed Arrow batch: a field of ${this.name} has ${column.length} slots, ${n} needed`);
    }
    const m = columns.length;
    const out = new Array<unknown>(n);
    const names = this.names;
    for (let i = 0; i < n; i++) {
      if (isNull(valid, i)) {
        out[i] = null;
      } else if (names === null) {
        const row = new Array<unknown>(m);
        for (let j = 0; j < m; j++) row[j] = columns[j]![i];
        out[i] = row;
      } else {
        const row: Record<string, unknown> = {};
        for (let j = 0; j < m; j++) {
          if (names[j] === '__proto__') {
            Object.defineProperty(row, '__proto__', { value: columns[j]![i], writable: true, enumerable: true, configurable: true });
          } else {
            row[names[j]!] = columns[j]![i];
          }
        }
        out[i] = row;
      }
    }
    return out;
  }
}

export class ListDecoder implements ColumnDecoder {
  constructor(
    private readonly child: ColumnDecoder,
    private readonly name: string,
  ) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const offsets = body.offsets(n, this.name);
    const elements = this.child.decode(body);
    checkOffsets(offsets, n, elements.length, this.name);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = isNull(valid, i) ? null : elements.slice(offsets[i], offsets[i + 1]);
    return out;
  }
}

export class MapDecoder implements ColumnDecoder {
  constructor(
    private readonly keyDecoder: ColumnDecoder,
    private readonly valueDecoder: ColumnDecoder,
    private readonly name: string,
  ) {}

  decode(body: BodyReader): unknown[] {
    const node = body.node(this.name);
    const n = node.length;
    const valid = body.validity(node, this.name);
    const offsets = body.offsets(n, this.name);
    const entries = body.node(`${this.name}.entries`);
    if (body.validity(entries, `${this.name}.entries`) !== null) {
      throw new ProtocolError(`malformed Arrow batch: map entries of ${this.name} may not be null`);
    }
    const keys = this.keyDecoder.decode(body);
    const values = this.valueDecoder.decode(body);
    if (keys.length < entries.length || values.length < entries.length) {
      throw new ProtocolError(`malformed Arrow batch: keys or values of ${this.name} are fewer than its ${entries.length} entries`);
    }
    checkOffsets(offsets, n, entries.length, this.name);
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      if (isNull(valid, i)) {
        out[i] = null;
        continue;
      }
      const map = new Map<unknown, unknown>();
      for (let k = offsets[i]!; k < offsets[i + 1]!; k++) map.set(keys[k], values[k]);
      out[i] = map;
    }
    return out;
  }
}
