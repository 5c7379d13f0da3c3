import type { sluice } from '../../shared/generated/protocol.js';
import type { StateContext } from './state-context.ts';
import { StateId, type StateNamespace } from './state-id.ts';
import type { TtlPolicy } from './ttl-policy.ts';

/** What a state handle is built from. */
export interface HandleSpec {
  readonly ctx: StateContext;
  /** The wire name: `${operatorPrefix}/${descriptor.name}`. */
  readonly stateName: string;
  readonly kind: sluice.fn.v1.StateKind;
  readonly ttl: TtlPolicy;
  /**
   * The encoded key of the element (or timer) being processed. The bytes it returns must not
   * be changed afterwards (a handle recognises the key it saw last by identity).
   */
  readonly currentKey: () => Uint8Array;
}

/**
 * What every state handle shares: its wire name and kind, its TTL policy, and how one call
 * starts. Each call captures the current key once, when it is made; everything the call does,
 * even after an await, uses that key.
 */
export abstract class StateHandle {
  protected readonly ctx: StateContext;
  readonly stateName: string;
  readonly kind: sluice.fn.v1.StateKind;
  protected readonly ttl: TtlPolicy;
  private readonly currentKey: () => Uint8Array;
  private readonly namespace: StateNamespace;
  private declaredIn = -1;
  /** The last key seen and its id: the calls of one element share its key bytes. */
  private lastKey: Uint8Array | null = null;
  private lastId: StateId | null = null;

  constructor(spec: HandleSpec) {
    this.ctx = spec.ctx;
    this.stateName = spec.stateName;
    this.kind = spec.kind;
    this.ttl = spec.ttl;
    this.currentKey = spec.currentKey;
    this.namespace = spec.ctx.namespace(spec.stateName);
  }

  /** Starts a call: declares the state on its first use, returns the key the call is about. */
  protected begin(): Uint8Array {
    this.declareOnce();
    return this.currentKey();
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
    return this.ttl.enabled ? this.ctx.clock() : 0;
  }

  /** The cache id of this state under `key`. */
  protected idOf(key: Uint8Array): StateId {
    if (key !== this.lastKey || this.lastId === null) {
      this.lastId = new StateId(this.namespace, key);
      this.lastKey = key;
    }
    return this.lastId;
  }

  /**
   * The wire key of this state under `key`, for an entry or a read to keep. The key bytes are
   * copied: the caller's are often a view into a whole input batch, which a cache entry would
   * otherwise keep alive (and which its owner may reuse).
   */
  protected stateKey(key: Uint8Array): sluice.fn.v1.IStateKey {
    return { stateName: this.stateName, kind: this.kind, key: key.slice() };
  }
}
