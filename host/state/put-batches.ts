/**
 * The host's side of PUT_BATCH (shared/protocol/put-batch.ts): a run of value PUTs to one state
 * in one Arrow batch. Every row is checked as a PUT of its own would be (its key must be in
 * the worker's key groups, it must carry a value) while the request is planned, so that a
 * refused row leaves the whole request unapplied; the rows are then applied in order, as those
 * PUTs would be. The rows are read straight from the batch's columns: an operation object, a
 * key view, a record-key string and a plan per row cost the host more than the PUT itself (a
 * bundle's write-back carries one row per key the bundle changed). Each key is hashed once,
 * for its key group and for its entry in the state's ValueTable, and a batch with the keys of
 * the last one from the same worker is not planned again (KeptPlan).
 */
import { BatchDecoder } from '../../shared/codec/batch-decoder.ts';
import type { KeyColumn } from '../../shared/codec/key-column.ts';
import { sameBytes } from '../../shared/codec/same-bytes.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { PUT_BATCH_LAYOUT } from '../../shared/protocol/put-batch.ts';
import { EMPTY_BYTES } from './byte-keys.ts';
import { formatRange, keyGroupOfHash, type KeyGroupRange } from './key-groups.ts';
import { murmur3x86_32Range } from './murmur3.ts';
import { refusal, type StateOperation } from './request-plan.ts';
import { entryHash, namespaceHash, type ValueTable } from './value-table.ts';

const Kind = sluice.fn.v1.StateKind;
const Op = sluice.fn.v1.StateOp;

const BATCHABLE = new Set<number>([Kind.VALUE, Kind.REDUCING, Kind.AGGREGATING]);

/** A PUT_BATCH's rows, checked: where each lands (its plan) and what it writes. */
export interface PlannedPuts {
  readonly length: number;
  /** The keys and the values, where the request's batch holds them: what is kept is copied. */
  readonly keys: KeyColumn;
  readonly values: KeyColumn;
  /** The namespace of every row. */
  readonly namespace: Uint8Array;
  /** The PUT's time; 0 or less: the host's clock. */
  readonly times: Float64Array;
  /** The rows' key groups, hashes and order, made for these keys or kept from the last batch of them. */
  readonly plan: KeptPlan;
}

/**
 * A plan kept for the next PUT_BATCH of the same state from the same worker (and with the same
 * first key: a write-back of more rows than a request holds comes in several). A bundle's
 * write-back names the keys the bundle changed, and the worker lists them in the order of the
 * last bundle's (worker/state/state-cache.ts): a job over a steady set of keys sends the same
 * key column bundle after bundle. When it does, the rows' key groups, hashes and order are
 * taken from here instead of being worked out again, and each row's entry in its key group's
 * table, recorded when it was last applied, is written without a lookup while that table is
 * the same and has not renumbered its entries.
 */
export interface KeptPlan {
  /** The key column's bytes and offsets, and the namespace, copied. */
  readonly keyData: Uint8Array;
  readonly keyOffsets: Int32Array;
  readonly namespace: Uint8Array;
  readonly maxParallelism: number;
  readonly keyGroups: Int32Array;
  /** Each row's ValueTable hash (value-table.ts entryHash). */
  readonly hashes: Int32Array;
  /**
   * The rows in key-group order (stably: one key's rows keep their order), the order to apply
   * them in: each key group's table is then visited once, its lines fetched once for all of
   * its rows, instead of every row going to another of up to max-parallelism tables.
   */
  readonly order: Int32Array;
  /** Each row's entry in its key group's table, as of tables[keyGroup] at renumberings[keyGroup]. */
  readonly entries: Int32Array;
  readonly tables: (ValueTable | null)[];
  readonly renumberings: Float64Array;
}

/** Plans are kept for this many (worker, state, first key) at most, the least recently used dropped. */
const MAX_KEPT_PLANS = 64;

export class PutBatchReader {
  private readonly decoder = new BatchDecoder(PUT_BATCH_LAYOUT);
  /** By worker (its key groups), first key and state name, in the order of their last use. */
  private readonly kept = new Map<string, KeptPlan>();

  /** How many plans are kept. */
  get keptPlans(): number {
    return this.kept.size;
  }

  /** Forgets every kept plan (the state was restored: what they point at is gone). */
  clear(): void {
    this.kept.clear();
  }

