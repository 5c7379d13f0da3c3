import type { sluice } from '../../shared/generated/protocol.js';
import type { CurrentKey } from './current-key.ts';
import type { StateContext } from './state-context.ts';
import { StateId, type StateNamespace } from './state-id.ts';
import type { TtlPolicy } from './ttl-policy.ts';

const NO_KEY = new Uint8Array(0);

/** What a state handle is built from. */
export interface HandleSpec {
  readonly ctx: StateContext;
  /** The wire name: `${operatorPrefix}/${descriptor.name}`. */
  readonly stateName: string;
  readonly kind: sluice.fn.v1.StateKind;
  readonly ttl: TtlPolicy;
  /** The encoded key of the element (or timer) being processed. */
  readonly currentKey: CurrentKey;
}

/**
 * What every state handle shares: its wire name and kind, its TTL policy, and how one call
 * starts. Each call takes the current key's id once, when it is made; everything the call does
 * uses that id.
 */
export abstract class StateHandle {
  protected readonly ctx: StateContext;
  readonly stateName: string;
  readonly kind: sluice.fn.v1.StateKind;
  protected readonly ttl: TtlPolicy;
  /** ttl.enabled, read once: the hit path tests it per call. */
  protected readonly ttlEnabled: boolean;
  private readonly currentKey: CurrentKey;
  /** The state and the namespace calls are about (setCurrentNamespace changes it). */
  protected namespace: StateNamespace;
  /**
   * The wire key of this state without a key (stateName, kind and namespace), one object shared
   * by what names the state alone in its current namespace.
   */
  protected wireState: sluice.fn.v1.IStateKey;
  /** Whether setCurrentNamespace was ever called: such a handle's namespace changes between calls. */
  namespaced = false;
  private declaredIn = -1;
  /**
   * The id of the current key, as of the key's serial seen last: the calls of one element share
   * it, and the next element's key resets it (it is this handle's probe into the cache: an
   * entry copies what it keeps of it, and anything else that keeps an id keeps an owned() copy).
   */
  protected keySerial = -1;
  private probe: StateId;

  constructor(spec: HandleSpec) {
    this.ctx = spec.ctx;
    this.stateName = spec.stateName;
    this.kind = spec.kind;
    this.ttl = spec.ttl;
    this.ttlEnabled = spec.ttl.enabled;
    this.currentKey = spec.currentKey;
    this.namespace = spec.ctx.namespace(spec.stateName);
    this.wireState = { stateName: spec.stateName, kind: spec.kind };
    this.probe = new StateId(this.namespace, NO_KEY, 0, 0);
  }

  /**
   * Makes the calls after it about `namespace` (Flink's InternalKvState.setCurrentNamespace):
   * the window operator keeps a window's contents in the window's namespace. The empty
   * namespace is the default one, a function's own state's.
   */
  setCurrentNamespace(namespace: Uint8Array): void {
    this.namespaced = true;
    const ns = this.ctx.namespace(this.stateName, namespace);
    if (ns === this.namespace) return;
    // Another object for the same namespace (it was released and made again) needs no change.
    if (ns.sameAs(this.namespace)) return;
    this.namespace = ns;
    this.wireState = { stateName: this.stateName, kind: this.kind, namespace: ns.namespace.length === 0 ? undefined : ns.namespace };
    this.probe = new StateId(ns, NO_KEY, 0, 0);
    this.keySerial = -1;
    this.namespaceChanged();
  }

  /** Forgets `namespace`, whose state is done with (StateContext.releaseNamespace says when that may be). */
  releaseNamespace(namespace: Uint8Array): void {
    this.ctx.releaseNamespace(this.stateName, namespace);
  }

  /** Forgets what a handle derived from its namespace (see SingleValueHandle). */
  protected namespaceChanged(): void {}

  /** Starts a call: declares the state on its first use, returns the id of the key the call is about. */
  protected begin(): StateId {
    this.declareOnce();
    const key = this.currentKey;
    if (key.serial !== this.keySerial) {
      this.probe.set(key.keyData(), key.keyStart, key.keyLength);
      this.keySerial = key.serial;
    }
    return this.probe;
  }

  protected declareOnce(): void {
    if (this.declaredIn !== this.ctx.generation) {
      this.ctx.declare(this.stateName, this.kind, this.ttl);
      this.declaredIn = this.ctx.generation;
    }
  }

  /**
   * The time of a call, for TTL (stamps and expiry). A state without TTL reads no clock: that
   * costs ~50 ns here, twice a record in a read-modify-write. Its operations carry time 0,
   * which the host takes as its own clock.
   */
  protected now(): number {
    return this.ttlEnabled ? this.ctx.clock() : 0;
  }

  /**
   * The wire key of this state under `id`'s key, for an entry or a read to keep. The key bytes
   * are copied: an element's are in its whole input batch, which a cache entry would otherwise
   * keep alive (and which its owner may reuse).
   */
  protected stateKey(id: StateId): sluice.fn.v1.IStateKey {
    return { stateName: this.stateName, kind: this.kind, key: id.copyKey(), namespace: this.wireState.namespace };
  }
}
