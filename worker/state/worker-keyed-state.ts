import type { sluice } from '../../shared/generated/protocol.js';
import { BroadcastStates } from './broadcast-state.ts';
import type { CurrentKey } from './current-key.ts';
import { WorkerOperatorState, type OperatorStateAccess } from './operator-state.ts';
import type { StateChannel } from './state-channel.ts';
import { StateContext } from './state-context.ts';
import { checkWorkerStateOptions, type StateValueCodec, type WorkerStateOptions } from './worker-state-options.ts';

export type { BroadcastStates } from './broadcast-state.ts';
export type { CurrentKey } from './current-key.ts';
export type { OperatorStateAccess } from './operator-state.ts';
export type { StateValueCodec, WorkerStateOptions } from './worker-state-options.ts';

export interface WorkerStateStats {
  /** StateRequests sent. */
  requests: number;
  /** Operations sent, over all requests. */
  operations: number;
  cacheHits: number;
  cacheMisses: number;
  cachedEntries: number;
  cachedBytes: number;
}

/**
 * The worker's keyed state: user functions read and write it through handles; the host's keyed
 * state backend is the truth.
 *
 *   function         cache (LRU)            wire              host
 *   update(v) ─────▶ entry = v (dirty)
 *   value() ───────▶ hit: the value
 *   value() miss ──▶ its pending writes ──▶ batch + GET ───▶ applies in order, answers
 *                    (the function's thread blocks until the answer is in)
 *   prefetch ──────▶ GETs of a batch's keys, one request, before its rows run
 *   finishBundle() ▶ every dirty entry ───▶ batches ───────▶ acks; then it resolves
 *
 * Reads are synchronous, as in Flink; one the cache cannot serve blocks until the host has
 * answered. Writes never wait: they are applied to the cache and sent in batches, on eviction,
 * before a read of the same state, and at finishBundle().
 */
export class WorkerKeyedState {
  private readonly ctx: StateContext;

  constructor(channel: StateChannel, options: WorkerStateOptions, codec: StateValueCodec) {
    checkWorkerStateOptions(options);
    this.ctx = new StateContext(channel, options, codec);
  }

  /**
   * State handles for one operator; `currentKey` is the encoded key of the element (or timer)
   * being processed. Whatever is kept of it is copied.
   */
  forOperator(operatorPrefix: string, currentKey: CurrentKey): OperatorStateAccess {
    return new WorkerOperatorState(this.ctx, operatorPrefix, currentKey);
  }

  /**
   * The broadcast states of transform `transformId` (a broadcast process function), holding
   * `contents` (the registration's Transform.broadcast_states): its writes go to the host with
   * the keyed state's, and finishBundle() waits for them too. It needs no keyed input.
   */
  broadcastStates(transformId: string, contents: readonly sluice.fn.v1.IBroadcastStateContents[]): BroadcastStates {
    return new BroadcastStates(this.ctx, transformId, contents);
  }

  /**
   * The records of bundle `instructionId` start (the previous bundle's records are all done,
   * though it may still be committing). Map iterations left open cannot go on in a new bundle.
   */
  beginBundle(instructionId: string): void {
    this.ctx.wire.instructionId = instructionId;
    this.ctx.mapIterations.clear();
  }

  /**
   * Sends every pending write and resolves when the host has acknowledged all of them. A bundle
   * is done only then. Rejects with a StateAccessError if any request since the last
   * finishBundle failed.
   */
  async finishBundle(): Promise<void> {
    this.ctx.cache.writeBackAll();
    await this.ctx.wire.drain();
  }

  /** Drops the cache and unsent writes (worker restart or state restore). */
  reset(): void {
    this.ctx.reset();
  }

  stats(): WorkerStateStats {
    const { wire, cache } = this.ctx;
    return {
      requests: wire.requests,
      operations: wire.operations,
      cacheHits: cache.hits,
      cacheMisses: cache.misses,
      cachedEntries: cache.size,
      cachedBytes: cache.bytes,
    };
  }
}
