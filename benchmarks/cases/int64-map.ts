/**
 * int64-map: the smallest possible function, `x => x + 1` on LONG, so that what is measured is
 * the runtime's per-record cost (rows to Arrow, the trip to the worker and back, bundles) and
 * almost nothing of the function's own.
 */
import { Types } from '../../host/index.ts';
import { throughputCase } from '../lib/throughput-case.ts';

// Not exported: the worker gets it as source, so it never imports this file (or the harness).
const addOne = (x: number): number => x + 1;

export default throughputCase<number, number>({
  title: 'stateless int64 → int64 map',
  workload:
    '`(x) => x + 1` declared `Types.LONG()` over `fromSequence` into a counting sink; ' +
    'the direct baseline calls the same function over an array of the first 1 M of those numbers, cycled.',
  fn: addOne,
  inputs: (n) => Array.from({ length: n }, (_, i) => i + 1),
  pipeline: (env, records) => env.fromSequence(1, records).map(addOne, Types.LONG()),
  // A sequence holds no memory: far more than any mode reaches in a job's few seconds.
  jobRecords: 10_000_000_000,
});
