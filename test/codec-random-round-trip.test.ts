import { describe, expect, it } from 'vitest';
import { BatchDecoder } from '../shared/codec/batch-decoder.ts';
import { BatchEncoder } from '../shared/codec/batch-encoder.ts';
import type { BatchLayout } from '../shared/codec/batch-layout.ts';
import { decodeGeneric, encodeGeneric, encodeKey } from '../shared/codec/generic-value.ts';
import { keysArray } from '../shared/codec/key-column.ts';
import { Gen, prng } from './support/random-values.ts';

describe('random round trips', () => {
  it('batches of random nested types decode to exactly what was encoded', () => {
    const gen = new Gen(prng(20240611));
    for (let round = 0; round < 150; round++) {
      const type = gen.type(0);
      const layout: BatchLayout = { value: type, keyed: round % 2 === 0, timestamped: round % 3 === 0 };
      const n = gen.int(0, 40);
      const values = Array.from({ length: n }, () => gen.value(type));
      const batch = {
        length: n,
        values,
        keys: layout.keyed ? values.map(() => encodeKey(gen.string())) : null,
        timestamps: layout.timestamped ? values.map(() => (gen.random() < 0.2 ? null : gen.int(0, 1e12))) : null,
      };
      const received = new BatchDecoder(layout).decode(new BatchEncoder(layout).encode(batch));
      const decoded = { ...received, keys: received.keys === null ? null : keysArray(received.keys) };
      expect(decoded, `round ${round}: ${JSON.stringify(type)}`).toStrictEqual(batch);
    }
  });

  it('random generic values decode to exactly what was encoded', () => {
    const gen = new Gen(prng(7));
    for (let round = 0; round < 500; round++) {
      const value = gen.generic(0);
      expect(decodeGeneric(encodeGeneric(value))).toStrictEqual(value);
    }
  });
});
