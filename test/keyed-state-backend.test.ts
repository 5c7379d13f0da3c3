import { describe, expect, it } from 'vitest';
import { StateAccessError } from '../shared/errors/errors.ts';
import { sluice } from '../shared/generated/protocol.js';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { b, ctxFor, groupOf, Kind, Op, op, s, strings, timerOp, view, type Operation } from './host-state-fixtures.ts';

const MAX = 128;

function backend(): KeyedStateBackend {
  return new KeyedStateBackend({ maxParallelism: MAX, clock: () => 1000 });
}

function run(be: KeyedStateBackend, ops: Operation[]) {
  return be.apply(ops, ctxFor(MAX)).map(view);
}

const none = { found: false, values: [], mapKeys: [], more: false };

describe('value-like state (VALUE, REDUCING, AGGREGATING)', () => {
  for (const kind of [Kind.VALUE, Kind.REDUCING, Kind.AGGREGATING]) {
    it(`GET / PUT / CLEAR on ${Kind[kind]}`, () => {
      const be = backend();
      expect(
        run(be, [
          op(kind, '3/v', Op.GET),
          op(kind, '3/v', Op.PUT, { values: ['one'] }),
          op(kind, '3/v', Op.GET),
          op(kind, '3/v', Op.PUT, { values: ['two'] }),
          op(kind, '3/v', Op.GET),
          op(kind, '3/v', Op.GET, { key: 'other' }),
          op(kind, '3/v', Op.GET, { ns: 'window-1' }),
          op(kind, '3/v', Op.CLEAR),
          op(kind, '3/v', Op.GET),
        ]),
      ).toEqual([
        none,
        none,
        { found: true, values: ['one'], mapKeys: [], more: false },
        none,
        { found: true, values: ['two'], mapKeys: [], more: false },
        none,
        none,
        none,
        none,
      ]);
      expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
    });
  }

  it('keeps key, namespace and state apart, even when their bytes concatenate alike', () => {
    const be = backend();
    run(be, [
      op(Kind.VALUE, 'a', Op.PUT, { key: 'ab', ns: 'c', values: ['1'] }),
      op(Kind.VALUE, 'a', Op.PUT, { key: 'a', ns: 'bc', values: ['2'] }),
      op(Kind.VALUE, 'a', Op.PUT, { key: 'abc', values: ['3'] }),
      op(Kind.VALUE, 'b', Op.PUT, { key: 'ab', ns: 'c', values: ['4'] }),
    ]);
    expect(
      run(be, [
        op(Kind.VALUE, 'a', Op.GET, { key: 'ab', ns: 'c' }),
        op(Kind.VALUE, 'a', Op.GET, { key: 'a', ns: 'bc' }),
        op(Kind.VALUE, 'a', Op.GET, { key: 'abc' }),
        op(Kind.VALUE, 'b', Op.GET, { key: 'ab', ns: 'c' }),
      ]).map((r) => r.values),
    ).toEqual([['1'], ['2'], ['3'], ['4']]);
  });

  it('copies the bytes it keeps: mutating or reusing the request buffer changes nothing', () => {
    const be = backend();
    const message = b('..value..');
    const value = message.subarray(2, 7);
    be.apply([op(Kind.VALUE, 'v', Op.PUT, { values: [value] })], ctxFor(MAX));
    message.fill(0);
    const [result] = be.apply([op(Kind.VALUE, 'v', Op.GET)], ctxFor(MAX));
    expect(s(result!.values![0])).toBe('value');
    expect(result!.values![0]!.buffer.byteLength).toBe(5);
  });
});

