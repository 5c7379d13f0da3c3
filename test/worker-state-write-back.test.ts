import { describe, expect, it } from 'vitest';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../shared/api/state-descriptors.ts';
import { StateTtlConfig } from '../shared/api/ttl.ts';
import { StateAccessError } from '../shared/errors/errors.ts';
import { sluice } from '../shared/generated/protocol.js';
import { KeyColumn } from '../shared/codec/key-column.ts';
import { ElementScope } from '../worker/processor/element-scope.ts';
import { WorkerKeyedState } from '../worker/state/index.ts';
import { DEFAULT_OPTIONS, FakeStateHost, jsonCodec, workerOver } from './worker-state-fake-host.ts';

const { StateKind, StateOp } = sluice.fn.v1;

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

describe('state write-back', () => {
  it('finishBundle() resolves only once the host has acknowledged every write', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    w.keyed.beginBundle('b1');
    s.update(1);
    host.holding = true;
    const finished = w.keyed.finishBundle();
    expect(await hasSettled(finished)).toBe(false);
    // The writes reached the host; only the acknowledgement is outstanding.
    expect(host.heldCount).toBe(1);
    expect(host.value('op/s', 'k')).toBe(1);
    host.release();
    await finished;
    expect(await hasSettled(finished)).toBe(true);
  });

  it('does not make the function wait for writes, and sends them in batches', async () => {
    const host = new FakeStateHost();
    // Requests of 1,000 writes (the default is 10,000), so that a test shows several.
    const w = workerOver(host, { cacheSize: 0, writeBatchSize: 1000 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    host.holding = true;
    for (let k = 0; k < 2500; k++) {
      w.setKey(k);
      s.update(k);
    }
    // Two full batches went out unanswered; the function never waited for them.
    expect(host.requests.map((r) => r.operations!.length)).toEqual([1000, 1000]);
    const finished = w.keyed.finishBundle();
    expect(await hasSettled(finished)).toBe(false);
    host.release();
    await finished;
    expect(host.requests.map((r) => r.operations!.length)).toEqual([1000, 1000, 501]);
    expect(host.value('op/s', 2499)).toBe(2499);
  });

  it('writes cached entries back in batches at the bundle end', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 5000, writeBatchSize: 1000 });
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    for (let k = 0; k < 2500; k++) {
      w.setKey(k);
      s.update(k);
    }
    expect(host.requests.length).toBe(0);
    await w.keyed.finishBundle();
    expect(host.requests.map((r) => r.operations!.length)).toEqual([1000, 1000, 501]);
    expect(host.countOps(StateOp.PUT)).toBe(2500);
  });

  it('writes back, in each bundle, exactly the keys that bundle wrote, with their last values', async () => {
    // A key written back stays on the cache's list for the next bundle, where its first write
    // is a plain rewrite; a bundle that leaves it clean must not write it again.
    const host = new FakeStateHost();
    const w = workerOver(host);
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    const count = (key: string) => {
      w.setKey(key);
      s.update((s.value() ?? 0) + 1);
    };
    const putsOfBundle = async (id: string, keys: string[]) => {
      const before = host.countOps(StateOp.PUT);
      w.keyed.beginBundle(id);
      for (const key of keys) count(key);
      await w.keyed.finishBundle();
      return host.countOps(StateOp.PUT) - before;
    };
    expect(await putsOfBundle('b1', ['a', 'b', 'a'])).toBe(2);
    expect([host.value('op/s', 'a'), host.value('op/s', 'b')]).toEqual([2, 1]);
    expect(await putsOfBundle('b2', ['a', 'a'])).toBe(1);
    expect([host.value('op/s', 'a'), host.value('op/s', 'b')]).toEqual([4, 1]);
    expect(await putsOfBundle('b3', [])).toBe(0);
    expect(await putsOfBundle('b4', ['b', 'a', 'b'])).toBe(2);
    expect([host.value('op/s', 'a'), host.value('op/s', 'b')]).toEqual([5, 3]);
    // Every value came from the cache: the host was read once per key, in the first bundle.
    expect(host.countOps(StateOp.GET)).toBe(2);
  });

  it('with cache size 0 a read is sent after the writes queued before it, in the same request', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 0 });
    const v = w.op.getState(new ValueStateDescriptor<number>('v'));
    const l = w.op.getListState(new ListStateDescriptor<string>('l'));
    const m = w.op.getMapState(new MapStateDescriptor<string, number>('m'));
    v.update(1);
    l.add('a');
    l.add('b');
    m.put('x', 7);
    expect(v.value()).toBe(1);
    expect(host.requests[0]!.operations!.map((o) => o.op)).toEqual([
      StateOp.DECLARE,
      StateOp.PUT,
      StateOp.DECLARE,
      StateOp.APPEND,
      StateOp.APPEND,
      StateOp.DECLARE,
      StateOp.PUT,
      StateOp.GET,
    ]);
    expect(l.get()).toEqual(['a', 'b']);
    expect(m.get('x')).toBe(7);
    v.update(2);
    v.clear();
    expect(v.value()).toBe(null);
    expect(host.requests.length).toBe(4);
  });

  it('uses the key current when a call was made, even when it completes later', async () => {
    const host = new FakeStateHost();
    host.seedValue('op/v', 'a', 'value of a');
    host.seedMap('op/m', 'a', [['x', 'x of a']]);
    const w = workerOver(host);
    const v = w.op.getState(new ValueStateDescriptor<string>('v'));
    const m = w.op.getMapState(new MapStateDescriptor<string, string>('m'));
    const r = w.op.getReducingState(new ReducingStateDescriptor<number>('r', (a, b) => a + b));
    host.holding = true;
    w.setKey('a');
    const read = v.value();
    const mapRead = m.get('x');
    const added = r.add(1);
    w.setKey('b');
    v.update('value of b');
    const addedB = r.add(10);
    host.release();
    expect(read).toBe('value of a');
    expect(mapRead).toBe('x of a');
    host.holding = false;
    added;
    addedB;
    await w.keyed.finishBundle();
    expect(host.value('op/v', 'a')).toBe('value of a');
    expect(host.value('op/v', 'b')).toBe('value of b');
    expect(host.value('op/r', 'a')).toBe(1);
    expect(host.value('op/r', 'b')).toBe(10);
  });

  it('a refused request fails its read and makes finishBundle() reject with StateAccessError', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    const s = w.op.getState(new ValueStateDescriptor<number>('s'));
    w.keyed.beginBundle('b7');
    host.refuseNext('ProtocolError', 'key k is not owned by this worker');
    let thrown: unknown = null;
    try {
      s.value();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(StateAccessError);
    expect((thrown as Error).message).toBe(
      'the host refused state request 1 (bundle b7): ProtocolError: key k is not owned by this worker',
    );
    await expect(w.keyed.finishBundle()).rejects.toBeInstanceOf(StateAccessError);

    // A refused write fails the bundle it belongs to; the next bundle starts clean.
    s.update(5);
    host.refuseNext('StateAccessError', 'backend is read-only');
    await expect(w.keyed.finishBundle()).rejects.toThrow('backend is read-only');
    s.update(6);
    await w.keyed.finishBundle();
    expect(host.value('op/s', 'k')).toBe(6);
  });

  it('a transport failure becomes a StateAccessError', async () => {
    const keyed = new WorkerKeyedState(
      {
        request: () => Promise.reject(new Error('stream closed')),
        requestNow: () => {
          throw new Error('stream closed');
        },
      },
      DEFAULT_OPTIONS,
      jsonCodec,
    );
    const scope = new ElementScope();
    scope.setKey(jsonCodec.encode('k'));
    const s = keyed.forOperator('op', scope).getState(new ValueStateDescriptor('s'));
    expect(() => s.value()).toThrow('state request 1 failed: Error: stream closed');
    await expect(keyed.finishBundle()).rejects.toBeInstanceOf(StateAccessError);
  });

  it('sends timers through the same batches: PUT registers, REMOVE deletes, map_key a float64', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host);
    w.setKey('a');
    w.op.registerTimer('event', 100);
    w.op.registerTimer('event', 200);
    w.op.registerTimer('processing', 50.5);
    w.setKey('b');
    w.op.registerTimer('event', 300);
    w.setKey('a');
    w.op.deleteTimer('event', 100);
    expect(host.requests.length).toBe(0);
    await w.keyed.finishBundle();
    expect(host.requests.length).toBe(1);
    expect(host.timerSet('op/event-time', 'a')).toEqual([200]);
    expect(host.timerSet('op/event-time', 'b')).toEqual([300]);
    expect(host.timerSet('op/processing-time', 'a')).toEqual([50.5]);
    const first = host.operations.find((o) => o.op === StateOp.PUT)!;
    expect(first.key!.kind).toBe(StateKind.TIMER);
    expect(Array.from(first.mapKey!)).toEqual([0x40, 0x59, 0, 0, 0, 0, 0, 0]);
    expect(host.operations.filter((o) => o.op === StateOp.DECLARE).map((o) => o.key!.stateName)).toEqual([
      'op/event-time',
      'op/processing-time',
    ]);
  });

  it('declares a state once, with its TTL, before its first operation; only states with TTL carry the clock', async () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { clock: () => 5 });
    const ttl = StateTtlConfig.newBuilder(60_000).updateTtlOnReadAndWrite().returnExpiredIfNotCleanedUp().build();
    const s = w.op.getState(new ValueStateDescriptor<number>('s').enableTimeToLive(ttl));
    const plain = w.op.getListState(new ListStateDescriptor<number>('plain'));
    s.update(1);
    s.update(2);
    plain.add(1);
    await w.keyed.finishBundle();
    expect(host.operations).toEqual([
      {
        key: { stateName: 'op/s', kind: StateKind.VALUE, key: new Uint8Array() },
        op: StateOp.DECLARE,
        ttl: { ttlMs: 60_000, updateType: 'OnReadAndWrite', visibility: 'ReturnExpiredIfNotCleanedUp' },
        time: 5,
      },
      {
        key: { stateName: 'op/plain', kind: StateKind.LIST, key: new Uint8Array() },
        op: StateOp.DECLARE,
        ttl: null,
        time: 5,
      },
      {
        key: { stateName: 'op/s', kind: StateKind.VALUE, key: jsonCodec.encode('k') },
        op: StateOp.PUT,
        values: [jsonCodec.encode(2)],
        time: 5,
      },
      {
        key: { stateName: 'op/plain', kind: StateKind.LIST, key: jsonCodec.encode('k') },
        op: StateOp.APPEND,
        values: [jsonCodec.encode(1)],
        // A state without TTL reads no clock: the host stamps it with its own.
        time: 0,
      },
    ]);
  });

  it('keeps its own copy of key bytes: the caller may reuse its buffer once a call returned', async () => {
    const host = new FakeStateHost();
    const keyed = new WorkerKeyedState(host, DEFAULT_OPTIONS, jsonCodec);
    const batch = new Uint8Array(8);
    const key = jsonCodec.encode('a');
    batch.set(key, 2);
    const scope = new ElementScope();
    scope.setRow(new KeyColumn(1, batch.buffer, 0, Int32Array.of(2, 2 + key.length)), 0);
    const op = keyed.forOperator('op', scope);
    const s = op.getState(new ValueStateDescriptor<number>('s'));
    s.update(1);
    op.registerTimer('event', 5);
    batch.fill(0x20); // the input buffer the key was in is reused...
    scope.setKey(jsonCodec.encode('b')); // ...and the next element has a new key
    s.update(2);
    await keyed.finishBundle();
    expect([host.value('op/s', 'a'), host.value('op/s', 'b')]).toEqual([1, 2]);
    expect(host.timerSet('op/event-time', 'a')).toEqual([5]);
  });
});
