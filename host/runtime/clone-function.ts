/**
 * Embedded mode calls the user's own function objects (so breakpoints and stacks are the plain
 * local ones), but each parallel instance must own its copy, as a worker would: instance fields
 * are copied deeply, prototypes (the code) are shared.
 */
export function cloneFunction<T>(fn: T): T {
  if (typeof fn !== 'object' || fn === null) return fn;
  return cloneValue(fn, new Map()) as T;
}

function cloneValue(v: unknown, seen: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const known = seen.get(v);
  if (known !== undefined) return known;
  if (v instanceof Date) return new Date(v.getTime());
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): unknown }).slice();
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const item of v) out.push(cloneValue(item, seen));
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(cloneValue(k, seen), cloneValue(x, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(cloneValue(x, seen));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(v) as object | null) as Record<PropertyKey, unknown>;
  seen.set(v, out);
  for (const key of Reflect.ownKeys(v)) {
    const desc = Object.getOwnPropertyDescriptor(v, key)!;
    if ('value' in desc) desc.value = cloneValue(desc.value, seen);
    Object.defineProperty(out, key, desc);
  }
  return out;
}
