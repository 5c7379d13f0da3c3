/**
 * json-lower: the workload of PyFlink's thread-mode benchmark, a JSON string in and a JSON
 * string out. The function parses a ~100-byte JSON object, lower-cases the value of every
 * string field (keys, numbers and booleans are left alone) and serializes it back: real work
 * per record, so the share of the runtime's own cost is smaller than in int64-map.
 */
import { Types } from '../../host/index.ts';
import { throughputCase } from '../lib/throughput-case.ts';

// Not exported: the worker gets it as source, so it never imports this file (or the harness).
const lowerStringFields = (json: string): string => {
  const record = JSON.parse(json) as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (typeof value === 'string') record[key] = value.toLowerCase();
  }
  return JSON.stringify(record);
};

/**
 * Distinct records, cycled to make N. Enough of them that no cache sees the same string twice
 * in a batch; few enough that N references cost little memory (the strings are shared).
 */
const DISTINCT = 4096;

function record(i: number): string {
  return JSON.stringify({
    id: 1_000_000 + i,
    user: `User_${String(i).padStart(5, '0')}`,
    event: ['CLICK', 'View', 'AddToCart', 'Purchase'][i % 4],
    page: `/Shop/Item/${(i * 7919) % 10_000}`,
    country: ['DE', 'FR', 'US', 'JP', 'BR'][i % 5],
    ok: i % 2 === 0,
  });
}

function records(n: number): string[] {
  const distinct = Array.from({ length: DISTINCT }, (_, i) => record(i));
  return Array.from({ length: n }, (_, i) => distinct[i % DISTINCT]!);
}

/** The job's input, built once: every job of the run reads the same array. */
let jobInput: string[] = [];
function jobInputOf(n: number): string[] {
  if (jobInput.length !== n) jobInput = records(n);
  return jobInput;
}

export default throughputCase<string, string>({
  title: 'JSON parse, lower-case string fields, serialize',
  workload:
    'a function parses a ~100-byte JSON object (6 fields), lower-cases every string-valued field and ' +
    `serializes it back, \`Types.STRING()\` in and out, over \`fromCollection\` of 8 M strings (${DISTINCT} distinct ones, cycled); ` +
    'the direct baseline calls the same function over the first 1 M of them, cycled.',
  fn: lowerStringFields,
  inputs: records,
  pipeline: (env, n) => env.fromCollection(jobInputOf(n), Types.STRING()).map(lowerStringFields, Types.STRING()),
  // ~3 M rows/s would be needed to run out within a job (embedded mode: ~0.6 M); 8 M references
  // to 4,096 shared strings take 64 MB.
  jobRecords: 8_000_000,
});
