/**
 * Open MAP_ITERATE iterations. The first page fixes the order: the map's keys as they were
 * then, in ascending byte order of the map keys. Each page looks the keys up in the live map, so entries removed
 * since are skipped, entries changed since show their new value, and keys added since are
 * not returned (a key present at the start that is removed and put again before it is reached
 * is returned, with its new value).
 *
 * A continuation token is 8 bytes: the iteration id and the position of the next page
 * (uint32 big-endian each). Because the position is in the token, repeating a request with
 * the same token returns the same keys again while the iteration is open.
 *
 * An iteration is freed when its last page is returned, when the worker releases it, or when
 * the bundle (instruction) that opened it ends; its tokens are refused after that.
 */
import type { StateTarget } from './state-store.ts';

export interface MapIteration {
  readonly id: number;
  readonly instructionId: string;
  readonly stateName: string;
  readonly keyGroup: number;
  readonly recordKey: string;
  readonly keys: readonly string[];
}

export interface ContinuationToken {
  id: number;
  position: number;
}

const TOKEN_LENGTH = 8;

export function encodeToken(token: ContinuationToken): Uint8Array {
  const bytes = new Uint8Array(TOKEN_LENGTH);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, token.id);
  view.setUint32(4, token.position);
  return bytes;
}

/** null if the bytes are not a token. */
export function decodeToken(bytes: Uint8Array): ContinuationToken | null {
  if (bytes.length !== TOKEN_LENGTH) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, TOKEN_LENGTH);
  return { id: view.getUint32(0), position: view.getUint32(4) };
}

export class MapIterations {
  private readonly open = new Map<number, MapIteration>();
  private readonly byInstruction = new Map<string, Set<number>>();
  private lastId = 0;

  get size(): number {
    return this.open.size;
  }

  start(instructionId: string, t: StateTarget, keys: string[]): MapIteration {
    // Ids are never reused within 2^32 iterations, so a stale token cannot reach a new one.
    this.lastId = this.lastId === 0xffffffff ? 1 : this.lastId + 1;
    const iteration: MapIteration = {
      id: this.lastId,
      instructionId,
      stateName: t.stateName,
      keyGroup: t.keyGroup,
      recordKey: t.recordKey,
      keys,
    };
    this.open.set(iteration.id, iteration);
    let ids = this.byInstruction.get(instructionId);
    if (ids === undefined) {
      ids = new Set();
      this.byInstruction.set(instructionId, ids);
    }
    ids.add(iteration.id);
    return iteration;
  }

  get(id: number): MapIteration | undefined {
    return this.open.get(id);
  }

  /** Frees one iteration; false if it was not open. */
  release(id: number): boolean {
    const iteration = this.open.get(id);
    if (iteration === undefined) return false;
    this.open.delete(id);
    const ids = this.byInstruction.get(iteration.instructionId)!;
    ids.delete(id);
    if (ids.size === 0) this.byInstruction.delete(iteration.instructionId);
    return true;
  }

  endBundle(instructionId: string): void {
    const ids = this.byInstruction.get(instructionId);
    if (ids === undefined) return;
    for (const id of ids) this.open.delete(id);
    this.byInstruction.delete(instructionId);
  }

  clear(): void {
    this.open.clear();
    this.byInstruction.clear();
  }
}
