import { describe, expect, it } from 'vitest';
import { EntryIndex } from '../worker/state/entry-index.ts';

class Entry {
  nextInBucket: Entry | null = null;
  constructor(
    readonly hash: number,
    readonly name: string,
  ) {}
}

/** Every entry whose hash is `hash`, by walking the bucket. */
function find(index: EntryIndex<Entry>, hash: number): string[] {
  const out: string[] = [];
  for (let e = index.first(hash); e !== null; e = e.nextInBucket) if (e.hash === hash) out.push(e.name);
  return out;
}

describe('EntryIndex', () => {
  it('finds every entry by hash while it grows from 16 buckets to 1,024', () => {
    const index = new EntryIndex<Entry>();
    const entries = Array.from({ length: 1000 }, (_, i) => new Entry((i * 2654435761) >>> 2, `e${i}`));
    for (const e of entries) index.add(e);
    for (const e of entries) expect(find(index, e.hash)).toEqual([e.name]);
  });

  it('keeps entries of equal hashes apart, and removes one without losing the others', () => {
    const index = new EntryIndex<Entry>();
    const [a, b, c] = [new Entry(7, 'a'), new Entry(7, 'b'), new Entry(7 + 16, 'c')];
    for (const e of [a, b, c]) index.add(e);
    expect(find(index, 7)).toEqual(['b', 'a']);
    expect(find(index, 23)).toEqual(['c']);
    index.remove(a);
    expect(find(index, 7)).toEqual(['b']);
    expect(a.nextInBucket).toBe(null);
    index.remove(b);
    expect(find(index, 7)).toEqual([]);
    expect(find(index, 23)).toEqual(['c']);
    // Removing what is not there changes nothing.
    index.remove(b);
    expect(find(index, 23)).toEqual(['c']);
  });

  it('forgets everything on clear()', () => {
    const index = new EntryIndex<Entry>();
    for (let i = 0; i < 100; i++) index.add(new Entry(i, `e${i}`));
    index.clear();
    for (let i = 0; i < 100; i++) expect(index.first(i)).toBe(null);
    index.add(new Entry(5, 'again'));
    expect(find(index, 5)).toEqual(['again']);
  });
});
