/**
 * Sluice's API as workers have it: every export of shared/api/index.ts. Shipped functions may
 * use these names; objects of these classes travel as {class name, own fields}.
 */
import { fileURLToPath } from 'node:url';
import * as api from '../../shared/api/index.ts';

/** Where Sluice's host runtime lives (this file's host/ directory), as a URL and as a path. */
const HOST_URL = new URL('../', import.meta.url).href;
const HOST_PATH = fileURLToPath(HOST_URL);

const namesByValue = new Map<unknown, string>();
const classNames = new Map<Function, string>();
for (const [name, value] of Object.entries(api)) {
  namesByValue.set(value, name);
  if (typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value))) {
    classNames.set(value, name);
  }
}

/** The export name when `value` is itself an API export (a class, `Types`, …). */
export function apiExportName(value: unknown): string | undefined {
  return namesByValue.get(value);
}

/** The API class name when `value` is an object whose class is exactly an API class. */
export function apiClassOf(value: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || typeof proto !== 'object') return undefined;
  const ctor: unknown = (proto as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function' || ctor.prototype !== proto) return undefined;
  return classNames.get(ctor);
}

export function isApiClass(fn: Function): boolean {
  return classNames.has(fn);
}

export function hasApiExport(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(api, name);
}

/**
 * Whether code at `url` is Sluice's host runtime (StreamExecutionEnvironment, DataStream …):
 * the job's definition, which stays on the host. Workers have the user-function API only.
 */
export function isHostRuntime(url: string): boolean {
  return url.startsWith(HOST_URL) || url.startsWith(HOST_PATH);
}
