/**
 * Checks a whole state request before any of it is applied, and resolves each operation to
 * where it lands. Everything that could refuse the request is checked here, so that applying
 * the plan cannot fail half-way: a refused request changes nothing.
 */
import { StateAccessError } from '../../shared/errors/errors.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { EMPTY_BYTES, latin1, recordKeyOf } from './byte-keys.ts';
import { formatRange, keyGroupOfHash, type KeyGroupRange } from './key-groups.ts';
import { murmur3x86_32 } from './murmur3.ts';
import { decodeToken, type ContinuationToken, type MapIteration, type MapIterations } from './map-iterations.ts';
import type { StateInfo, StateKind, StateTarget } from './state-store.ts';
import { ttlPolicyOf, type TtlPolicy } from './state-ttl.ts';
import type { PlannedPuts, PutBatchReader } from './put-batches.ts';
import { decodeTimerTimestamp, parseTimerStateName } from './timers.ts';
import { entryHash, namespaceHash } from './value-table.ts';

const Kind = sluice.fn.v1.StateKind;
const Op = sluice.fn.v1.StateOp;
type StateOp = sluice.fn.v1.StateOp;
export type StateOperation = sluice.fn.v1.IStateOperation;

/** MAP_ITERATE's page size when the request gives none. */
export const DEFAULT_MAP_PAGE_SIZE = 1000;

const OPS_BY_KIND: ReadonlyMap<StateKind, ReadonlySet<StateOp>> = new Map<StateKind, ReadonlySet<StateOp>>([
  [Kind.VALUE, new Set([Op.GET, Op.PUT, Op.CLEAR, Op.DECLARE])],
  [Kind.REDUCING, new Set([Op.GET, Op.PUT, Op.CLEAR, Op.DECLARE])],
  [Kind.AGGREGATING, new Set([Op.GET, Op.PUT, Op.CLEAR, Op.DECLARE])],
  [Kind.LIST, new Set([Op.GET, Op.APPEND, Op.PUT, Op.CLEAR, Op.DECLARE])],
  [
    Kind.MAP,
    new Set([Op.MAP_GET, Op.PUT, Op.REMOVE, Op.MAP_IS_EMPTY, Op.MAP_ITERATE, Op.MAP_ITERATE_RELEASE, Op.CLEAR, Op.DECLARE]),
  ],
  [Kind.TIMER, new Set([Op.PUT, Op.REMOVE, Op.DECLARE])],
]);

export interface StateRequestContext {
  /** The key groups the requesting worker owns. */
  owned: KeyGroupRange;
  maxParallelism: number;
  /** The bundle the request belongs to; map iterations it opens end with it. */
  instructionId: string;
}

export interface PlannedOperation {
  readonly op: StateOp;
  readonly kind: StateKind;
  /** `ttl` is filled in when the operation is applied: a DECLARE earlier in the request may change it. */
  readonly target: StateTarget;
  readonly operation: StateOperation;
  /** MAP ops: map_key as latin1. */
  readonly mapKey: string;
  /** TIMER ops: the timestamp. */
  readonly timestamp: number;
  /** MAP_ITERATE. */
  readonly pageSize: number;
  /** MAP_ITERATE continuing, or MAP_ITERATE_RELEASE: the token and, if still open, its iteration. */
  readonly token: ContinuationToken | null;
  readonly iteration: MapIteration | undefined;
  /** DECLARE. */
  readonly ttl: TtlPolicy | null;
  /** PUT_BATCH: its rows. */
  readonly puts: PlannedPuts | null;
}

export interface PlanEnvironment {
  maxParallelism: number;
  states: ReadonlyMap<string, StateInfo>;
  iterations: MapIterations;
  putBatches: PutBatchReader;
}

function kindName(kind: number): string {
  return Kind[kind] ?? `kind ${kind}`;
}

function opName(op: number): string {
  return Op[op] ?? `op ${op}`;
}

