/**
 * The host's side of the State service for one UDF subtask: a worker's StateRequest applied to
 * the subtask's keyed state backend and, for a broadcast process function, its broadcast state.
 *
 * One request may carry both (the worker's StateWire sends writes in the order they were made,
 * whatever state they go to). The whole request is checked before any of it is applied, so that
 * a refused request changes nothing: the broadcast operations are planned first, then the keyed
 * ones are applied (KeyedStateBackend.apply throws having applied none), then the broadcast
 * ones (which cannot fail once planned). The two touch separate states, so applying each
 * kind's operations in their order gives the results the request's order would; they are
 * answered in the request's order. A refused keyed operation is numbered among the keyed
 * operations of the request.
 */
import { ProtocolError } from '../../shared/errors/errors.ts';
import { StateKind, type StateOperation, type StateRequest, type StateResponse, type StateResult } from '../../shared/protocol/messages.ts';
import { isBroadcastKind } from '../../shared/protocol/co-functions.ts';
import { transformId, type UdfStage } from '../graph/plan.ts';
import { BroadcastStateStore, type BroadcastSnapshot } from '../state/broadcast-state-store.ts';
import type { KeyedStateBackend, KeyGroupRange } from '../state/keyed-state-backend.ts';
import { refusal } from '../state/request-plan.ts';

export interface SubtaskState {
  /** The operator's name, for messages. */
  operator: string;
  /** Keyed state (null when the stage is not keyed), with the key groups this subtask owns. */
  keyed: { backend: KeyedStateBackend; owned: KeyGroupRange; maxParallelism: number } | null;
  /** Broadcast state (null unless the stage's head is a broadcast process function). */
  broadcast: BroadcastStateStore | null;
  /** State requests answered, and the operations they carried: counted here. */
  stats: { requests: number; operations: number };
}

export function serveState(request: StateRequest, state: SubtaskState): StateResponse {
  const operations = request.operations ?? [];
  const broadcastOps: { index: number; operation: StateOperation }[] = [];
  for (let i = 0; i < operations.length; i++) {
    const operation = operations[i]!;
    if (operation.key?.kind === StateKind.BROADCAST) broadcastOps.push({ index: i, operation });
  }
  // The common case, a keyed request, goes to the backend as it came.
  const keyedOps = broadcastOps.length === 0 ? operations : operations.filter((o) => o.key?.kind !== StateKind.BROADCAST);
  if (keyedOps.length > 0 && state.keyed === null) throw new ProtocolError(`operator '${state.operator}' is not keyed: it has no keyed state`);
  const store = state.broadcast;
  if (broadcastOps.length > 0 && store === null) {
    const { index, operation } = broadcastOps[0]!;
    throw refusal(index, operation.op ?? 0, operation.key?.stateName ?? '', `operator '${state.operator}' has no broadcast state`);
  }
  state.stats.requests++;
  const planned = store === null || broadcastOps.length === 0 ? null : store.plan(broadcastOps);
  let keyedResults: StateResult[] = [];
  if (keyedOps.length > 0) {
    const { backend, owned, maxParallelism } = state.keyed!;
    const applied = backend.operationsApplied;
    keyedResults = backend.apply(keyedOps, { owned, maxParallelism, instructionId: request.instructionId ?? '' });
    state.stats.operations += backend.operationsApplied - applied;
  }
  if (planned === null) return { results: keyedResults };
  const broadcastResults = store!.apply(planned);
  state.stats.operations += planned.length;
  if (keyedResults.length === 0) return { results: broadcastResults };
  const results = new Array<StateResult>(operations.length);
  let k = 0;
  let b = 0;
  for (let i = 0; i < operations.length; i++) {
    results[i] = b < broadcastOps.length && broadcastOps[b]!.index === i ? broadcastResults[b++]! : keyedResults[k++]!;
  }
  return { results };
}

/**
 * The broadcast state of a subtask of `stage` when its head is a broadcast process function
 * (else null): its declared states, with `restored`'s entries (see broadcastSnapshotFor).
 */
export function broadcastStoreFor(stage: UdfStage, restored: BroadcastSnapshot | undefined): BroadcastStateStore | null {
  const head = stage.transforms[0]!;
  if (!isBroadcastKind(head.udf)) return null;
  const store = new BroadcastStateStore(transformId(head), head.broadcastStates.map((d) => d.name));
  if (restored !== undefined) store.restore(restored);
  return store;
}
