import { bytesKey } from './bytes.ts';

/**
 * One state of one worker (a state name, and a namespace within it: empty for a function's own
 * state, a window for the window operator's), numbered so that ids can be hashed and compared
 * cheaply. Two objects with the same label are the same state (sameAs): a namespace's object may
 * be dropped and made again (StateContext.releaseNamespace), and its cache entries still found.
 */
export class StateNamespace {
  /** The state name and namespace as one string: what the state is. */
  readonly label: string;
  /** The hash seed of its ids: the state name's number, mixed with the namespace's bytes. */
  readonly index: number;
  constructor(
    /** Distinct per state name within a worker. */
    stateIndex: number,
    readonly stateName: string,
    /** The namespace's bytes: empty for the default namespace. */
    readonly namespace: Uint8Array = new Uint8Array(0),
  ) {
    this.label = namespace.length === 0 ? stateName : `${stateName}\u0000${Buffer.from(namespace).toString('latin1')}`;
    let h = stateIndex;
    for (const b of namespace) h = Math.imul(h ^ b, 0x01000193);
    this.index = namespace.length === 0 ? stateIndex : (h >>> 2) & 0x3fffffff;
  }

  /** Whether `other` is the same state and namespace (the same object, or one made again). */
  sameAs(other: StateNamespace): boolean {
    return this === other || this.label === other.label;
  }
}

/**
 * Which cached state an element's call is about: a state and a key. Looking state up is on
 * every element's path, so an id is a hash of the key bytes seeded by the state's number, not a
 * string built per call (building and hashing a string costs several times more), and it reads
 * the key where it is (a received batch's key column) instead of in a view of its own. `text`
 * is the string form, for the few places that key plain Maps by id.
 */
export class StateId {
  /** The key's first 8 bytes as two integers: ids of keys up to 8 bytes compare without their bytes. */
  k0 = 0;
  k1 = 0;
  hash = 0;
  /** The bytes the key is in: `length` bytes from `start` (a batch's key column unless the id is owned()). */
  private data: Uint8Array;
  private start = 0;
  length = 0;
  private view: Uint8Array | null = null;
  private text_: string | null = null;

  constructor(
    readonly ns: StateNamespace,
    data: Uint8Array,
    start: number,
    length: number,
  ) {
    this.data = data;
    this.set(data, start, length);
  }

  /**
   * Makes this id the id of another key of its state. Only a handle's own probe is reset so
   * (once per element, to spare an object per element); what keeps an id keeps an owned() one.
   */
  set(data: Uint8Array, start: number, length: number): void {
    // FNV-1a over the key bytes, seeded with the state's number; kept a small integer (a V8 Smi).
    let h = Math.imul(0x811c9dc5 ^ this.ns.index, 0x01000193);
    let k0 = 0;
    let k1 = 0;
    const end = start + length;
    const end4 = Math.min(end, start + 4);
    const end8 = Math.min(end, start + 8);
    let i = start;
    for (; i < end4; i++) {
      const b = data[i]!;
      h = Math.imul(h ^ b, 0x01000193);
      k0 = (k0 << 8) | b;
    }
    for (; i < end8; i++) {
      const b = data[i]!;
      h = Math.imul(h ^ b, 0x01000193);
      k1 = (k1 << 8) | b;
    }
    for (; i < end; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
    this.hash = (h >>> 2) & 0x3fffffff;
    this.k0 = k0;
    this.k1 = k1;
    // Once a batch, not once a row (ElementScope.setRow says why).
    if (this.data !== data) this.data = data;
    this.start = start;
    this.length = length;
    this.view = null;
    this.text_ = null;
  }

  /** The id of `key` (all of its bytes) in `ns`. */
  static of(ns: StateNamespace, key: Uint8Array): StateId {
    return new StateId(ns, key, 0, key.length);
  }

  /** The key's bytes (a view: copy them to keep them). */
  get key(): Uint8Array {
    const data = this.data;
    if (this.view === null) {
      this.view = this.start === 0 && this.length === data.length ? data : new Uint8Array(data.buffer, data.byteOffset + this.start, this.length);
    }
    return this.view;
  }

  /** A copy of the key's bytes, for what outlives the element (an entry, a queued operation). */
  copyKey(): Uint8Array {
    return this.data.slice(this.start, this.start + this.length);
  }

  /** The same id holding its own copy of the key (an entry keeps it). */
  owned(): StateId {
    return new StateId(this.ns, this.copyKey(), 0, this.length);
  }

  /** Whether the key's bytes are `bytes`. */
  keyEquals(bytes: Uint8Array): boolean {
    const n = this.length;
    if (bytes.length !== n) return false;
    const data = this.data;
    const start = this.start;
    for (let i = 0; i < n; i++) if (data[start + i] !== bytes[i]) return false;
    return true;
  }

  get text(): string {
    return (this.text_ ??= `${this.ns.label.length}:${this.ns.label}${bytesKey(this.key)}`);
  }

  /** About what the id holds in memory, for the cache's byte budget. */
  get bytes(): number {
    return 48 + this.length;
  }
}
