/**
 * The "direct" baseline: the case's own function object, called on the host's thread in a
 * plain loop over the same input values the job reads. No runtime at all: what the function
 * costs by itself, the ceiling any execution mode can reach.
 */

/** Written on every call so that the calls cannot be optimised away. */
let blackhole: unknown;

/** Values handled between two looks at the clock (reading it costs more than `x => x + 1`). */
const STRIDE = 4096;

export interface DirectMeasurement {
  rows: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** The last value the function returned. */
  last: unknown;
}

/**
 * Calls `fn` over `inputs` (from the start, wrapping around) until at least `minMs` have passed.
 * The loop handles whole strides, so it may overrun `minMs` by one stride.
 */
export function measureDirect<I, O>(fn: (value: I) => O, inputs: readonly I[], minMs: number): DirectMeasurement {
  if (inputs.length === 0) throw new Error('measureDirect needs inputs');
  let i = 0;
  let rows = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let k = 0; k < STRIDE; k++) {
      blackhole = fn(inputs[i]!);
      if (++i === inputs.length) i = 0;
    }
    rows += STRIDE;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return { rows, elapsedMs: elapsed, rowsPerSecond: (rows / elapsed) * 1000, last: blackhole };
}
