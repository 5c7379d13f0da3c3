/**
 * The worker's broadcast state (worker/state/broadcast-state.ts): built from the entries the
 * registration gives, read locally and decoded on every read, in the host's order (a JS Map's:
 * insertion order, a put to a present key keeps its place), writes applied at once and sent to
 * the host as BROADCAST operations with the bundle's state writes; a read-only view for
 * processElement and onTimer; descriptors the stream was not broadcast with refused.
 */
import { describe, expect, it } from 'vitest';
import { MapStateDescriptor } from '../shared/api/state-descriptors.ts';
import { JobDefinitionError, ProtocolError } from '../shared/errors/errors.ts';
import { sluice } from '../shared/generated/protocol.js';
import { WorkerKeyedState } from '../worker/state/index.ts';
import { DEFAULT_OPTIONS, FakeStateHost, jsonCodec } from './worker-state-fake-host.ts';

const { StateKind, StateOp } = sluice.fn.v1;

interface Rule {
  limit: number;
  tags: string[];
}

const RULES = new MapStateDescriptor<string, Rule>('rules');
const LIMITS = new MapStateDescriptor<string, number>('limits');

const enc = (v: unknown): Uint8Array => jsonCodec.encode(v);

/** The wire key every operation on `name` of transform t0 carries. */
const wireKey = (name: string) => ({ stateName: `t0/${name}`, kind: StateKind.BROADCAST, key: new Uint8Array(0) });

/** Broadcast states of transform t0 over a fake host: `contents` by name, entries as plain JS. */
function statesOver(contents: Record<string, Array<[unknown, unknown]>> = { rules: [], limits: [] }) {
  const host = new FakeStateHost();
  const keyed = new WorkerKeyedState(host, DEFAULT_OPTIONS, jsonCodec);
  keyed.beginBundle('b1');
  const states = keyed.broadcastStates(
    't0',
    Object.entries(contents).map(([name, entries]) => ({ name, keys: entries.map(([k]) => enc(k)), values: entries.map(([, v]) => enc(v)) })),
  );
  return { host, keyed, states };
}

/** Whether `p` has settled once every pending microtask has run. */
async function hasSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (thrown) {
    return thrown;
  }
  return null;
}

describe('broadcast state: reads', () => {
  it('holds the entries the registration gave, in their order, without asking the host', () => {
    const { host, states } = statesOver({
      limits: [
        ['z', 3],
        ['a', 1],
        ['m', 2],
      ],
    });
    const limits = states.writable(LIMITS);
    expect([...limits.entries()]).toEqual([
      ['z', 3],
      ['a', 1],
      ['m', 2],
    ]);
    expect([...limits.keys()]).toEqual(['z', 'a', 'm']);
    expect([...limits.values()]).toEqual([3, 1, 2]);
    expect(limits.get('a')).toBe(1);
    expect(limits.get('b')).toBeNull();
    expect(limits.contains('m')).toBe(true);
    expect(limits.contains('b')).toBe(false);
    expect(limits.isEmpty()).toBe(false);
    expect(host.requests).toEqual([]);
  });

  it('an empty registration is an empty state', () => {
    const { states } = statesOver({ limits: [] });
    const limits = states.writable(LIMITS);
    expect(limits.isEmpty()).toBe(true);
    expect([...limits.entries()]).toEqual([]);
  });

  it('decodes on every read: what a function changes in what it got, or in what it put, is not the state', () => {
    const { states } = statesOver();
    const rules = states.writable(RULES);
    const rule: Rule = { limit: 5, tags: ['a'] };
    rules.put('r', rule);
    rule.limit = 6;
    rule.tags.push('put-then-changed');
    const got = rules.get('r')!;
    expect(got).toEqual({ limit: 5, tags: ['a'] });
    got.limit = 99;
    got.tags.push('read-then-changed');
    const [[, fromEntries]] = [...rules.entries()] as [[string, Rule]];
    fromEntries.tags.length = 0;
    for (const v of rules.values()) v.limit = -1;
    expect(rules.get('r')).toEqual({ limit: 5, tags: ['a'] });
    expect(rules.get('r')).not.toBe(rules.get('r'));
  });

  it('each iteration of keys(), values() and entries() walks the map anew', () => {
    const { states } = statesOver({ limits: [['a', 1]] });
    const limits = states.writable(LIMITS);
    const keys = limits.keys();
    expect([...keys]).toEqual(['a']);
    limits.put('b', 2);
    expect([...keys]).toEqual(['a', 'b']);
  });

  it('an iteration sees the map as it was when it started: a loop that re-keys every entry ends', () => {
    const { states } = statesOver({ limits: [[' A', 1], ['B ', 2], ['c', 3]] });
    const limits = states.writable(LIMITS);
    const visited: string[] = [];
    for (const [k, v] of limits.entries()) {
      visited.push(k);
      limits.remove(k);
      limits.put(k.trim().toLowerCase(), v + 10);
    }
    expect(visited).toEqual([' A', 'B ', 'c']);
    expect([...limits.entries()]).toEqual([
      ['a', 11],
      ['b', 12],
      ['c', 13],
    ]);
    // Keys put during an iteration of keys() or values() are not met by it either.
    let n = 0;
    for (const k of limits.keys()) limits.put(`${k}${n++}`, n);
    expect(n).toBe(3);
    for (const v of limits.values()) limits.put(`v${v}`, v);
    expect([...limits.keys()]).toHaveLength(12);
  });

  it('copies the registration bytes that are views of a larger buffer', () => {
    const host = new FakeStateHost();
    const keyed = new WorkerKeyedState(host, DEFAULT_OPTIONS, jsonCodec);
    const key = enc('k');
    const value = enc(7);
    const buffer = new Uint8Array(key.length + value.length + 4);
    buffer.set(key, 2);
    buffer.set(value, 2 + key.length);
    const states = keyed.broadcastStates('t0', [
      { name: 'limits', keys: [buffer.subarray(2, 2 + key.length)], values: [buffer.subarray(2 + key.length, 2 + key.length + value.length)] },
    ]);
    buffer.fill(0x20);
    expect([...states.writable(LIMITS).entries()]).toEqual([['k', 7]]);
  });

  it('refuses a registration whose keys and values differ in number, or that names a state twice', () => {
    const keyed = new WorkerKeyedState(new FakeStateHost(), DEFAULT_OPTIONS, jsonCodec);
    const uneven = thrownBy(() => keyed.broadcastStates('t0', [{ name: 'limits', keys: [enc('a'), enc('b')], values: [enc(1)] }]));
    expect(uneven).toBeInstanceOf(ProtocolError);
    expect((uneven as Error).message).toBe("broadcast state 'limits' of transform 't0' came with 2 keys and 1 values");
    const twice = thrownBy(() => keyed.broadcastStates('t0', [{ name: 'limits' }, { name: 'limits' }]));
    expect(twice).toBeInstanceOf(ProtocolError);
    expect((twice as Error).message).toBe("transform 't0' was given broadcast state 'limits' twice");
  });
});

