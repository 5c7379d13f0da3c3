import { describe, expect, it } from 'vitest';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { BatchLayout } from '../shared/codec/batch-layout.ts';
import { ValueEncodeError } from '../shared/codec/value-encode-error.ts';

const layout: BatchLayout = { value: { kind: 'STRING' }, keyed: false, timestamped: false };

function roundTrip(values: unknown[], encoder = new BatchEncoder(layout)): unknown[] {
  return new BatchDecoder(layout).decode(encoder.encode({ length: values.length, values, keys: null, timestamps: null })).values;
}

/** n rows of ASCII, ~100 characters each: several 32 K-character chunks. */
function asciiRows(n: number): string[] {
  return Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, user: `user_${i}`, page: `/shop/item/${(i * 7919) % 10_000}` }).padEnd(100, '.'));
}

describe('string columns: written in ASCII chunks, row by row once a chunk is not ASCII', () => {
  it('an ASCII column of many chunks, with nulls and empty strings, round-trips', () => {
    const values: unknown[] = asciiRows(2_000);
    values[0] = null;
    values[700] = '';
    values[701] = undefined;
    values[1_999] = null;
    const expected = values.map((v) => (v === undefined ? null : v));
    expect(roundTrip(values)).toStrictEqual(expected);
  });

  it('non-ASCII text after ASCII chunks: the chunks already written stay, the rest goes row by row', () => {
    const values: unknown[] = asciiRows(1_000);
    values[500] = 'straße';
    values[501] = null;
    values[800] = '日本語 🙂';
    values[999] = 'ü';
    expect(roundTrip(values)).toStrictEqual(values);
  });

  it('a chunk whose first bytes fill exactly its length in characters is not taken for ASCII', () => {
    // 'a' + 'é' is 3 bytes for 3 characters 'a', 'é', '€' when '€' does not fit.
    expect(roundTrip(['a', 'é', '€'])).toStrictEqual(['a', 'é', '€']);
    expect(roundTrip(['é€', 'ab', 'c'])).toStrictEqual(['é€', 'ab', 'c']);
  });

  it('lone surrogates become U+FFFD as they did row by row', () => {
    expect(roundTrip(['ok', '\uD800', 'x\uDC00y'])).toStrictEqual(['ok', '\uFFFD', 'x\uFFFDy']);
  });

  it('one encoder, batches alternating between ASCII and not, and a row longer than a chunk', () => {
    const encoder = new BatchEncoder(layout);
    const long = 'x'.repeat(100_000);
    const batches: unknown[][] = [asciiRows(500), ['ä', null, 'b'], [long, 'é'], [long, 'ok'], asciiRows(10), ['', '', '']];
    for (const values of batches) expect(roundTrip(values, encoder)).toStrictEqual(values);
  });

  it('a value that is not a string is refused, naming its row, in either part of the column', () => {
    const first = asciiRows(10) as unknown[];
    first[3] = 42;
    expect(() => roundTrip(first)).toThrow(ValueEncodeError);
    expect(() => roundTrip(first)).toThrow(/row 3/);
    const later = asciiRows(1_000) as unknown[];
    later[10] = 'é';
    later[900] = { not: 'a string' };
    expect(() => roundTrip(later)).toThrow(/row 900/);
  });
});
