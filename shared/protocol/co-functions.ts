/**
 * The functions of connected streams, one table for both sides: the transform kinds that head a
 * two-input processor (Transform.kind), the PyFlink class each stands for, and its two methods,
 * the first for the first input's records and the second for the other's. The host's API checks
 * a function against it and names the class in its messages; the worker resolves the methods by
 * it.
 */
export type CoKind = 'co_map' | 'co_flat_map' | 'co_process' | 'keyed_co_process';

export const CO_FUNCTIONS: Readonly<Record<CoKind, { className: string; methods: readonly [string, string] }>> = {
  co_map: { className: 'CoMapFunction', methods: ['map1', 'map2'] },
  co_flat_map: { className: 'CoFlatMapFunction', methods: ['flatMap1', 'flatMap2'] },
  co_process: { className: 'CoProcessFunction', methods: ['processElement1', 'processElement2'] },
  keyed_co_process: { className: 'KeyedCoProcessFunction', methods: ['processElement1', 'processElement2'] },
};

/** Whether a transform of this kind heads a two-input processor. */
export function isCoKind(kind: string): kind is CoKind {
  return Object.hasOwn(CO_FUNCTIONS, kind);
}