describe('requests decoded from the wire', () => {
  it('answers a protobuf-decoded request and keeps no view into its buffer', () => {
    const be = backend();
    const wire = sluice.fn.v1.StateRequest.encode({
      id: 'r1',
      instructionId: 'bundle-1',
      operations: [
        op(Kind.MAP, '3/m', Op.PUT, { key: 'user-1', ns: 'w', mapKey: 'mk', values: ['v1'], time: 5 }),
        op(Kind.MAP, '3/m', Op.MAP_GET, { key: 'user-1', ns: 'w', mapKey: 'mk' }),
      ],
    }).finish();
    const request = sluice.fn.v1.StateRequest.decode(wire);
    const results = be.apply(request.operations, ctxFor(MAX));
    expect(results.map(view)).toEqual([none, { found: true, values: ['v1'], mapKeys: [], more: false }]);
    wire.fill(0);
    const decodedValue = request.operations[0]!.values![0]!;
    decodedValue.fill(0);
    expect(view(be.apply([op(Kind.MAP, '3/m', Op.MAP_GET, { key: 'user-1', ns: 'w', mapKey: 'mk' })], ctxFor(MAX))[0]!).values).toEqual([
      'v1',
    ]);
    const response = sluice.fn.v1.StateResponse.decode(sluice.fn.v1.StateResponse.encode({ id: 'r1', results }).finish());
    expect(response.results.map((r) => [r.found, strings(r.values)])).toEqual([
      [false, []],
      [true, ['v1']],
    ]);
  });
});

describe('list state', () => {
  it('GET / APPEND / PUT / CLEAR', () => {
    const be = backend();
    expect(
      run(be, [
        op(Kind.LIST, 'l', Op.GET),
        op(Kind.LIST, 'l', Op.APPEND, { values: ['a'] }),
        op(Kind.LIST, 'l', Op.APPEND, { values: ['b', 'c'] }),
        op(Kind.LIST, 'l', Op.APPEND, { values: [] }),
        op(Kind.LIST, 'l', Op.GET),
        op(Kind.LIST, 'l', Op.PUT, { values: ['x', 'y'] }),
        op(Kind.LIST, 'l', Op.GET),
        op(Kind.LIST, 'l', Op.PUT, { values: [] }),
        op(Kind.LIST, 'l', Op.GET),
        op(Kind.LIST, 'l', Op.APPEND, { values: ['z'] }),
        op(Kind.LIST, 'l', Op.CLEAR),
        op(Kind.LIST, 'l', Op.GET),
      ]),
    ).toEqual([
      none,
      none,
      none,
      none,
      { found: true, values: ['a', 'b', 'c'], mapKeys: [], more: false },
      none,
      { found: true, values: ['x', 'y'], mapKeys: [], more: false },
      none,
      none,
      none,
      none,
      none,
    ]);
    expect(be.stats().entries).toBe(0);
  });

  it('returns a snapshot of the list: a later APPEND does not change an earlier result', () => {
    const be = backend();
    const [, first] = be.apply([op(Kind.LIST, 'l', Op.APPEND, { values: ['a'] }), op(Kind.LIST, 'l', Op.GET)], ctxFor(MAX));
    be.apply([op(Kind.LIST, 'l', Op.APPEND, { values: ['b'] })], ctxFor(MAX));
    expect(first!.values!.length).toBe(1);
  });
});

