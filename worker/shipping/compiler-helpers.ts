/**
 * Helpers the TypeScript compiler's output calls. tsx (esbuild) declares them at the top of
 * each module, so a function shipped as source refers to them without carrying them; the
 * host binds them by name ({helper: name}) and these stand in. Semantics as esbuild's.
 */
const defineProperty = Object.defineProperty;

/** Gives a function or class its name: `__name(fn, "name")`. */
function nameHelper(target: unknown, value: string): unknown {
  return defineProperty(target, 'name', { value, configurable: true });
}

/** Defines a class field the way `[[Define]]` semantics would. */
function defineNormalProp(obj: Record<PropertyKey, unknown>, key: PropertyKey, value: unknown): unknown {
  if (key in obj) return defineProperty(obj, key, { enumerable: true, configurable: true, writable: true, value });
  obj[key] = value;
  return value;
}

function publicField(obj: Record<PropertyKey, unknown>, key: PropertyKey, value: unknown): unknown {
  return defineNormalProp(obj, typeof key === 'symbol' ? key : `${String(key)}`, value);
}

export const COMPILER_HELPERS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['__name', nameHelper],
  ['__defProp', defineProperty],
  ['__defNormalProp', defineNormalProp],
  ['__publicField', publicField],
]);