/** MAP_ITERATE's page size: values[0] as a uint32 big-endian > 0, else the default; a string says why not. */
function pageSizeOf(values: Uint8Array[]): number | string {
  const first = values[0];
  if (first === undefined) return DEFAULT_MAP_PAGE_SIZE;
  if (first.length !== 4) return `MAP_ITERATE's page size (values[0]) must be 4 bytes, got ${first.length}`;
  const size = new DataView(first.buffer, first.byteOffset, 4).getUint32(0);
  return size === 0 ? "MAP_ITERATE's page size must be positive" : size;
}

/** `index` names the operation: its number in the request, or a description of where it is. */
export function refusal(index: number | string, op: number, stateName: string, why: string): StateAccessError {
  return new StateAccessError(
    `state request refused, nothing in it was applied: operation ${index} (${opName(op)} on state '${stateName}'): ${why}`,
  );
}

/** A state has one kind: the one the backend knows, or its first use in this request (recorded in `inRequest`). */
function checkKind(
  states: ReadonlyMap<string, StateInfo>,
  inRequest: Map<string, StateKind>,
  stateName: string,
  kind: StateKind,
  op: StateOp,
  index: number,
): void {
  const known = states.get(stateName)?.kind ?? inRequest.get(stateName);
  if (known === undefined) inRequest.set(stateName, kind);
  else if (known !== kind) throw refusal(index, op, stateName, `the state is ${kindName(known)} state, not ${kindName(kind)}`);
}

/** The plan of an operation that names no single key: DECLARE (its `ttl`), PUT_BATCH (its `puts`, each row's key). */
function keyless(
  operation: StateOperation,
  op: StateOp,
  kind: StateKind,
  stateName: string,
  parts: { ttl?: TtlPolicy | null; puts?: PlannedPuts },
): PlannedOperation {
  return {
    op,
    kind,
    target: { keyGroup: -1, stateName, recordKey: '', key: EMPTY_BYTES, namespace: EMPTY_BYTES, hash: 0, ttl: null },
    operation,
    mapKey: '',
    timestamp: 0,
    pageSize: 0,
    token: null,
    iteration: undefined,
    ttl: parts.ttl ?? null,
    puts: parts.puts ?? null,
  };
}