describe('map state', () => {
  it('MAP_GET / PUT / REMOVE / MAP_IS_EMPTY / CLEAR', () => {
    const be = backend();
    expect(
      run(be, [
        op(Kind.MAP, 'm', Op.MAP_IS_EMPTY),
        op(Kind.MAP, 'm', Op.MAP_GET, { mapKey: 'x' }),
        op(Kind.MAP, 'm', Op.PUT, { mapKey: 'x', values: ['1'] }),
        op(Kind.MAP, 'm', Op.PUT, { mapKey: 'y', values: ['2'] }),
        op(Kind.MAP, 'm', Op.PUT, { mapKey: '', values: ['empty key'] }),
        op(Kind.MAP, 'm', Op.MAP_IS_EMPTY),
        op(Kind.MAP, 'm', Op.MAP_GET, { mapKey: 'x' }),
        op(Kind.MAP, 'm', Op.MAP_GET, { mapKey: '' }),
        op(Kind.MAP, 'm', Op.PUT, { mapKey: 'x', values: ['3'] }),
        op(Kind.MAP, 'm', Op.MAP_GET, { mapKey: 'x' }),
        op(Kind.MAP, 'm', Op.REMOVE, { mapKey: 'x' }),
        op(Kind.MAP, 'm', Op.REMOVE, { mapKey: 'x' }),
        op(Kind.MAP, 'm', Op.MAP_GET, { mapKey: 'x' }),
        op(Kind.MAP, 'm', Op.MAP_GET, { mapKey: 'y' }),
        op(Kind.MAP, 'm', Op.MAP_IS_EMPTY, { ns: 'other' }),
        op(Kind.MAP, 'm', Op.CLEAR),
        op(Kind.MAP, 'm', Op.MAP_IS_EMPTY),
        op(Kind.MAP, 'm', Op.MAP_GET, { mapKey: 'y' }),
      ]),
    ).toEqual([
      none,
      none,
      none,
      none,
      none,
      { ...none, found: true },
      { found: true, values: ['1'], mapKeys: [], more: false },
      { found: true, values: ['empty key'], mapKeys: [], more: false },
      none,
      { found: true, values: ['3'], mapKeys: [], more: false },
      { ...none, found: true },
      none,
      none,
      { found: true, values: ['2'], mapKeys: [], more: false },
      none,
      none,
      none,
      none,
    ]);
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
  });

  it('iterates in map-key byte order, whatever order the keys were put, removed and put again', () => {
    const be = backend();
    run(be, [
      op(Kind.MAP, 'm', Op.PUT, { mapKey: 'a', values: ['1'] }),
      op(Kind.MAP, 'm', Op.PUT, { mapKey: 'b', values: ['2'] }),
      op(Kind.MAP, 'm', Op.PUT, { mapKey: 'c', values: ['3'] }),
      op(Kind.MAP, 'm', Op.PUT, { mapKey: 'a', values: ['4'] }),
      op(Kind.MAP, 'm', Op.REMOVE, { mapKey: 'b' }),
      op(Kind.MAP, 'm', Op.PUT, { mapKey: 'b', values: ['5'] }),
    ]);
    expect(run(be, [op(Kind.MAP, 'm', Op.MAP_ITERATE)])).toEqual([
      { found: true, mapKeys: ['a', 'b', 'c'], values: ['4', '5', '3'], more: false },
    ]);
  });
});

describe('DECLARE', () => {
  it('needs no key, returns an empty result, and is not subject to ownership', () => {
    const be = backend();
    const declare: Operation = { key: { stateName: 's', kind: Kind.VALUE }, op: Op.DECLARE, ttl: { ttlMs: 5 } };
    expect(be.apply([declare], ctxFor(MAX, { start: 5, end: 5 })).map(view)).toEqual([none]);
  });

  it('refuses an unknown TTL setting', () => {
    const be = backend();
    const declare = (ttl: object): Operation => ({ key: { stateName: 's', kind: Kind.VALUE }, op: Op.DECLARE, ttl });
    expect(() => be.apply([declare({ ttlMs: 5, updateType: 'OnWrite' })], ctxFor(MAX))).toThrow(
      "operation 0 (DECLARE on state 's'): state 's': unknown TTL update type 'OnWrite', expected one of OnCreateAndWrite, OnReadAndWrite",
    );
    expect(() => be.apply([declare({ ttlMs: 5, visibility: 'Sometimes' })], ctxFor(MAX))).toThrow(
      "unknown TTL visibility 'Sometimes'",
    );
    expect(() => be.apply([declare({ ttlMs: -1 })], ctxFor(MAX))).toThrow('TTL must be a positive number of milliseconds, got -1');
  });
});

