/**
 * "Did you mean" for unknown configuration keys. A PyFlink name (`python.fn-execution.bundle.size`)
 * is first translated to its `udf.` counterpart, so users coming from PyFlink are pointed at
 * the key they meant.
 */
import { CONFIG_KEY_NAMES, type ConfigKey } from './keys.ts';

export function suggestKey(unknown: string): ConfigKey | undefined {
  const typed = unknown.trim().toLowerCase();
  const candidates = [typed, typed.replace(/^python\.(fn-execution\.)?/, 'udf.')];
  // Loose enough for a typo or two, tight enough not to suggest an unrelated key.
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 5)));
  let best: ConfigKey | undefined;
  let bestDistance = Infinity;
  for (const key of CONFIG_KEY_NAMES) {
    for (const candidate of candidates) {
      const d = editDistance(candidate, key);
      if (d < bestDistance) {
        best = key;
        bestDistance = d;
      }
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Optimal string alignment distance: Levenshtein plus swaps of two neighbours ("bundel"). */
export function editDistance(a: string, b: string): number {
  // rows[i][j] = distance between a[0..i) and b[0..j)
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}
