/**
 * The measuring pattern every case uses: a baseline run right before each variant run, B V B V
 * B V …, so that the two sides of a ratio are seconds apart and see the same machine state. The
 * variants' order rotates from one repetition to the next, so that none always runs first
 * (after the calibration) or last (after the others have warmed or dirtied the heap):
 *
 *   rep 1:  B v1  B v2  B v3
 *   rep 2:  B v2  B v3  B v1
 *   rep 3:  B v3  B v1  B v2
 *
 * No garbage is collected by force between measurements. The harness once did (gc() under
 * --expose-gc, for a clean heap before each one); after a forced collection the host's V8 kept
 * its old generation's limit a few MB above what was live, and ran a full mark-compact (after
 * incremental marking) every ~60 ms through every later job, where a case process left alone ran
 * none in its jobs' steady state. Every job after a case's first was measured with the host's
 * GC in a state no user's job is in, at 0.6–0.8 of its rate and with about twice the spread
 * (benchmarks/RESULTS.md, twenty-ninth round). A job now finds the heap the previous one left,
 * as a user's long-lived host would.
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
      rep.baseline.set(variant, await options.measureBaseline(variant));
      rep.result.set(variant, await options.measure(variant));
    }
    reps.push(rep);
    options.onRepetition?.(rep, r);
  }
  return reps;
}
