/**
 * The value a module-level name has right now, as a function that uses it sees it, read
 * through the V8 inspector (the function's [[Scopes]], as a debugger shows them). This is how
 * a `const` of the job file reaches a worker by value, the way cloudpickle ships a Python
 * function's globals, without the worker ever running the job file.
 *
 *   fn ─ [[Scopes]] ─▶ Module { FACTOR: 3, late: OutputTag, … } ─▶ the value of `FACTOR`
 *
 * Only names a scope holds in a context are listed there: those some function refers to.
 * A name the function's body uses always is; one only a class's `extends` clause uses may not
 * be (the shipper reads that one from the class's prototype).
 */
import { OBJECT_GROUP, post, PROBE } from './script-inspector.ts';

export type ClosedOverValue = { found: true; value: unknown } | { found: false };

interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  unserializableValue?: string;
  objectId?: string;
  description?: string;
}

interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
}

/** The value of `name` in the innermost scope of `fn` that has it; globals are not searched. */
export function closedOverValue(fn: Function, name: string): ClosedOverValue {
  const holder = globalThis as Record<string, unknown>;
  holder[PROBE] = fn;
  try {
    const fnId = evaluateProbe();
    if (fnId === undefined) return { found: false };
    const scopes = propertiesOf(fnId, true).find((p) => p.name === '[[Scopes]]')?.value?.objectId;
    if (scopes === undefined) return { found: false };
    for (const scope of propertiesOf(scopes, false)) {
      if (scope.value?.objectId === undefined || scope.value.description === 'Global') continue;
      const variable = propertiesOf(scope.value.objectId, false).find((p) => p.name === name);
      if (variable?.value !== undefined) return { found: true, value: valueOf(variable.value) };
    }
    return { found: false };
  } finally {
    delete holder[PROBE];
    post('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP }, () => {});
  }
}

function evaluateProbe(): string | undefined {
  let objectId: string | undefined;
  post('Runtime.evaluate', { expression: `globalThis.${PROBE}`, objectGroup: OBJECT_GROUP }, (result) => {
    objectId = (result as { result: RemoteObject }).result.objectId;
  });
  return objectId;
}

function propertiesOf(objectId: string, internal: boolean): PropertyDescriptor[] {
  let found: PropertyDescriptor[] = [];
  post('Runtime.getProperties', { objectId, ownProperties: true }, (result) => {
    const r = result as { result?: PropertyDescriptor[]; internalProperties?: PropertyDescriptor[] };
    found = (internal ? r.internalProperties : r.result) ?? [];
  });
  return found;
}

/** The JS value a remote object stands for: primitives from their description, objects fetched. */
function valueOf(remote: RemoteObject): unknown {
  if (remote.type === 'undefined') return undefined;
  if (remote.unserializableValue !== undefined) return unserializable(remote.unserializableValue);
  if (remote.objectId === undefined) return remote.value;
  const holder = globalThis as Record<string, unknown>;
  delete holder[PROBE];
  post(
    'Runtime.callFunctionOn',
    { objectId: remote.objectId, functionDeclaration: `function () { "use strict"; globalThis.${PROBE} = this; }` },
    () => {},
  );
  return holder[PROBE];
}

function unserializable(text: string): unknown {
  if (text.endsWith('n')) return BigInt(text.slice(0, -1));
  if (text === '-0') return -0;
  return Number(text);
}
