/**
 * Random types and values for property tests of the codec: a seeded PRNG (a failure
 * reproduces) and a generator of types and of values in the form they decode to.
 */
import type { PrimitiveKind, TypeDescriptor } from '../../shared/api/types.ts';

/** Deterministic PRNG (mulberry32), so that a failure reproduces. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRIMITIVES: PrimitiveKind[] = [
  'BOOLEAN', 'BYTE', 'SHORT', 'INT', 'LONG', 'FLOAT', 'DOUBLE', 'STRING', 'BYTES',
  'SQL_DATE', 'SQL_TIME', 'SQL_TIMESTAMP', 'GENERIC',
];
const KEY_KINDS: PrimitiveKind[] = ['STRING', 'INT', 'LONG'];
const ALPHABET = ['a', 'b', 'z', ' ', '0', 'ü', '日', '😀', 'é', '\n'];

export class Gen {
  constructor(readonly random: () => number) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  string(): string {
    let s = '';
    for (let n = this.int(0, 12); n > 0; n--) s += this.pick(ALPHABET);
    return s;
  }

  type(depth: number): TypeDescriptor {
    if (depth >= 3 || this.random() < 0.5) return { kind: this.pick(PRIMITIVES) };
    const fields = () => Array.from({ length: this.int(1, 3) }, () => this.type(depth + 1));
    switch (this.int(0, 5)) {
      case 0:
        return { kind: 'ROW', fields: fields() };
      case 1:
        return { kind: 'TUPLE', fields: fields() };
      case 2: {
        const f = fields();
        return { kind: 'ROW_NAMED', names: f.map((_, i) => `field ${i}`), fields: f };
      }
      case 3:
        return { kind: 'LIST', element: this.type(depth + 1) };
      case 4:
        return { kind: 'PRIMITIVE_ARRAY', element: { kind: this.pick(['BYTE', 'INT', 'DOUBLE'] as const) } };
      default:
        return { kind: 'MAP', key: { kind: this.pick(KEY_KINDS) }, value: this.type(depth + 1) };
    }
  }

  /** A value of type `d` in the form it decodes to (so that round trips compare exactly). */
  value(d: TypeDescriptor, nullable = true): unknown {
    if (nullable && this.random() < 0.15) return null;
    switch (d.kind) {
      case 'BOOLEAN':
        return this.random() < 0.5;
      case 'BYTE':
        return this.int(-128, 127);
      case 'SHORT':
        return this.int(-32768, 32767);
      case 'INT':
        return this.int(-2147483648, 2147483647);
      case 'LONG':
        return this.pick([
          () => this.int(-1000, 1000),
          () => this.int(-(2 ** 52), 2 ** 52) * 2,
          () => 2n ** 53n + BigInt(this.int(0, 1e9)),
          () => -(2n ** 63n) + BigInt(this.int(0, 1e9)),
        ])();
      case 'FLOAT':
        return Math.fround((this.random() - 0.5) * 1e6);
      case 'DOUBLE':
        return this.pick([() => (this.random() - 0.5) * 1e12, () => -0, () => NaN, () => Infinity])();
      case 'STRING':
        return this.string();
      case 'BYTES':
        return new Uint8Array(Array.from({ length: this.int(0, 5) }, () => this.int(0, 255)));
      case 'SQL_DATE':
        return new Date(this.int(-100_000, 100_000) * 86_400_000);
      case 'SQL_TIME':
        return this.int(0, 86_399_999);
      case 'SQL_TIMESTAMP':
        return new Date(this.int(-1e12, 1e13));
      case 'GENERIC':
        return this.generic(0);
      case 'ROW':
      case 'TUPLE':
        return d.fields.map((f) => this.value(f));
      case 'ROW_NAMED':
        return Object.fromEntries(d.fields.map((f, i) => [d.names[i]!, this.value(f)]));
      case 'LIST':
        return Array.from({ length: this.int(0, 4) }, () => this.value(d.element));
      case 'PRIMITIVE_ARRAY':
        if (d.element.kind === 'BYTE') return this.value({ kind: 'BYTES' }, false);
        return Array.from({ length: this.int(0, 4) }, () => this.value(d.element));
      case 'MAP': {
        const map = new Map<unknown, unknown>();
        for (let n = this.int(0, 3); n > 0; n--) map.set(this.value(d.key, false), this.value(d.value));
        return map;
      }
    }
  }

  generic(depth: number): unknown {
    const leaf = [
      () => undefined,
      () => null,
      () => this.int(-200, 200),
      () => this.random() * 1e20,
      () => this.string(),
      () => BigInt(this.int(-1e9, 1e9)) * 2n ** 70n,
      () => new Date(this.int(0, 1e12)),
      () => this.random() < 0.5,
    ];
    if (depth >= 3 || this.random() < 0.6) return this.pick(leaf)();
    const children = () => Array.from({ length: this.int(0, 3) }, () => this.generic(depth + 1));
    return this.pick([
      () => children(),
      () => Object.fromEntries(children().map((v, i) => [`k${i}${this.string()}`, v])),
      () => new Map(children().map((v, i) => [i, v])),
      () => new Set(children()),
    ])();
  }
}