describe('broadcast state: writes', () => {
  it("changes the map at once, in a JS Map's order: a put to a present key keeps its place, remove then put moves it to the end", () => {
    const { host, states } = statesOver({
      limits: [
        ['a', 1],
        ['b', 2],
      ],
    });
    const limits = states.writable(LIMITS);
    limits.put('c', 3);
    limits.put('a', 10);
    expect([...limits.entries()]).toEqual([
      ['a', 10],
      ['b', 2],
      ['c', 3],
    ]);
    limits.remove('a');
    expect(limits.get('a')).toBeNull();
    expect(limits.contains('a')).toBe(false);
    limits.put('a', 11);
    expect([...limits.entries()]).toEqual([
      ['b', 2],
      ['c', 3],
      ['a', 11],
    ]);
    // Nothing went to the host yet: writes wait for the bundle's end, or a full batch.
    expect(host.requests).toEqual([]);
  });

  it('sends each write as a BROADCAST operation, in order, when the bundle finishes', async () => {
    const { host, keyed, states } = statesOver();
    const limits = states.writable(LIMITS);
    const rules = states.writable(RULES);
    limits.put('a', 1);
    rules.put('r', { limit: 2, tags: [] });
    limits.remove('a');
    limits.remove('never-there');
    limits.clear();
    host.holding = true;
    const finished = keyed.finishBundle();
    // The request reached the host; the bundle is done only once the host has answered.
    expect(host.heldCount).toBe(1);
    expect(await hasSettled(finished)).toBe(false);
    host.release();
    await finished;
    expect(host.requests).toHaveLength(1);
    expect(host.requests[0]!.instructionId).toBe('b1');
    expect(host.operations).toEqual([
      { key: wireKey('limits'), op: StateOp.PUT, mapKey: enc('a'), values: [enc(1)] },
      { key: wireKey('rules'), op: StateOp.PUT, mapKey: enc('r'), values: [enc({ limit: 2, tags: [] })] },
      { key: wireKey('limits'), op: StateOp.REMOVE, mapKey: enc('a') },
      { key: wireKey('limits'), op: StateOp.REMOVE, mapKey: enc('never-there') },
      { key: wireKey('limits'), op: StateOp.CLEAR },
    ]);
  });

  it('clear() empties the map', () => {
    const { states } = statesOver({ limits: [['a', 1]] });
    const limits = states.writable(LIMITS);
    limits.clear();
    expect(limits.isEmpty()).toBe(true);
    expect([...limits.keys()]).toEqual([]);
    limits.put('b', 2);
    expect([...limits.entries()]).toEqual([['b', 2]]);
  });

  it('putAll() takes a Map or pairs, and puts each in order as put() does', async () => {
    const { host, keyed, states } = statesOver({ limits: [['b', 0]] });
    const limits = states.writable(LIMITS);
    limits.putAll(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    limits.putAll([
      ['c', 3],
      ['a', 4],
    ]);
    expect([...limits.entries()]).toEqual([
      ['b', 2],
      ['a', 4],
      ['c', 3],
    ]);
    await keyed.finishBundle();
    expect(host.operations.map((o) => [o.op, jsonCodec.decode(o.mapKey!), jsonCodec.decode(o.values![0]!)])).toEqual([
      [StateOp.PUT, 'a', 1],
      [StateOp.PUT, 'b', 2],
      [StateOp.PUT, 'c', 3],
      [StateOp.PUT, 'a', 4],
    ]);
  });

  it('putAll() puts nothing when one of its entries cannot be encoded', async () => {
    const { host, keyed, states } = statesOver({ limits: [['a', 1]] });
    const limits = states.writable(LIMITS);
    const thrown = thrownBy(() =>
      limits.putAll([
        ['b', 2],
        ['c', 3n as unknown as number],
      ]),
    );
    expect(thrown).toBeInstanceOf(TypeError);
    expect([...limits.entries()]).toEqual([['a', 1]]);
    await keyed.finishBundle();
    expect(host.operations).toEqual([]);
  });
});

describe('broadcast state: the read-only view', () => {
  it('reads what the writable state holds, as it changes', () => {
    const { states } = statesOver({ limits: [['a', 1]] });
    const limits = states.writable(LIMITS);
    const view = states.readOnly(LIMITS);
    expect([...view.entries()]).toEqual([['a', 1]]);
    limits.put('b', 2);
    expect(view.get('b')).toBe(2);
    expect(view.contains('b')).toBe(true);
    expect([...view.keys()]).toEqual(['a', 'b']);
    expect([...view.values()]).toEqual([1, 2]);
    limits.clear();
    expect(view.isEmpty()).toBe(true);
  });

  it('refuses every write, naming the method and the state, and sends nothing', async () => {
    const { host, keyed, states } = statesOver({ limits: [['a', 1]] });
    const view = states.readOnly(LIMITS) as unknown as {
      put(k: string, v: number): void;
      putAll(e: [string, number][]): void;
      remove(k: string): void;
      clear(): void;
    };
    const refusals = [
      thrownBy(() => view.put('b', 2)),
      thrownBy(() => view.putAll([['b', 2]])),
      thrownBy(() => view.remove('a')),
      thrownBy(() => view.clear()),
    ].map((e) => (e as Error).message);
    expect(refusals).toEqual(
      ['put', 'putAll', 'remove', 'clear'].map(
        (m) => `${m}() on broadcast state 'limits' refused: it is read-only in processElement and onTimer; only processBroadcastElement may change it`,
      ),
    );
    expect([...states.writable(LIMITS).entries()]).toEqual([['a', 1]]);
    await keyed.finishBundle();
    expect(host.operations).toEqual([]);
  });
});

describe('broadcast state: descriptors', () => {
  it('gives the same object for a descriptor every time, found by its name', () => {
    const { states } = statesOver();
    expect(states.writable(LIMITS)).toBe(states.writable(LIMITS));
    expect(states.writable(new MapStateDescriptor<string, number>('limits'))).toBe(states.writable(LIMITS));
    expect(states.readOnly(LIMITS)).toBe(states.readOnly(LIMITS));
    expect(states.readOnly(LIMITS)).not.toBe(states.writable(LIMITS));
    expect(states.writable(RULES)).not.toBe(states.writable(LIMITS));
  });

  it('refuses a descriptor the stream was not broadcast with, naming it and those it was', () => {
    const { states } = statesOver();
    const other = new MapStateDescriptor<string, string>('other');
    for (const get of [() => states.writable(other), () => states.readOnly(other)]) {
      const thrown = thrownBy(get);
      expect(thrown).toBeInstanceOf(JobDefinitionError);
      expect((thrown as Error).message).toBe(
        "no broadcast state 'other': the stream was broadcast with 'rules', 'limits' (give broadcast(...) every MapStateDescriptor the function uses)",
      );
    }
    const none = statesOver({}).states;
    expect((thrownBy(() => none.writable(other)) as Error).message).toBe(
      "no broadcast state 'other': the stream was broadcast with none (give broadcast(...) every MapStateDescriptor the function uses)",
    );
  });
});
