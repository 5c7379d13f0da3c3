/**
 * BatchNormalizer (embedded mode's stage boundary) against the codec it stands in for: for every
 * value, normalize(batch) must equal decode(encode(batch)), and refuse exactly what encode
 * refuses, with the same message.
 */
import { describe, expect, it } from 'vitest';
import type { TypeDescriptor } from '../shared/api/types.ts';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { BatchLayout, RowBatch } from '../shared/codec/batch-layout.ts';
import { BatchNormalizer } from '../shared/codec/batch-normalizer.ts';

type Outcome = { values: unknown[]; timestamps: unknown } | { error: string };

function viaCodec(layout: BatchLayout, batch: RowBatch): Outcome {
  try {
    const out = new BatchDecoder(layout).decode(new BatchEncoder(layout).encode(batch).slice());
    return { values: out.values, timestamps: out.timestamps };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

function normalized(layout: BatchLayout, batch: RowBatch): Outcome {
  try {
    const out = new BatchNormalizer(layout).normalize(batch);
    return { values: out.values, timestamps: out.timestamps };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

const rows = (values: unknown[], timestamps: (number | null)[] | null = null): RowBatch => ({ length: values.length, values, keys: null, timestamps });

/** Values every scalar column meets: the ones it takes, the edges, and the ones it refuses. */
const VALUES: unknown[] = [
  null, undefined, true, false, 0, -0, 1, -1, 0.1, 1.5, -2.75, NaN, Infinity, -Infinity,
  127, 128, -128, -129, 32767, 32768, -32769, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1,
  86399999, 86400000, 2 ** 53 - 1, 2 ** 53, -(2 ** 53 - 1), 1e300, 3.4028235e38, 1e-45,
  0n, 5n, -5n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n,
  '', 'plain', 'ünïcödé 日本 😀', 'lone \uD800 high', 'lone \uDC00 low', '\uD83D', 'ends with \uD83D',
  'x'.repeat(40_000), new Date(0), new Date(Number.NaN), [1], { a: 1 }, new Uint8Array([1]), Symbol('s'), () => 1,
];

const SCALARS: TypeDescriptor['kind'][] = ['BOOLEAN', 'BYTE', 'SHORT', 'INT', 'SQL_TIME', 'LONG', 'FLOAT', 'DOUBLE', 'STRING'];

describe('the normalized batch is the batch after an encode and a decode', () => {
  it.each(SCALARS)('%s: each value alone', (kind) => {
    const layout: BatchLayout = { value: { kind } as TypeDescriptor, keyed: false, timestamped: false };
    for (const v of VALUES) {
      expect({ v, ...normalized(layout, rows([v])) }).toEqual({ v, ...viaCodec(layout, rows([v])) });
    }
  });

  it.each(SCALARS)('%s: the values it takes, together, with the row of the first it refuses', (kind) => {
    const layout: BatchLayout = { value: { kind } as TypeDescriptor, keyed: false, timestamped: false };
    const taken = VALUES.filter((v) => !('error' in viaCodec(layout, rows([v]))));
    expect(taken.length).toBeGreaterThan(2);
    expect(normalized(layout, rows(taken))).toEqual(viaCodec(layout, rows(taken)));
    const refused = [...taken, Symbol('late'), 'also refused'];
    const outcome = normalized(layout, rows(refused));
    expect(outcome).toEqual(viaCodec(layout, rows(refused)));
    expect(outcome).toEqual({ error: expect.stringMatching(new RegExp(`^ValueEncodeError: row ${taken.length}: value: `)) });
  });

  it('timestamps: numbers kept, undefined as null, anything else refused at its row', () => {
    const layout: BatchLayout = { value: { kind: 'LONG' }, keyed: false, timestamped: true };
    const good = rows([1, 2, 3], [5, null, undefined as unknown as null]);
    expect(normalized(layout, good)).toEqual(viaCodec(layout, good));
    expect(normalized(layout, good)).toEqual({ values: [1, 2, 3], timestamps: [5, null, null] });
    const bad = rows([1, 2], [5, 'late' as unknown as number]);
    expect(normalized(layout, bad)).toEqual(viaCodec(layout, bad));
    expect(normalized(layout, bad)).toEqual({
      error: 'ValueEncodeError: row 1: timestamp: expected a timestamp (a number of milliseconds since the epoch, or null), got string "late"',
    });
  });

  it('the generic column: each value copied as its round trip gives it, sharing no object with the batch', () => {
    const generic: BatchLayout = { value: null, keyed: false, timestamped: true };
    const values = [{ id: 1, tags: ['a', 'b'], at: new Date(5) }, [undefined, null, -0, 5n], null, undefined, 'ünï', NaN];
    const batch = rows(values, [1, null, 3, undefined as unknown as null, 5, 6]);
    const outcome = normalized(generic, batch);
    expect(outcome).toEqual(viaCodec(generic, batch));
    expect(outcome).toEqual({ values, timestamps: [1, null, 3, null, 5, 6] });
    const out = new BatchNormalizer(generic).normalize(batch);
    expect(out.values[0]).not.toBe(values[0]);
    expect((out.values[0] as { tags: string[] }).tags).not.toBe((values[0] as { tags: string[] }).tags);
    expect((out.values[0] as { at: Date }).at).not.toBe((values[0] as { at: Date }).at);
    const badTime = rows([{ a: 1 }], ['late' as unknown as number]);
    expect(normalized(generic, badTime)).toEqual(viaCodec(generic, badTime));
    expect(normalized(generic, badTime)).toEqual({ error: expect.stringMatching(/^ValueEncodeError: row 0: timestamp: /) });
  });

  it('nested types and the generic column: each value as the codec gives it, refused as the codec refuses it', () => {
    const row: BatchLayout = { value: { kind: 'ROW_NAMED', names: ['v', 'n'], fields: [{ kind: 'FLOAT' }, { kind: 'LONG' }] }, keyed: false, timestamped: false };
    const values = [{ v: 0.1, n: 5n }, null, { v: -0, n: undefined }];
    expect(normalized(row, rows(values))).toEqual(viaCodec(row, rows(values)));
    expect(normalized(row, rows(values))).toEqual({ values: [{ v: Math.fround(0.1), n: 5 }, null, { v: -0, n: null }], timestamps: null });
    const extra = rows([{ v: 1, n: 2, extra: 3 }]);
    expect(normalized(row, extra)).toEqual(viaCodec(row, extra));
    const generic: BatchLayout = { value: null, keyed: false, timestamped: false };
    const mixed = rows([new Map([[1, 'a']]), [undefined, null], { d: new Date(5) }]);
    expect(normalized(generic, mixed)).toEqual(viaCodec(generic, mixed));
    expect(normalized(generic, rows([() => 1]))).toEqual(viaCodec(generic, rows([() => 1])));
  });
});