// A plain loop and no per-operation closures: this runs for every state operation, and tsx
// (esbuild keepNames) wraps each function expression created at run time in a naming helper.
export function planRequest(operations: readonly StateOperation[], ctx: StateRequestContext, env: PlanEnvironment): PlannedOperation[] {
  const owned = ctx.owned;
  if (ctx.maxParallelism !== env.maxParallelism) {
    throw new StateAccessError(
      `state request refused: it assumes max parallelism ${ctx.maxParallelism}, the backend has ${env.maxParallelism}`,
    );
  }
  if (!(owned.start >= 0 && owned.start <= owned.end && owned.end < env.maxParallelism)) {
    throw new StateAccessError(`state request refused: invalid owned key-group range ${formatRange(owned)}`);
  }
  const kindsInRequest = new Map<string, StateKind>();
  const iterationsUsed = new Set<number>();
  let lastKey = '';
  let lastKeyGroup = -1;
  let lastKeyHash = 0;
  const plan = new Array<PlannedOperation>(operations.length);

  for (let index = 0; index < operations.length; index++) {
    const operation = operations[index]!;
    const stateName = operation.key?.stateName ?? '';
    const kind: StateKind = operation.key?.kind ?? Kind.STATE_KIND_UNSPECIFIED;
    const op: StateOp = operation.op ?? Op.STATE_OP_UNSPECIFIED;
    if (stateName === '') throw refusal(index, op, stateName, 'it names no state');
    if (op === Op.PUT_BATCH) {
      checkKind(env.states, kindsInRequest, stateName, kind, op, index);
      plan[index] = keyless(operation, op, kind, stateName, { puts: env.putBatches.plan(operation, index, owned, env.maxParallelism) });
      continue;
    }
    const allowed = OPS_BY_KIND.get(kind);
    if (allowed === undefined) throw refusal(index, op, stateName, `unknown state kind ${kindName(kind)}`);
    if (!allowed.has(op)) throw refusal(index, op, stateName, `${opName(op)} is not an operation of ${kindName(kind)} state`);

    if (kind === Kind.TIMER) {
      if (parseTimerStateName(stateName) === null) {
        throw refusal(index, op, stateName, "a timer state is named '<operator>/event-time' or '<operator>/processing-time'");
      }
    } else {
      checkKind(env.states, kindsInRequest, stateName, kind, op, index);
    }

    let ttl: TtlPolicy | null = null;
    if (op === Op.DECLARE) {
      try {
        ttl = ttlPolicyOf(operation.ttl, stateName);
      } catch (e) {
        throw refusal(index, op, stateName, (e as Error).message);
      }
      if (kind === Kind.TIMER && ttl !== null) throw refusal(index, op, stateName, 'timers have no TTL');
      plan[index] = keyless(operation, op, kind, stateName, { ttl });
      continue;
    }

    const keyBytes = operation.key?.key ?? EMPTY_BYTES;
    const keyLatin1 = latin1(keyBytes);
    if (keyLatin1 !== lastKey || lastKeyGroup < 0) {
      lastKey = keyLatin1;
      lastKeyHash = murmur3x86_32(keyBytes, 0);
      lastKeyGroup = keyGroupOfHash(lastKeyHash, env.maxParallelism);
    }
    const keyGroup = lastKeyGroup;
    if (keyGroup < owned.start || keyGroup > owned.end) {
      throw refusal(
        index,
        op,
        stateName,
        `its key is in key group ${keyGroup}, outside the key groups this worker owns ${formatRange(owned)}`,
      );
    }
    const namespace = operation.key?.namespace ?? EMPTY_BYTES;
    const recordKey = recordKeyOf(keyLatin1, namespace);
    const values = operation.values ?? [];
    const rawMapKey = operation.mapKey ?? EMPTY_BYTES;

    if (op === Op.PUT && kind !== Kind.LIST && kind !== Kind.TIMER && values.length !== 1) {
      throw refusal(index, op, stateName, `PUT takes exactly one value, got ${values.length}`);
    }
    let timestamp = 0;
    if (kind === Kind.TIMER) {
      const t = decodeTimerTimestamp(rawMapKey);
      if (t === null) {
        throw refusal(index, op, stateName, 'map_key must be the timer timestamp as an 8-byte big-endian float64 (not NaN)');
      }
      timestamp = t;
    }
    let pageSize = 0;
    let token: ContinuationToken | null = null;
    let iteration: MapIteration | undefined;
    if (op === Op.MAP_ITERATE) {
      const size = pageSizeOf(values);
      if (typeof size === 'string') throw refusal(index, op, stateName, size);
      pageSize = size;
    }
    const continuation = operation.continuation ?? EMPTY_BYTES;
    if ((op === Op.MAP_ITERATE && continuation.length > 0) || op === Op.MAP_ITERATE_RELEASE) {
      token = decodeToken(continuation);
      if (token === null) throw refusal(index, op, stateName, 'malformed continuation token');
      if (iterationsUsed.has(token.id)) throw refusal(index, op, stateName, 'the request uses the same map iteration twice');
      iterationsUsed.add(token.id);
      iteration = env.iterations.get(token.id);
      if (iteration === undefined && op === Op.MAP_ITERATE) {
        throw refusal(index, op, stateName, 'the map iteration is no longer open (it finished, was released, or its bundle ended)');
      }
      if (iteration !== undefined) {
        if (iteration.stateName !== stateName || iteration.recordKey !== recordKey) {
          throw refusal(index, op, stateName, 'the continuation token belongs to another state, key or namespace');
        }
        if (token.position > iteration.keys.length) {
          throw refusal(index, op, stateName, 'the continuation token points past the iteration');
        }
      }
    }
    plan[index] = {
      op,
      kind,
      target: {
        keyGroup,
        stateName,
        recordKey,
        key: keyBytes,
        namespace,
        hash: entryHash(lastKeyHash, namespaceHash(namespace)),
        ttl: null,
      },
      operation,
      mapKey: kind === Kind.MAP ? latin1(rawMapKey) : '',
      timestamp,
      pageSize,
      token,
      iteration,
      ttl,
      puts: null,
    };
  }
  return plan;
}
