/**
 * The host's side of PUT_BATCH (shared/protocol/put-batch.ts): each one is read into the PUTs
 * it stands for before the request is planned, so that every PUT in it is checked and applied
 * as if it had come alone; the results are folded back, one per operation of the request.
 */
import { BatchDecoder } from '../../shared/codec/batch-decoder.ts';
import { sluice } from '../../shared/generated/protocol.js';
import { PUT_BATCH_LAYOUT } from '../../shared/protocol/put-batch.ts';
import { refusal, type StateOperation } from './request-plan.ts';
import { emptyResult, type StateResult } from './state-results.ts';

const Kind = sluice.fn.v1.StateKind;
const Op = sluice.fn.v1.StateOp;

const BATCHABLE = new Set<number>([Kind.VALUE, Kind.REDUCING, Kind.AGGREGATING]);

/** A request's operations with its PUT_BATCHes read, and where each came from. */
export interface ExpandedRequest {
  operations: readonly StateOperation[];
  /** Per operation of the request, how many of `operations` it became; null when all stayed one. */
  counts: number[] | null;
}

export class PutBatchReader {
  private readonly decoder = new BatchDecoder(PUT_BATCH_LAYOUT);

  /** Throws StateAccessError for a PUT_BATCH that cannot be read (nothing is applied then). */
  expand(operations: readonly StateOperation[]): ExpandedRequest {
    let first = -1;
    for (let i = 0; i < operations.length; i++) {
      if (operations[i]!.op === Op.PUT_BATCH) {
        first = i;
        break;
      }
    }
    if (first < 0) return { operations, counts: null };
    const out: StateOperation[] = operations.slice(0, first);
    const counts = new Array<number>(operations.length).fill(1);
    for (let i = first; i < operations.length; i++) {
      const operation = operations[i]!;
      if (operation.op !== Op.PUT_BATCH) {
        out.push(operation);
        continue;
      }
      const before = out.length;
      this.read(operation, i, out);
      counts[i] = out.length - before;
    }
    return { operations: out, counts };
  }

  private read(operation: StateOperation, index: number, out: StateOperation[]): void {
    const stateName = operation.key?.stateName ?? '';
    const kind = operation.key?.kind ?? Kind.STATE_KIND_UNSPECIFIED;
    const refuse = (why: string) => refusal(index, Op.PUT_BATCH, stateName, why);
    if (!BATCHABLE.has(kind)) throw refuse(`PUT_BATCH is for value, reducing and aggregating state, not ${Kind[kind] ?? `kind ${kind}`}`);
    if ((operation.key?.key?.length ?? 0) !== 0) throw refuse('key.key must be empty: the batch carries the keys');
    let rows;
    try {
      rows = this.decoder.decode(operation.batch ?? new Uint8Array());
    } catch (e) {
      throw refuse((e as Error).message);
    }
    const namespace = operation.key?.namespace;
    for (let r = 0; r < rows.length; r++) {
      const value = rows.values[r];
      if (!(value instanceof Uint8Array)) throw refuse(`row ${r} has no value`);
      out.push({
        key: { stateName, kind, key: rows.keys!.at(r)!, namespace },
        op: Op.PUT,
        values: [value],
        time: rows.timestamps![r] ?? 0,
      });
    }
  }
}

/** The results of an expanded request's operations, one per operation of the request. */
export function foldResults(results: StateResult[], counts: number[] | null): StateResult[] {
  if (counts === null) return results;
  const out = new Array<StateResult>(counts.length);
  let at = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    out[i] = n === 1 && results[at] !== undefined ? results[at]! : emptyResult();
    at += n;
  }
  return out;
}

/** Names operation `index` of an expanded request by where it came from in the request. */
export function originIn(counts: readonly number[]): (index: number) => string {
  return (index) => {
    let at = 0;
    for (let i = 0; i < counts.length; i++) {
      const n = counts[i]!;
      if (index < at + n) return n === 1 ? String(i) : `${i}, row ${index - at} of its PUT_BATCH`;
      at += n;
    }
    return String(index);
  };
}
