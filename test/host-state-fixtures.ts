/** Builders for keyed-state-backend tests: operations from strings, keys placed in chosen key groups. */
import { sluice } from '../shared/generated/protocol.js';
import { keyGroupOf, type KeyGroupRange } from '../host/state/key-groups.ts';
import type { StateRequestContext } from '../host/state/request-plan.ts';

export const Kind = sluice.fn.v1.StateKind;
export const Op = sluice.fn.v1.StateOp;
export type Operation = sluice.fn.v1.IStateOperation;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function b(s: string): Uint8Array {
  return encoder.encode(s);
}

export function s(bytes: Uint8Array | null | undefined): string {
  return decoder.decode(bytes ?? new Uint8Array(0));
}

export function strings(list: Uint8Array[] | null | undefined): string[] {
  return (list ?? []).map((x) => s(x));
}

export function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export function f64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setFloat64(0, n);
  return out;
}

export interface OpOptions {
  key?: string;
  ns?: string;
  mapKey?: string;
  values?: (string | Uint8Array)[];
  continuation?: Uint8Array;
  ttl?: sluice.fn.v1.IStateTtl;
  time?: number;
}

export function op(kind: number, stateName: string, stateOp: number, o: OpOptions = {}): Operation {
  return {
    key: { stateName, kind, key: b(o.key ?? 'k'), namespace: b(o.ns ?? '') },
    op: stateOp,
    mapKey: o.mapKey === undefined ? new Uint8Array(0) : b(o.mapKey),
    values: (o.values ?? []).map((v) => (typeof v === 'string' ? b(v) : v)),
    continuation: o.continuation ?? new Uint8Array(0),
    ttl: o.ttl ?? null,
    time: o.time ?? 0,
  };
}

export function timerOp(stateName: string, stateOp: number, timestamp: number, key = 'k', ns = ''): Operation {
  return {
    key: { stateName, kind: Kind.TIMER, key: b(key), namespace: b(ns) },
    op: stateOp,
    mapKey: f64(timestamp),
  };
}

export function ctxFor(maxParallelism: number, owned?: KeyGroupRange, instructionId = 'bundle-1'): StateRequestContext {
  return { owned: owned ?? { start: 0, end: maxParallelism - 1 }, maxParallelism, instructionId };
}

/** The first `count` keys "key-0", "key-1", ... whose key group is `keyGroup`. */
export function keysInGroup(keyGroup: number, maxParallelism: number, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count; i++) {
    const key = `key-${i}`;
    if (keyGroupOf(b(key), maxParallelism) === keyGroup) keys.push(key);
  }
  return keys;
}

export function groupOf(key: string, maxParallelism: number): number {
  return keyGroupOf(b(key), maxParallelism);
}

/** A result's contents as strings, for exact comparisons. */
export function view(result: sluice.fn.v1.IStateResult): { found: boolean; values: string[]; mapKeys: string[]; more: boolean } {
  return {
    found: result.found ?? false,
    values: strings(result.values),
    mapKeys: strings(result.mapKeys),
    more: (result.continuation?.length ?? 0) > 0,
  };
}
