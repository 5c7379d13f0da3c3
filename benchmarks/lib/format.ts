/** How figures are printed, the same in the terminal and in RESULTS.md. */

/** Rows per second with an SI prefix: `1.36 M rows/s`, `482 k rows/s`. */
export function formatRate(rowsPerSecond: number): string {
  if (rowsPerSecond >= 1e9) return `${(rowsPerSecond / 1e9).toPrecision(3)} G rows/s`;
  if (rowsPerSecond >= 1e6) return `${(rowsPerSecond / 1e6).toPrecision(3)} M rows/s`;
  if (rowsPerSecond >= 1e3) return `${(rowsPerSecond / 1e3).toPrecision(3)} k rows/s`;
  return `${rowsPerSecond.toPrecision(3)} rows/s`;
}

/** A ratio with three significant digits; small ratios keep their digits (0.00452). */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  if (ratio >= 100) return ratio.toFixed(0);
  return ratio.toPrecision(3);
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
