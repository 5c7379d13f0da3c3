/**
 * Embedded mode calls the user's own function objects (so breakpoints and stacks are the plain
 * local ones), but each parallel instance must own its copy, as a worker would: instance fields
 * are copied deeply, prototypes (the code) are shared.
 */
export function cloneFunction<T>(fn: T): T {
  if (typeof fn !== 'object' || fn === null) return fn;
  return cloneValue(fn, new Map(), () => true) as T;
}

/**
 * A fresh copy of a host-side function object (a SourceFunction) for one attempt, as Flink
 * deserialises a fresh one for each: the object gets its prototype and its own fields, the
 * plain data among them (numbers, flags, arrays, plain objects, Maps, Sets, Dates, typed
 * arrays) copied deeply. Anything else it holds (a client, a connection, a promise, an instance
 * of a class, a function) is shared with the original: host-side functions may hold such things,
 * and a copy of them would not work.
 */
export function copyHostFunction<T extends object>(fn: T): T {
  return cloneValue(fn, new Map(), (v) => v === fn || isPlainData(v)) as T;
}

function isPlainData(v: object): boolean {
  if (Array.isArray(v) || v instanceof Map || v instanceof Set || v instanceof Date || ArrayBuffer.isView(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function cloneValue(v: unknown, seen: Map<object, unknown>, copies: (v: object) => boolean): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (!copies(v)) return v;
  const known = seen.get(v);
  if (known !== undefined) return known;
  if (v instanceof Date) return new Date(v.getTime());
  if (ArrayBuffer.isView(v)) return (v as unknown as { slice(): unknown }).slice();
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const item of v) out.push(cloneValue(item, seen, copies));
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(cloneValue(k, seen, copies), cloneValue(x, seen, copies));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(cloneValue(x, seen, copies));
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(v) as object | null) as Record<PropertyKey, unknown>;
  seen.set(v, out);
  for (const key of Reflect.ownKeys(v)) {
    const desc = Object.getOwnPropertyDescriptor(v, key)!;
    if ('value' in desc) desc.value = cloneValue(desc.value, seen, copies);
    Object.defineProperty(out, key, desc);
  }
  return out;
}
