import { describe, expect, it } from 'vitest';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { ctxFor, Kind, Op, op, u32, view, type Operation } from './host-state-fixtures.ts';

const MAX = 16;

function backendWith(entries: string[], key = 'k'): KeyedStateBackend {
  const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1 });
  be.apply(
    entries.map((e) => op(Kind.MAP, 'm', Op.PUT, { key, mapKey: e, values: [`v-${e}`] })),
    ctxFor(MAX),
  );
  return be;
}

function iterate(be: KeyedStateBackend, continuation?: Uint8Array, pageSize?: number, instructionId = 'bundle-1', key = 'k') {
  const operation: Operation = op(Kind.MAP, 'm', Op.MAP_ITERATE, {
    key,
    values: pageSize === undefined ? [] : [u32(pageSize)],
    ...(continuation === undefined ? {} : { continuation }),
  });
  const [result] = be.apply([operation], ctxFor(MAX, undefined, instructionId));
  return { ...view(result!), token: result!.continuation! };
}

function refusal(be: KeyedStateBackend, operations: Operation[]): string {
  try {
    be.apply(operations, ctxFor(MAX));
  } catch (e) {
    return (e as Error).message.replace(/^.*?: operation \d+ /, '');
  }
  return 'accepted';
}

describe('MAP_ITERATE paging', () => {
  it('pages through the map with tokens across requests, then frees the iteration', () => {
    const be = backendWith(['a', 'b', 'c', 'd', 'e']);
    const first = iterate(be, undefined, 2);
    expect([first.mapKeys, first.values, first.found, first.more]).toEqual([['a', 'b'], ['v-a', 'v-b'], true, true]);
    expect(be.stats().openIterations).toBe(1);
    const second = iterate(be, first.token, 2);
    expect([second.mapKeys, second.more]).toEqual([['c', 'd'], true]);
    const third = iterate(be, second.token, 2);
    expect([third.mapKeys, third.values, third.more, third.token.length]).toEqual([['e'], ['v-e'], false, 0]);
    expect(be.stats().openIterations).toBe(0);
  });

  it('ends with an empty token when the last page is exactly full', () => {
    const be = backendWith(['a', 'b', 'c', 'd']);
    const first = iterate(be, undefined, 2);
    const second = iterate(be, first.token, 2);
    expect([second.mapKeys, second.more]).toEqual([['c', 'd'], false]);
    expect(be.stats().openIterations).toBe(0);
  });

  it('uses pages of 1000 when the request gives no page size', () => {
    const keys = Array.from({ length: 1001 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    const be = backendWith(keys);
    const first = iterate(be);
    expect([first.mapKeys.length, first.mapKeys[999], first.more]).toEqual([1000, 'k0999', true]);
    const second = iterate(be, first.token);
    expect([second.mapKeys, second.more]).toEqual([['k1000'], false]);
  });

  it('returns nothing and opens nothing for an absent map', () => {
    const be = backendWith([]);
    expect(iterate(be, undefined, 2)).toEqual({ found: false, values: [], mapKeys: [], more: false, token: new Uint8Array(0) });
    expect(be.stats().openIterations).toBe(0);
  });

  it('returns the same page again for a repeated token while the iteration is open', () => {
    const be = backendWith(['a', 'b', 'c', 'd', 'e']);
    const first = iterate(be, undefined, 2);
    expect(iterate(be, first.token, 2).mapKeys).toEqual(['c', 'd']);
    expect(iterate(be, first.token, 2).mapKeys).toEqual(['c', 'd']);
  });

  it('may change the page size between pages', () => {
    const be = backendWith(['a', 'b', 'c', 'd', 'e']);
    const first = iterate(be, undefined, 1);
    expect(iterate(be, first.token, 10).mapKeys).toEqual(['b', 'c', 'd', 'e']);
  });
});

describe('MAP_ITERATE during changes', () => {
  it('skips entries removed before they were reached and does not return entries added after the start', () => {
    const be = backendWith(['a', 'b', 'c', 'd', 'e']);
    const first = iterate(be, undefined, 2);
    be.apply(
      [
        op(Kind.MAP, 'm', Op.REMOVE, { mapKey: 'c' }),
        op(Kind.MAP, 'm', Op.PUT, { mapKey: 'f', values: ['v-f'] }),
        op(Kind.MAP, 'm', Op.PUT, { mapKey: 'd', values: ['new-d'] }),
        op(Kind.MAP, 'm', Op.REMOVE, { mapKey: 'a' }),
      ],
      ctxFor(MAX),
    );
    const second = iterate(be, first.token, 2);
    expect([second.mapKeys, second.values, second.more]).toEqual([['d', 'e'], ['new-d', 'v-e'], false]);
  });

  it('returns a key removed and put again before it was reached, with its new value', () => {
    const be = backendWith(['a', 'b', 'c']);
    const first = iterate(be, undefined, 1);
    be.apply(
      [op(Kind.MAP, 'm', Op.REMOVE, { mapKey: 'b' }), op(Kind.MAP, 'm', Op.PUT, { mapKey: 'b', values: ['again'] })],
      ctxFor(MAX),
    );
    const rest = iterate(be, first.token, 10);
    expect([rest.mapKeys, rest.values]).toEqual([['b', 'c'], ['again', 'v-c']]);
  });

  it('ends with an empty page when everything left was removed or the map was cleared', () => {
    const be = backendWith(['a', 'b', 'c']);
    const first = iterate(be, undefined, 1);
    be.apply([op(Kind.MAP, 'm', Op.CLEAR)], ctxFor(MAX));
    expect(iterate(be, first.token, 1)).toEqual({ found: false, values: [], mapKeys: [], more: false, token: new Uint8Array(0) });
    expect(be.stats().openIterations).toBe(0);
  });
});

describe('freeing iterations', () => {
  it('MAP_ITERATE_RELEASE frees the iteration; its token is refused afterwards', () => {
    const be = backendWith(['a', 'b', 'c']);
    const first = iterate(be, undefined, 1);
    const [released] = be.apply([op(Kind.MAP, 'm', Op.MAP_ITERATE_RELEASE, { continuation: first.token })], ctxFor(MAX));
    expect(view(released!)).toEqual({ found: true, values: [], mapKeys: [], more: false });
    expect(be.stats().openIterations).toBe(0);
    expect(refusal(be, [op(Kind.MAP, 'm', Op.MAP_ITERATE, { continuation: first.token })])).toBe(
      "(MAP_ITERATE on state 'm'): the map iteration is no longer open (it finished, was released, or its bundle ended)",
    );
    // Releasing again is harmless.
    const [again] = be.apply([op(Kind.MAP, 'm', Op.MAP_ITERATE_RELEASE, { continuation: first.token })], ctxFor(MAX));
    expect(again!.found).toBe(false);
  });

  it('endBundle frees the iterations that bundle opened, and only those', () => {
    const be = backendWith(['a', 'b', 'c']);
    const inOne = iterate(be, undefined, 1, 'bundle-1');
    const inTwo = iterate(be, undefined, 1, 'bundle-2');
    expect(be.stats().openIterations).toBe(2);
    be.endBundle('bundle-1');
    expect(be.stats().openIterations).toBe(1);
    expect(refusal(be, [op(Kind.MAP, 'm', Op.MAP_ITERATE, { continuation: inOne.token })])).toBe(
      "(MAP_ITERATE on state 'm'): the map iteration is no longer open (it finished, was released, or its bundle ended)",
    );
    expect(iterate(be, inTwo.token, 1, 'bundle-3').mapKeys).toEqual(['b']);
    be.endBundle('bundle-2');
    be.endBundle('never-seen');
    expect(be.stats().openIterations).toBe(0);
  });

  it('refuses a malformed token, a token of another key, and one iteration used twice in a request', () => {
    const be = backendWith(['a', 'b', 'c']);
    be.apply([op(Kind.MAP, 'm', Op.PUT, { key: 'other', mapKey: 'x', values: ['1'] })], ctxFor(MAX));
    const first = iterate(be, undefined, 1);
    expect(refusal(be, [op(Kind.MAP, 'm', Op.MAP_ITERATE, { continuation: new Uint8Array(3) })])).toBe(
      "(MAP_ITERATE on state 'm'): malformed continuation token",
    );
    expect(refusal(be, [op(Kind.MAP, 'm', Op.MAP_ITERATE_RELEASE)])).toBe("(MAP_ITERATE_RELEASE on state 'm'): malformed continuation token");
    expect(refusal(be, [op(Kind.MAP, 'm', Op.MAP_ITERATE, { key: 'other', continuation: first.token })])).toBe(
      "(MAP_ITERATE on state 'm'): the continuation token belongs to another state, key or namespace",
    );
    expect(
      refusal(be, [
        op(Kind.MAP, 'm', Op.MAP_ITERATE, { continuation: first.token }),
        op(Kind.MAP, 'm', Op.MAP_ITERATE_RELEASE, { continuation: first.token }),
      ]),
    ).toBe("(MAP_ITERATE_RELEASE on state 'm'): the request uses the same map iteration twice");
    expect(refusal(be, [op(Kind.MAP, 'm', Op.MAP_ITERATE, { values: [u32(0)] })])).toBe(
      "(MAP_ITERATE on state 'm'): MAP_ITERATE's page size must be positive",
    );
    // None of the refused requests moved or freed the iteration.
    expect(iterate(be, first.token, 5).mapKeys).toEqual(['b', 'c']);
  });

  it('restore frees every iteration', () => {
    const be = backendWith(['a', 'b', 'c']);
    iterate(be, undefined, 1);
    be.restore([be.snapshot()]);
    expect(be.stats().openIterations).toBe(0);
  });
});