describe('refusal', () => {
  const keyIn5 = (() => {
    for (let i = 0; ; i++) if (groupOf(`key-${i}`, MAX) === 5) return `key-${i}`;
  })();
  const keyIn6 = (() => {
    for (let i = 0; ; i++) if (groupOf(`key-${i}`, MAX) === 6) return `key-${i}`;
  })();

  it('refuses the whole request when one key is outside the owned range, and applies none of it', () => {
    const be = backend();
    const owned = { start: 0, end: 5 };
    let error: unknown;
    try {
      be.apply(
        [
          op(Kind.VALUE, '3/sum', Op.PUT, { key: keyIn5, values: ['applied?'] }),
          op(Kind.LIST, '3/list', Op.APPEND, { key: keyIn5, values: ['applied?'] }),
          op(Kind.VALUE, '3/sum', Op.PUT, { key: keyIn6, values: ['x'] }),
        ],
        ctxFor(MAX, owned),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateAccessError);
    expect((error as Error).message).toBe(
      "state request refused, nothing in it was applied: operation 2 (PUT on state '3/sum'): " +
        'its key is in key group 6, outside the key groups this worker owns [0, 5]',
    );
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
    expect(run(be, [op(Kind.VALUE, '3/sum', Op.GET, { key: keyIn5 }), op(Kind.LIST, '3/list', Op.GET, { key: keyIn5 })])).toEqual([
      none,
      none,
    ]);
  });

  it('does not apply a DECLARE that came before the refused operation', () => {
    const clock = { now: 0 };
    const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => clock.now });
    const declare: Operation = { key: { stateName: 'v', kind: Kind.VALUE }, op: Op.DECLARE, ttl: { ttlMs: 1 } };
    expect(() => be.apply([declare, op(Kind.VALUE, 'v', Op.PUT, { key: keyIn6, values: ['x'] })], ctxFor(MAX, { start: 0, end: 5 }))).toThrow(
      StateAccessError,
    );
    be.apply([op(Kind.VALUE, 'v', Op.PUT, { key: keyIn5, values: ['x'] })], ctxFor(MAX));
    clock.now = 1e9;
    expect(view(be.apply([op(Kind.VALUE, 'v', Op.GET, { key: keyIn5 })], ctxFor(MAX))[0]!).values).toEqual(['x']);
  });

  it('refuses a state used as two kinds, even within one request', () => {
    const be = backend();
    run(be, [op(Kind.VALUE, 'v', Op.PUT, { values: ['1'] })]);
    expect(() => run(be, [op(Kind.LIST, 'v', Op.GET)])).toThrow(
      "operation 0 (GET on state 'v'): the state is VALUE state, not LIST",
    );
    expect(() => run(be, [op(Kind.MAP, 'n', Op.MAP_IS_EMPTY), op(Kind.LIST, 'n', Op.APPEND, { values: ['x'] })])).toThrow(
      "operation 1 (APPEND on state 'n'): the state is MAP state, not LIST",
    );
    // A refused request registers no kind either.
    expect(run(be, [op(Kind.LIST, 'n', Op.APPEND, { values: ['x'] })])).toEqual([none]);
  });

  it('refuses operations a kind does not have, and malformed arguments', () => {
    const be = backend();
    const refused = (o: Operation) => {
      try {
        be.apply([o], ctxFor(MAX));
      } catch (e) {
        return (e as Error).message.replace(/^.*?: operation 0 /, '');
      }
      return 'accepted';
    };
    expect(refused(op(Kind.VALUE, 'v', Op.APPEND, { values: ['x'] }))).toBe("(APPEND on state 'v'): APPEND is not an operation of VALUE state");
    expect(refused(op(Kind.MAP, 'm', Op.GET))).toBe("(GET on state 'm'): GET is not an operation of MAP state");
    expect(refused(op(Kind.VALUE, 'v', Op.PUT))).toBe("(PUT on state 'v'): PUT takes exactly one value, got 0");
    expect(refused(op(Kind.MAP, 'm', Op.PUT, { mapKey: 'k', values: ['1', '2'] }))).toBe(
      "(PUT on state 'm'): PUT takes exactly one value, got 2",
    );
    expect(refused(op(Kind.STATE_KIND_UNSPECIFIED, 'v', Op.GET))).toBe("(GET on state 'v'): unknown state kind STATE_KIND_UNSPECIFIED");
    expect(refused(op(Kind.VALUE, '', Op.GET))).toBe("(GET on state ''): it names no state");
    expect(refused({ key: { stateName: 'v', kind: Kind.VALUE } })).toBe(
      "(STATE_OP_UNSPECIFIED on state 'v'): STATE_OP_UNSPECIFIED is not an operation of VALUE state",
    );
    expect(refused(op(Kind.MAP, 'm', Op.MAP_ITERATE, { values: [b('12')] }))).toBe(
      "(MAP_ITERATE on state 'm'): MAP_ITERATE's page size (values[0]) must be 4 bytes, got 2",
    );
    expect(refused(timerOp('3/wall-clock', Op.PUT, 5))).toBe(
      "(PUT on state '3/wall-clock'): a timer state is named '<operator>/event-time' or '<operator>/processing-time'",
    );
    expect(refused({ key: { stateName: '3/event-time', kind: Kind.TIMER, key: b('k') }, op: Op.PUT, mapKey: b('1234') })).toBe(
      "(PUT on state '3/event-time'): map_key must be the timer timestamp as an 8-byte big-endian float64 (not NaN)",
    );
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
  });

  it('refuses a context of another max parallelism or an invalid owned range', () => {
    const be = backend();
    expect(() => be.apply([], { owned: { start: 0, end: 3 }, maxParallelism: 4, instructionId: '' })).toThrow(
      'state request refused: it assumes max parallelism 4, the backend has 128',
    );
    expect(() => be.apply([], ctxFor(MAX, { start: 3, end: 2 }))).toThrow('state request refused: invalid owned key-group range [3, 2]');
  });

  it('treats missing protobuf fields as their defaults', () => {
    const be = backend();
    const bare: Operation = { key: { stateName: 'v', kind: Kind.VALUE }, op: Op.PUT, values: [b('x')] };
    const got: Operation = { key: { stateName: 'v', kind: Kind.VALUE, key: new Uint8Array(0), namespace: null }, op: Op.GET, time: null };
    expect(be.apply([bare, got], ctxFor(MAX)).map(view)).toEqual([none, { found: true, values: ['x'], mapKeys: [], more: false }]);
  });
});

