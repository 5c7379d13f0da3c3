/**
 * Broadcast state in checkpoints: a file's bytes for a subtask's snapshot, and which snapshot a
 * subtask restores.
 *
 * Every subtask of a broadcast process function holds the same broadcast state (its function
 * changes it from the broadcast elements alone, which every subtask gets), so a checkpoint keeps
 * one copy per subtask and a restore at another parallelism gives each new subtask one of them,
 * as Flink does: subtask s of P takes old subtask (s mod P0)'s copy, P0 the copies there are.
 */
import { decodeGeneric, encodeGeneric } from '../../shared/codec/generic-value.ts';
import type { BroadcastSnapshot, BroadcastStateContents } from '../state/broadcast-state-store.ts';

/** The snapshot in the generic encoding (proto/generic-value.md): {states: [{name, keys, values}]}. */
export function encodeBroadcastSnapshot(snapshot: BroadcastSnapshot): Uint8Array {
  return encodeGeneric({ states: snapshot.states.map((s) => ({ name: s.name, keys: s.keys, values: s.values })) });
}

/** The snapshot in `bytes`, or why they are not one. */
export function decodeBroadcastSnapshot(bytes: Uint8Array): BroadcastSnapshot | string {
  let value: unknown;
  try {
    value = decodeGeneric(bytes);
  } catch (error) {
    return (error as Error).message;
  }
  if (!isRecord(value) || !Array.isArray(value.states)) return 'it is not a broadcast state snapshot ({states: [...]})';
  const states: BroadcastStateContents[] = [];
  for (const s of value.states as unknown[]) {
    if (!isRecord(s) || typeof s.name !== 'string' || !isBytesArray(s.keys) || !isBytesArray(s.values)) {
      return 'a state in it is not {name, keys, values} with keys and values arrays of bytes';
    }
    if (s.keys.length !== s.values.length) return `its state '${s.name}' has ${s.keys.length} keys and ${s.values.length} values`;
    states.push({ name: s.name, keys: s.keys, values: s.values });
  }
  return { states };
}

/** The copy subtask `subtask` restores from a stage's copies (one per old subtask), or undefined when there are none. */
export function broadcastSnapshotFor(copies: readonly (BroadcastSnapshot | null | undefined)[] | undefined, subtask: number): BroadcastSnapshot | undefined {
  if (copies === undefined || copies.length === 0) return undefined;
  return copies[subtask % copies.length] ?? undefined;
}

/** Whether any copy holds an entry (a state dropped unclaimed would lose something). */
export function holdsBroadcastEntries(copies: readonly (BroadcastSnapshot | null | undefined)[]): boolean {
  return copies.some((c) => c?.states.some((s) => s.keys.length > 0) ?? false);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isBytesArray(value: unknown): value is Uint8Array[] {
  return Array.isArray(value) && value.every((b) => b instanceof Uint8Array);
}