  /**
   * Reads operation `index` (a PUT_BATCH) of a request; throws StateAccessError, naming the
   * row when one is at fault, if the batch or any of its rows is refused.
   */
  plan(operation: StateOperation, index: number, owned: KeyGroupRange, maxParallelism: number): PlannedPuts {
    const stateName = operation.key?.stateName ?? '';
    const kind = operation.key?.kind ?? Kind.STATE_KIND_UNSPECIFIED;
    const refuse = (why: string) => refusal(index, Op.PUT_BATCH, stateName, why);
    if (!BATCHABLE.has(kind)) throw refuse(`PUT_BATCH is for value, reducing and aggregating state, not ${Kind[kind] ?? `kind ${kind}`}`);
    if ((operation.key?.key?.length ?? 0) !== 0) throw refuse('key.key must be empty: the batch carries the keys');
    let rows;
    try {
      // No view per row: keys and values are read where they are, and a value kept is copied.
      rows = this.decoder.decodeColumns(operation.batch ?? EMPTY_BYTES);
    } catch (e) {
      throw refuse((e as Error).message);
    }
    const keys = rows.keys;
    if (keys === null) throw refuse('the batch has no key column');
    const namespace = operation.key?.namespace ?? EMPTY_BYTES;
    const n = rows.length;
    const times = new Float64Array(n);
    for (let r = 0; r < n; r++) times[r] = rows.timestamps![r] ?? 0;
    // A write-back of more keys than a request holds comes in several batches, each with its own first key.
    const first = n === 0 ? 0 : murmur3x86_32Range(keys.data, keys.offsets[0]!, keys.offsets[1]!, 0);
    const keptAs = `${owned.start}-${owned.end}/${first}/${stateName}`;
    let kept = this.kept.get(keptAs);
    this.kept.delete(keptAs);
    if (kept === undefined || !sameKeys(kept, keys, namespace, maxParallelism)) {
      kept = this.planKeys(index, stateName, keys, namespace, owned, maxParallelism);
      if (this.kept.size >= MAX_KEPT_PLANS) this.kept.delete(this.kept.keys().next().value!);
    }
    this.kept.set(keptAs, kept);
    return { length: n, keys, values: rows.values, namespace, times, plan: kept };
  }

  /** Works out each row's key group, hash and place in the order to apply them; refuses a key outside `owned`. */
  private planKeys(index: number, stateName: string, keys: KeyColumn, namespace: Uint8Array, owned: KeyGroupRange, maxParallelism: number): KeptPlan {
    const n = keys.length;
    const nsHash = namespaceHash(namespace);
    const { data, offsets } = keys;
    const planned = {
      keyData: data.slice(0, offsets[n]),
      keyOffsets: offsets.slice(0, n + 1),
      namespace: namespace.slice(),
      maxParallelism,
      keyGroups: new Int32Array(n),
      hashes: new Int32Array(n),
      order: new Int32Array(n),
      entries: new Int32Array(n),
      tables: new Array<ValueTable | null>(maxParallelism).fill(null),
      renumberings: new Float64Array(maxParallelism),
    };
    for (let r = 0; r < n; r++) {
      const start = offsets[r]!;
      const end = offsets[r + 1]!;
      const hash = murmur3x86_32Range(data, start, end, 0);
      const keyGroup = keyGroupOfHash(hash, maxParallelism);
      if (keyGroup < owned.start || keyGroup > owned.end) {
        throw refusal(
          rowOf(index, r),
          Op.PUT,
          stateName,
          `its key is in key group ${keyGroup}, outside the key groups this worker owns ${formatRange(owned)}`,
        );
      }
      planned.keyGroups[r] = keyGroup;
      planned.hashes[r] = entryHash(hash, nsHash);
    }
    sortByKeyGroup(planned.keyGroups, maxParallelism, planned.order);
    return planned;
  }
}

/** Whether a batch's keys and namespace are those `kept` was planned for. */
function sameKeys(kept: KeptPlan, keys: KeyColumn, namespace: Uint8Array, maxParallelism: number): boolean {
  const n = keys.length;
  return (
    kept.keyOffsets.length === n + 1 &&
    kept.maxParallelism === maxParallelism &&
    sameBytes(kept.namespace, namespace) &&
    sameBytes(new Uint8Array(kept.keyOffsets.buffer), new Uint8Array(keys.offsets.buffer, keys.offsets.byteOffset, (n + 1) * 4)) &&
    sameBytes(kept.keyData, keys.data.subarray(0, keys.offsets[n]))
  );
}

/** Fills `order` with the row numbers 0…n−1 ordered by `keyGroups[row]`, stably (a counting sort). */
function sortByKeyGroup(keyGroups: Int32Array, maxParallelism: number, order: Int32Array): void {
  const starts = new Int32Array(maxParallelism + 1);
  for (let r = 0; r < keyGroups.length; r++) starts[keyGroups[r]! + 1]!++;
  for (let g = 1; g <= maxParallelism; g++) starts[g]! += starts[g - 1]!;
  for (let r = 0; r < keyGroups.length; r++) order[starts[keyGroups[r]!]!++] = r;
}

/** How a refusal names row `row` of PUT_BATCH operation `index`. */
function rowOf(index: number, row: number): string {
  return `${index}, row ${row} of its PUT_BATCH`;
}
