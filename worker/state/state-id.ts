import { bytesKey } from './bytes.ts';

/** One state of one worker (a state name), numbered so that ids can be hashed and compared cheaply. */
export class StateNamespace {
  constructor(
    /** Distinct per state name within a worker. */
    readonly index: number,
    readonly stateName: string,
  ) {}
}

/**
 * Which cached state an element's call is about: a state and a key. Looking state up is on
 * every element's path, so an id is a hash of the key bytes seeded by the state's number, not a
 * string built per call (building and hashing a string costs several times more). `text` is the
 * string form, for the few places that key plain Maps by id.
 */
export class StateId {
  /** The key's first 8 bytes as two integers: ids of keys up to 8 bytes compare without their bytes. */
  readonly k0: number;
  readonly k1: number;
  readonly length: number;
  readonly hash: number;
  private text_: string | null = null;

  constructor(
    readonly ns: StateNamespace,
    /** The key's bytes: a view into an input batch unless the id is owned(). */
    readonly key: Uint8Array,
  ) {
    // FNV-1a over the key bytes, seeded with the state's number; kept a small integer (a V8 Smi).
    let h = Math.imul(0x811c9dc5 ^ ns.index, 0x01000193);
    let k0 = 0;
    let k1 = 0;
    const n = key.length;
    for (let i = 0; i < n; i++) {
      const b = key[i]!;
      h = Math.imul(h ^ b, 0x01000193);
      if (i < 4) k0 = (k0 << 8) | b;
      else if (i < 8) k1 = (k1 << 8) | b;
    }
    this.hash = (h >>> 2) & 0x3fffffff;
    this.k0 = k0;
    this.k1 = k1;
    this.length = n;
  }

  /** The same id holding its own copy of the key (an entry keeps it). */
  owned(): StateId {
    return new StateId(this.ns, this.key.slice());
  }

  equals(other: StateId): boolean {
    if (this.hash !== other.hash || this.k0 !== other.k0 || this.k1 !== other.k1 || this.ns !== other.ns) return false;
    const n = this.length;
    return n === other.length && (n <= 8 || sameBytes(this.key, other.key));
  }

  get text(): string {
    return (this.text_ ??= `${this.ns.stateName.length}:${this.ns.stateName}${bytesKey(this.key)}`);
  }

  /** About what the id holds in memory, for the cache's byte budget. */
  get bytes(): number {
    return 48 + this.key.length;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 8; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
