/**
 * Micro-benchmark of the Data batch codec (shared/codec): rows/s to encode rows into an
 * Arrow IPC stream and to decode them back, per column type and batch size.
 *
 *   npx tsx benchmarks/codec-bench.ts [--quick]
 *
 * Each figure is the median of 3 runs of ~300 ms after a warm-up. Targets (this machine
 * class): int64 and float64 >= 10 M rows/s each way, ~100-byte ASCII strings >= 3 M rows/s,
 * the generic column of small numbers >= 3 M rows/s.
 */
import type { TypeDescriptor } from '../shared/api/types.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { BatchLayout, RowBatch } from '../shared/codec/batch-layout.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';

interface Case {
  name: string;
  layout: BatchLayout;
  row: (i: number) => unknown;
}

const plain = (value: TypeDescriptor | null): BatchLayout => ({ value, keyed: false, timestamped: false });

const CASES: Case[] = [
  { name: 'int64 (LONG)', layout: plain({ kind: 'LONG' }), row: (i) => i * 7919 - 1_000_000 },
  { name: 'float64 (DOUBLE)', layout: plain({ kind: 'DOUBLE' }), row: (i) => i * 1.25 },
  { name: 'int32 (INT)', layout: plain({ kind: 'INT' }), row: (i) => i },
  { name: 'string ~100 B ASCII', layout: plain({ kind: 'STRING' }), row: (i) => `row-${i}-`.padEnd(100, 'abcdefghij') },
  { name: 'string ~100 B, some non-ASCII', layout: plain({ kind: 'STRING' }), row: (i) => `zeile-${i}-über-`.padEnd(100, 'abcdefghij') },
  { name: 'generic small ints', layout: plain(null), row: (i) => i % 100_000 },
  { name: 'generic floats', layout: plain(null), row: (i) => i * 0.5 },
  { name: 'generic short strings', layout: plain(null), row: (i) => `user-${i % 5000}` },
  { name: 'generic {id, name, score}', layout: plain(null), row: (i) => ({ id: i, name: `n${i % 100}`, score: i * 0.5 }) },
  {
    name: 'ROW(LONG, STRING, DOUBLE)',
    layout: plain({ kind: 'ROW', fields: [{ kind: 'LONG' }, { kind: 'STRING' }, { kind: 'DOUBLE' }] }),
    row: (i) => [i, `name-${i % 1000}`, i * 0.25],
  },
  {
    name: 'keyed + timestamped LONG',
    layout: { value: { kind: 'LONG' }, keyed: true, timestamped: true },
    row: (i) => i,
  },
];

function makeBatch(c: Case, n: number): RowBatch {
  const values = Array.from({ length: n }, (_, i) => c.row(i));
  return {
    length: n,
    values,
    keys: c.layout.keyed ? values.map((_, i) => encodeKey(`key-${i % 100}`)) : null,
    timestamps: c.layout.timestamped ? values.map((_, i) => 1_700_000_000_000 + i) : null,
  };
}

/** Rows per second of `run` (which handles `rows` rows), median of 3 timed runs. */
function rate(rows: number, run: () => void, budgetMs: number): number {
  const warmUntil = performance.now() + budgetMs / 2;
  while (performance.now() < warmUntil) run();
  const rates: number[] = [];
  for (let r = 0; r < 3; r++) {
    let iterations = 0;
    const start = performance.now();
    let now = start;
    while (now - start < budgetMs) {
      run();
      iterations++;
      now = performance.now();
    }
    rates.push((iterations * rows) / ((now - start) / 1000));
  }
  return rates.sort((a, b) => a - b)[1]!;
}

const quick = process.argv.includes('--quick');
const budgetMs = quick ? 100 : 300;
const sizes = [10_000, 1_000];
const m = (x: number) => `${(x / 1e6).toFixed(1).padStart(6)} M`;

console.log(`codec-bench: rows/s, median of 3 (${budgetMs} ms each); node ${process.version}`);
console.log(`${'case'.padEnd(34)} ${'rows/batch'.padStart(10)} ${'encode'.padStart(9)} ${'decode'.padStart(9)} ${'bytes/row'.padStart(10)}`);
for (const c of CASES) {
  for (const n of sizes) {
    const encoder = new BatchEncoder(c.layout);
    const decoder = new BatchDecoder(c.layout);
    const batch = makeBatch(c, n);
    const bytes = encoder.encode(batch);
    const check = decoder.decode(bytes);
    if (check.length !== n) throw new Error(`${c.name}: decoded ${check.length} rows, expected ${n}`);
    const enc = rate(n, () => encoder.encode(batch), budgetMs);
    const dec = rate(n, () => decoder.decode(bytes), budgetMs);
    console.log(`${c.name.padEnd(34)} ${String(n).padStart(10)} ${m(enc)} ${m(dec)} ${(bytes.byteLength / n).toFixed(1).padStart(10)}`);
  }
}
