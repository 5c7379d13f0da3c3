import { sluice } from '../../shared/generated/protocol.js';
import { bytesKey, NO_BYTES } from './bytes.ts';
import { StateCache } from './state-cache.ts';
import { StateNamespace, type StateId } from './state-id.ts';
import type { StateChannel } from './state-channel.ts';
import { StateWire } from './state-wire.ts';
import type { TtlPolicy } from './ttl-policy.ts';
import {
  DEFAULT_WRITE_BATCH_SIZE,
  WRITE_BATCH_MAX_BYTES,
  type StateValueCodec,
  type WorkerStateOptions,
} from './worker-state-options.ts';
import type { MapWriteLog } from './map-write-log.ts';

/**
 * What every state handle of one worker shares: the wire, the cache, the codec, the clock, the
 * states declared so far, and the map iterations under way.
 */
export class StateContext {
  /** Bumped by reset(): states are declared again, in-flight reads no longer install. */
  generation = 0;
  readonly wire: StateWire;
  readonly cache: StateCache;
  readonly clock: () => number;
  /** Map iterations under way, by the cache id (StateId.text) of the map they walk. */
  readonly mapIterations = new Map<string, Set<MapWriteLog>>();
  private readonly namespaces = new Map<string, StateNamespace>();
  private readonly stateIndexes = new Map<string, number>();

  private readonly declared = new Set<string>();

  constructor(
    channel: StateChannel,
    readonly options: WorkerStateOptions,
    readonly codec: StateValueCodec,
  ) {
    this.clock = options.clock ?? Date.now;
    this.wire = new StateWire(channel, options.writeBatchSize ?? DEFAULT_WRITE_BATCH_SIZE, WRITE_BATCH_MAX_BYTES, () =>
      // A refused request leaves cached writes the host may not have: the cache is no longer
      // a copy of the host, so it goes; reads ask the host again.
      this.cache.clear(),
    );
    this.cache = new StateCache(options.cacheSize, options.cacheMaxBytes, this.wire);
  }

  /**
   * The namespace of the state called `stateName` in `namespace` (default: the empty one), the
   * same object for every handle of it while it is registered.
   */
  namespace(stateName: string, namespace: Uint8Array = NO_BYTES): StateNamespace {
    const label = namespace.length === 0 ? stateName : `${stateName}\u0000${bytesKey(namespace)}`;
    let ns = this.namespaces.get(label);
    if (ns === undefined) this.namespaces.set(label, (ns = new StateNamespace(this.stateIndex(stateName), stateName, namespace.slice())));
    return ns;
  }

  /** The number of the state called `stateName` (kept for good: a state name's namespaces share it). */
  private stateIndex(stateName: string): number {
    let index = this.stateIndexes.get(stateName);
    if (index === undefined) this.stateIndexes.set(stateName, (index = this.stateIndexes.size));
    return index;
  }

  /**
   * Forgets a namespace's object (a window the window operator has purged for some key), so that
   * the registry does not grow with every window a job ever had. Its cache entries stay until
   * evicted, written back as usual; other keys may still use the namespace: the object made for
   * it next is the same state to the cache (StateNamespace.sameAs), and finds those entries.
   */
  releaseNamespace(stateName: string, namespace: Uint8Array): void {
    if (namespace.length > 0) this.namespaces.delete(`${stateName}\u0000${bytesKey(namespace)}`);
  }

  /** Queues the DECLARE of a state the first time it is used; it precedes the state's writes. */
  declare(stateName: string, kind: sluice.fn.v1.StateKind, ttl: TtlPolicy): void {
    if (this.declared.has(stateName)) return;
    this.declared.add(stateName);
    this.wire.push(
      {
        key: { stateName, kind, key: NO_BYTES },
        op: sluice.fn.v1.StateOp.DECLARE,
        ttl: ttl.toWire(),
        time: this.clock(),
      },
      stateName.length + 32,
    );
  }

  /** The map iterations under way over the map `id`. */
  iterationsOf(id: StateId): Set<MapWriteLog> | undefined {
    return this.mapIterations.size === 0 ? undefined : this.mapIterations.get(id.text);
  }

  reset(): void {
    this.generation++;
    this.cache.clear();
    this.wire.discardPending();
    this.declared.clear();
    this.mapIterations.clear();
  }
}
