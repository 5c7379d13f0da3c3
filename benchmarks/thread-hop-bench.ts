/**
 * The floor under thread mode's latency, alone (lib/thread-hop.ts says what is measured; the
 * `latency` case measures it too, beside the runtime).
 *
 *   npx tsx benchmarks/thread-hop-bench.ts [--records N]
 *
 * Its batch hops are measured warm, after PACED_WARM_UP unmeasured ones (8 s), as `latency` does.
 */
import { measureThreadHops, PACED_WARM_UP } from './lib/thread-hop.ts';
import { quantile } from './lib/stats.ts';

function parseRecords(argv: readonly string[]): number {
  const i = argv.indexOf('--records');
  if (i === -1) return 2000;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error('--records takes a positive integer');
  return n;
}

const records = parseRecords(process.argv.slice(2));
const hops = await measureThreadHops({ records, batchWarmUp: PACED_WARM_UP, bareWarmUp: 500, periodMs: 1 });
const us = (ms: number): string => `${(ms * 1000).toFixed(0)} µs`;
for (const [name, times] of [
  ['one-row batch, encoded, posted and decoded each way', hops.batch],
  ['a number each way', hops.bare],
] as const) {
  console.log(`${name}: p50 ${us(quantile(times, 0.5))}, p90 ${us(quantile(times, 0.9))}, p99 ${us(quantile(times, 0.99))} (${records} round trips, paced 1 ms)`);
}
