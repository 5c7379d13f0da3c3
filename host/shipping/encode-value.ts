/**
 * Encodes the values held by a function object's fields (proto/functions.md, "Values").
 * Plain data is written as JSON with tagged objects for what JSON lacks; Sluice API objects
 * as {class, own fields}; functions and objects of user classes are handed back to the
 * shipper. Shared references are written once per use (identity is not kept); a cycle is
 * refused.
 */
import { types } from 'node:util';
import { apiClassOf, apiExportName } from './api-exports.ts';
import type { EncodedNumberTag, EncodedValue, FunctionNode } from './payload.ts';
import { ShippingProblem } from './shipping-problem.ts';

/** Ships a function, or an object of a user class, found at `path`. */
export type ShipNested = (value: Function | object, path: string) => FunctionNode;

const SHIPPABLE =
  'Fields may hold plain data (numbers, strings, booleans, null, undefined, bigint, Date, ' +
  'RegExp, Uint8Array and other typed arrays, arrays, plain objects, Map, Set), Sluice API ' +
  'objects (state descriptors, types, OutputTag …), functions and objects of your own classes';

const TYPED_ARRAYS = new Set([
  'Int8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
]);

export class ValueEncoder {
  /** Objects being encoded, outermost first, with their paths: a repeat is a cycle. */
  private readonly ancestors = new Map<object, string>();

  constructor(private readonly shipNested: ShipNested) {}

  /** Encodes the own fields of `obj` (at `path`), refusing what cannot be rebuilt. */
  fields(obj: object, path: string): Record<string, EncodedValue> {
    return this.within(obj, path, () => {
      const out: Record<string, EncodedValue> = {};
      for (const key of Reflect.ownKeys(obj)) {
        if (typeof key === 'symbol') {
          throw new ShippingProblem(`${describePath(`${path}[${String(key)}]`)} is keyed by a symbol, which cannot be shipped`, true);
        }
        const sub = `${path}.${key}`;
        const d = Object.getOwnPropertyDescriptor(obj, key)!;
        if (!('value' in d)) {
          throw new ShippingProblem(`${describePath(sub)} is a getter/setter, which cannot be shipped; make it a plain field`, true);
        }
        if (!d.enumerable) {
          throw new ShippingProblem(`${describePath(sub)} is not enumerable, which cannot be shipped; make it a plain field`, true);
        }
        // defineProperty: a field named __proto__ must stay a field.
        Object.defineProperty(out, key, { value: this.encode(d.value, sub), enumerable: true, writable: true, configurable: true });
      }
      return out;
    });
  }

  /** Marks `obj` as being encoded while `body` runs, so that reaching it again is a cycle. */
  within<T>(obj: object, path: string, body: () => T): T {
    const earlier = this.ancestors.get(obj);
    if (earlier !== undefined) {
      throw new ShippingProblem(`${describePath(path)} refers back to \`${earlier}\` (a cycle); cyclic values cannot be shipped`, true);
    }
    this.ancestors.set(obj, path);
    try {
      return body();
    } finally {
      this.ancestors.delete(obj);
    }
  }

  encode(value: unknown, path: string): EncodedValue {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return encodeNumber(value);
      case 'bigint':
        return { $: 'bigint', value: value.toString() };
      case 'undefined':
        return { $: 'undefined' };
      case 'symbol':
        throw cannotShip(path, 'a symbol');
      default:
        break;
    }
    if (value === null) return null;
    const api = apiExportName(value);
    if (api !== undefined) return { $: 'api', export: api };
    if (typeof value === 'function') return { $: 'function', function: this.shipNested(value, path) };
    return this.encodeObject(value as object, path);
  }

  private encodeObject(value: object, path: string): EncodedValue {
    const proto: unknown = Object.getPrototypeOf(value);
    if (Array.isArray(value) && proto === Array.prototype) {
      return this.within(value, path, () => Array.from(value, (v, i) => this.encode(v, `${path}[${i}]`)));
    }
    if (types.isDate(value) && proto === Date.prototype) return { $: 'date', value: encodeNumber(value.getTime()) };
    if (types.isRegExp(value) && proto === RegExp.prototype) return { $: 'regexp', source: value.source, flags: value.flags };
    if (types.isMap(value) && proto === Map.prototype) {
      return this.within(value, path, () => ({
        $: 'map',
        entries: Array.from(value, ([k, v], i): [EncodedValue, EncodedValue] => [
          this.encode(k, `${path} (key ${i})`),
          this.encode(v, `${path}.get(${renderKey(k)})`),
        ]),
      }));
    }
    if (types.isSet(value) && proto === Set.prototype) {
      return this.within(value, path, () => ({
        $: 'set',
        values: Array.from(value, (v, i) => this.encode(v, `${path} (element ${i})`)),
      }));
    }
    if (Buffer.isBuffer(value)) return { $: 'bytes', base64: value.toString('base64'), buffer: true };
    if (types.isUint8Array(value) && proto === Uint8Array.prototype) return { $: 'bytes', base64: base64Of(value) };
    if (types.isTypedArray(value)) {
      const type = (proto as { constructor?: { name?: string } }).constructor?.name ?? '';
      if (TYPED_ARRAYS.has(type) && proto === (globalThis as unknown as Record<string, { prototype?: unknown }>)[type]?.prototype) {
        return { $: 'typed-array', type, base64: base64Of(value) };
      }
    }
    if (types.isArrayBuffer(value)) return { $: 'array-buffer', base64: base64Of(new Uint8Array(value)) };
    if (proto === Object.prototype || proto === null) {
      const fields = this.fields(value, path);
      return proto === null ? { $: 'object', fields, nullPrototype: true } : { $: 'object', fields };
    }
    const apiClass = apiClassOf(value);
    if (apiClass !== undefined) return { $: 'api-object', class: apiClass, fields: this.fields(value, path) };
    return { $: 'function', function: this.shipNested(value, path) };
  }
}

export function encodeNumber(n: number): number | { $: 'number'; value: EncodedNumberTag } {
  if (Number.isNaN(n)) return { $: 'number', value: 'NaN' };
  if (n === Infinity) return { $: 'number', value: 'Infinity' };
  if (n === -Infinity) return { $: 'number', value: '-Infinity' };
  if (Object.is(n, -0)) return { $: 'number', value: '-0' };
  return n;
}

/** The message fragment for a value that cannot travel, naming what it is. */
export function cannotShip(path: string, what: string): ShippingProblem {
  return new ShippingProblem(`${describePath(path)} holds ${what}, which cannot be shipped. ${SHIPPABLE}`, true);
}

/** `this.a.b` → "field `this.a.b`"; paths of a plain function's properties read the same way. */
export function describePath(path: string): string {
  return `field \`${path}\``;
}

function base64Of(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

function renderKey(k: unknown): string {
  if (typeof k === 'string') return JSON.stringify(k.length > 20 ? `${k.slice(0, 20)}…` : k);
  if (typeof k === 'number' || typeof k === 'boolean' || k === null || k === undefined) return String(k);
  if (typeof k === 'bigint') return `${k}n`;
  return '…';
}
