/**
 * The measuring pattern every case uses: a baseline run right before each variant run, B V B V
 * B V …, so that the two sides of a ratio are seconds apart and see the same machine state. The
 * variants' order rotates from one repetition to the next, so that none always runs first
 * (after the calibration) or last (after the others have warmed or dirtied the heap):
 *
 *   rep 1:  B v1  B v2  B v3
 *   rep 2:  B v2  B v3  B v1
 *   rep 3:  B v3  B v1  B v2
 */

export interface Repetition<V, B, R> {
  /** The baseline measured right before each variant. */
  baseline: Map<V, B>;
  result: Map<V, R>;
}

export interface InterleaveOptions<V, B, R> {
  variants: readonly V[];
  repetitions: number;
  measureBaseline(before: V): B | Promise<B>;
  measure(variant: V): R | Promise<R>;
  /** Called after each repetition (progress lines). */
  onRepetition?(rep: Repetition<V, B, R>, index: number): void;
}

export async function interleave<V, B, R>(options: InterleaveOptions<V, B, R>): Promise<Repetition<V, B, R>[]> {
  const { variants } = options;
  const reps: Repetition<V, B, R>[] = [];
  for (let r = 0; r < options.repetitions; r++) {
    const rep: Repetition<V, B, R> = { baseline: new Map(), result: new Map() };
    for (let k = 0; k < variants.length; k++) {
      const variant = variants[(k + r) % variants.length]!;
      collectGarbage();
      rep.baseline.set(variant, await options.measureBaseline(variant));
      collectGarbage();
      rep.result.set(variant, await options.measure(variant));
    }
    reps.push(rep);
    options.onRepetition?.(rep, r);
  }
  return reps;
}

/** Starts a measurement with a clean heap when the case process runs with --expose-gc (it does). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