describe('stats', () => {
  it('counts stored values and their payload bytes', () => {
    const be = backend();
    run(be, [
      op(Kind.VALUE, 'v', Op.PUT, { key: 'k', ns: 'n', values: ['abc'] }), // 1 entry, 1 + 1 + 3 bytes
      op(Kind.LIST, 'l', Op.APPEND, { key: 'k', values: ['aa', 'bbb'] }), // 2 entries, 1 + 2 + 3
      op(Kind.MAP, 'm', Op.PUT, { key: 'k', mapKey: 'mk', values: ['v'] }), // 1 entry, 1 + 2 + 1
      timerOp('3/event-time', Op.PUT, 7, 'k'), // 1 entry, 1 + 8
    ]);
    expect(be.stats()).toEqual({ entries: 5, bytes: 5 + 6 + 4 + 9, openIterations: 0 });
    run(be, [op(Kind.VALUE, 'v', Op.PUT, { key: 'k', ns: 'n', values: ['a'] })]);
    expect(be.stats().bytes).toBe(3 + 6 + 4 + 9);
    run(be, [op(Kind.LIST, 'l', Op.CLEAR, { key: 'k' }), op(Kind.MAP, 'm', Op.REMOVE, { key: 'k', mapKey: 'mk' })]);
    expect(be.stats()).toEqual({ entries: 2, bytes: 3 + 9, openIterations: 0 });
  });
});
