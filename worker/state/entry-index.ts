/** What the index needs of an entry: its id's hash, and a link it owns for chaining. */
export interface Chained<E> {
  readonly hash: number;
  nextInBucket: E | null;
}

const INITIAL_BUCKETS = 16;

/**
 * The state cache's entries by id hash: a power-of-two array of buckets, each a chain through
 * the entries' own links, grown to keep at most one entry per bucket on average. A lookup is an
 * array read and a short walk; a Map keyed by the hash cost twice as much (it hashes the
 * number again and reads its own tables), and lookups run twice a record.
 */
export class EntryIndex<E extends Chained<E>> {
  private buckets: (E | null)[] = new Array<E | null>(INITIAL_BUCKETS).fill(null);
  private mask = INITIAL_BUCKETS - 1;
  private count = 0;

  /** The first entry of the bucket of `hash`; walk `nextInBucket` for the rest. */
  first(hash: number): E | null {
    return this.buckets[hash & this.mask]!;
  }

  add(entry: E): void {
    if (++this.count > this.buckets.length) this.grow();
    const i = entry.hash & this.mask;
    entry.nextInBucket = this.buckets[i]!;
    this.buckets[i] = entry;
  }

  remove(entry: E): void {
    const i = entry.hash & this.mask;
    let at: E | null = this.buckets[i] ?? null;
    if (at === entry) {
      this.buckets[i] = entry.nextInBucket;
    } else {
      while (at !== null && at.nextInBucket !== entry) at = at.nextInBucket;
      if (at === null) return;
      at.nextInBucket = entry.nextInBucket;
    }
    entry.nextInBucket = null;
    this.count--;
  }

  clear(): void {
    this.buckets = new Array<E | null>(INITIAL_BUCKETS).fill(null);
    this.mask = INITIAL_BUCKETS - 1;
    this.count = 0;
  }

  private grow(): void {
    const old = this.buckets;
    const size = old.length * 2;
    this.buckets = new Array<E | null>(size).fill(null);
    this.mask = size - 1;
    for (let entry of old) {
      while (entry !== null) {
        const next = entry.nextInBucket;
        const i = entry.hash & this.mask;
        entry.nextInBucket = this.buckets[i]!;
        this.buckets[i] = entry;
        entry = next;
      }
    }
  }
}
