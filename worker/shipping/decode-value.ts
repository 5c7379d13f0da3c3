/**
 * Decodes field values of a `sluice:fn:js:v1` payload (proto/functions.md, "Values"). The
 * payload comes from the host; it is checked as it is read, and anything malformed is
 * refused with the path of the offending value.
 */
import * as api from '../../shared/api/index.ts';

/** Rebuilds a function node found inside a value. */
export type LoadNode = (node: unknown, path: string) => Promise<unknown>;

const TYPED_ARRAYS: Record<string, new (buffer: ArrayBuffer) => ArrayBufferView> = {
  Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};

const NUMBER_TAGS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

export class PayloadError extends Error {}

export async function decodeValue(v: unknown, path: string, loadNode: LoadNode): Promise<unknown> {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const [i, e] of v.entries()) out.push(await decodeValue(e, `${path}[${i}]`, loadNode));
    return out;
  }
  if (typeof v !== 'object') throw new PayloadError(`${path}: not a value`);
  const tagged = v as Record<string, unknown>;
  switch (tagged['$']) {
    case 'number':
      return decodeNumber(v, path);
    case 'undefined':
      return undefined;
    case 'bigint':
      return BigInt(stringAt(tagged, 'value', path));
    case 'date':
      return new Date(decodeNumber(tagged['value'], path));
    case 'bytes': {
      const bytes = Buffer.from(stringAt(tagged, 'base64', path), 'base64');
      return tagged['buffer'] === true ? bytes : new Uint8Array(bytes);
    }
    case 'typed-array': {
      const type = stringAt(tagged, 'type', path);
      const Ctor = Object.hasOwn(TYPED_ARRAYS, type) ? TYPED_ARRAYS[type] : undefined;
      if (Ctor === undefined) throw new PayloadError(`${path}: unknown typed array ${type}`);
      return new Ctor(freshBuffer(stringAt(tagged, 'base64', path)));
    }
    case 'array-buffer':
      return freshBuffer(stringAt(tagged, 'base64', path));
    case 'regexp':
      return new RegExp(stringAt(tagged, 'source', path), stringAt(tagged, 'flags', path));
    case 'object': {
      const obj: object = tagged['nullPrototype'] === true ? Object.create(null) : {};
      return assignFields(obj, tagged['fields'], path, loadNode);
    }
    case 'map': {
      const map = new Map<unknown, unknown>();
      for (const [i, entry] of arrayAt(tagged, 'entries', path).entries()) {
        if (!Array.isArray(entry) || entry.length !== 2) throw new PayloadError(`${path}: entry ${i} is not a pair`);
        map.set(await decodeValue(entry[0], `${path} (key ${i})`, loadNode), await decodeValue(entry[1], `${path} (value ${i})`, loadNode));
      }
      return map;
    }
    case 'set': {
      const set = new Set<unknown>();
      for (const [i, e] of arrayAt(tagged, 'values', path).entries()) set.add(await decodeValue(e, `${path} (element ${i})`, loadNode));
      return set;
    }
    case 'api':
      return apiExport(stringAt(tagged, 'export', path), path);
    case 'api-object': {
      const name = stringAt(tagged, 'class', path);
      const cls = apiExport(name, path);
      if (typeof cls !== 'function') throw new PayloadError(`${path}: ${name} is not a class of Sluice's API`);
      return assignFields(Object.create(cls.prototype as object) as object, tagged['fields'], path, loadNode);
    }
    case 'function':
      return loadNode(tagged['function'], path);
    default:
      throw new PayloadError(`${path}: unknown value tag ${JSON.stringify(tagged['$'])}`);
  }
}

/** Sets `fields` (encoded) on `target` as plain writable, enumerable own properties. */
export async function assignFields<T extends object>(target: T, fields: unknown, path: string, loadNode: LoadNode): Promise<T> {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new PayloadError(`${path}: fields must be an object`);
  }
  for (const [key, encoded] of Object.entries(fields)) {
    const value = await decodeValue(encoded, `${path}.${key}`, loadNode);
    // defineProperty, not assignment: a field named __proto__ must stay a field.
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return target;
}

export function apiExport(name: string, path: string): unknown {
  if (name === '*') return api;
  if (!Object.hasOwn(api, name)) throw new PayloadError(`${path}: Sluice's API has no export ${name}`);
  return (api as Record<string, unknown>)[name];
}

function decodeNumber(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  const tag = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['value'] : undefined;
  if (typeof tag === 'string' && Object.hasOwn(NUMBER_TAGS, tag)) return NUMBER_TAGS[tag]!;
  throw new PayloadError(`${path}: not a number`);
}

function freshBuffer(base64: string): ArrayBuffer {
  const bytes = Buffer.from(base64, 'base64');
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

function stringAt(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new PayloadError(`${path}: ${key} must be a string`);
  return v;
}

function arrayAt(o: Record<string, unknown>, key: string, path: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new PayloadError(`${path}: ${key} must be an array`);
  return v;
}
