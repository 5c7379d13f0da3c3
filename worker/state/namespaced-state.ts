/**
 * Keyed state in a namespace other than the default one, for the window operator: it keeps a
 * window's contents under the window's namespace (the host addresses state by name, key and
 * namespace), in the same kinds of state a user's function has, through the same cache.
 */
import { StateHandle } from './state-handle.ts';

export interface Namespaced {
  /** The calls after it are about `namespace` (a window's bytes). */
  setCurrentNamespace(namespace: Uint8Array): void;
  /** `namespace` is done with: its state was cleared and will not be used again. */
  releaseNamespace(namespace: Uint8Array): void;
}

/** `state` (a handle OperatorStateAccess gave) with its namespace settable. */
export function namespaced<S>(state: S): S & Namespaced {
  if (!(state instanceof StateHandle)) throw new TypeError('only the worker keyed state handles have namespaces');
  return state as S & Namespaced;
}
