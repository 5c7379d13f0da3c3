import type { sluice } from '../../shared/generated/protocol.js';

export type StateResult = sluice.fn.v1.IStateResult;

/**
 * Results always carry all four fields. The byte arrays in them are the backend's own (stored
 * values, and one shared empty continuation): a caller encodes or copies them and must never
 * mutate or transfer them. (Allocating a typed array per result was a tenth of apply's time.)
 */
export const NO_CONTINUATION = new Uint8Array(0);

export function emptyResult(): StateResult {
  return { found: false, values: [], mapKeys: [], continuation: NO_CONTINUATION };
}

export function foundResult(found: boolean): StateResult {
  return { found, values: [], mapKeys: [], continuation: NO_CONTINUATION };
}

export function valuesResult(values: Uint8Array[]): StateResult {
  return { found: values.length > 0, values, mapKeys: [], continuation: NO_CONTINUATION };
}
