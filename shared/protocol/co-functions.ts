/**
 * The functions of connected streams, one table for both sides: the transform kinds that head a
 * two-input processor (Transform.kind), the PyFlink class each stands for, and its two methods,
 * the first for the first input's records and the second for the other's. The host's API checks
 * a function against it and names the class in its messages; the worker resolves the methods by
 * it.
 *
 * The broadcast kinds (BroadcastConnectedStream.process) are two-input heads whose second input
 * is a broadcast stream: every subtask gets all of its records, never keyed, and the function
 * keeps what it learns from them in broadcast state.
 */
export type CoKind = 'co_map' | 'co_flat_map' | 'co_process' | 'keyed_co_process' | BroadcastKind;

export type BroadcastKind = 'broadcast_process' | 'keyed_broadcast_process';

export const CO_FUNCTIONS: Readonly<Record<CoKind, { className: string; methods: readonly [string, string] }>> = {
  co_map: { className: 'CoMapFunction', methods: ['map1', 'map2'] },
  co_flat_map: { className: 'CoFlatMapFunction', methods: ['flatMap1', 'flatMap2'] },
  co_process: { className: 'CoProcessFunction', methods: ['processElement1', 'processElement2'] },
  keyed_co_process: { className: 'KeyedCoProcessFunction', methods: ['processElement1', 'processElement2'] },
  broadcast_process: { className: 'BroadcastProcessFunction', methods: ['processElement', 'processBroadcastElement'] },
  keyed_broadcast_process: { className: 'KeyedBroadcastProcessFunction', methods: ['processElement', 'processBroadcastElement'] },
};

/** Whether a transform of this kind heads a two-input processor. */
export function isCoKind(kind: string): kind is CoKind {
  return Object.hasOwn(CO_FUNCTIONS, kind);
}

/** Whether a transform of this kind is a broadcast process function (its second input broadcast, never keyed). */
export function isBroadcastKind(kind: string): kind is BroadcastKind {
  return kind === 'broadcast_process' || kind === 'keyed_broadcast_process';
}
