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

export default throughputCase<string, string>({
  title: 'JSON parse, lower-case string fields, serialize',
  workload:
    'a function parses a ~100-byte JSON object (6 fields), lower-cases every string-valued field and ' +
    `serializes it back, \`Types.STRING()\` in and out, over \`fromCollection\` of N strings (${DISTINCT} distinct ones, cycled); ` +
    'the direct baseline calls the same function over the same array.',
  fn: lowerStringFields,
  inputs: (n) => {
    const distinct = Array.from({ length: DISTINCT }, (_, i) => record(i));
    return Array.from({ length: n }, (_, i) => distinct[i % DISTINCT]!);
  },
  pipeline: (env, inputs) => env.fromCollection(inputs, Types.STRING()).map(lowerStringFields, Types.STRING()),
  pilotRecords: 300_000,
  quickRecords: 50_000,
  maxRecords: 4_000_000,
});
