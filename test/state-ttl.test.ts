/**
 * State TTL across both sides, the worker's cache and the host's backend, under a controllable
 * clock: both visibilities and both update types, with and without the cache. An expired value
 * is never returned where the configuration says so, cache included (PyFlink's FLINK-24105).
 */
import { describe, expect, it } from 'vitest';
import { StateTtlConfig, StateVisibility, Time, UpdateType, ValueStateDescriptor, ListStateDescriptor } from '../host/index.ts';
import { sluice } from '../shared/generated/protocol.js';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { encodeKey } from '../shared/codec/generic-value.ts';
import { ElementScope } from '../worker/processor/element-scope.ts';
import { WorkerKeyedState } from '../worker/state/worker-keyed-state.ts';
import { GENERIC_STATE_CODEC } from '../worker/state/worker-state-options.ts';

function setup(visibility: StateVisibility, updateType: UpdateType, cacheSize: number) {
  let now = 1_000;
  const backend = new KeyedStateBackend({ maxParallelism: 128, clock: () => now });
  const serve = (request: sluice.fn.v1.IStateRequest): sluice.fn.v1.IStateResponse => ({
    results: backend.apply(request.operations ?? [], { owned: { start: 0, end: 127 }, maxParallelism: 128, instructionId: 'b' }),
  });
  const state = new WorkerKeyedState(
    {
      request: async (request) => serve(request),
      requestNow: serve,
    },
    { cacheSize, cacheMaxBytes: 1 << 20, mapReadCacheSize: 100, mapWriteCacheSize: 100, iterateBatchSize: 100, clock: () => now },
    GENERIC_STATE_CODEC,
  );
  const scope = new ElementScope();
  scope.setKey(encodeKey('k'));
  const ops = state.forOperator('op', scope);
  const ttl = StateTtlConfig.newBuilder(Time.milliseconds(100)).setStateVisibility(visibility).setUpdateType(updateType).build();
  const value = ops.getState(new ValueStateDescriptor<number>('v').enableTimeToLive(ttl));
  const list = ops.getListState(new ListStateDescriptor<string>('l').enableTimeToLive(ttl));
  return {
    value,
    list,
    at: (t: number) => {
      now = t;
    },
    /** Ends a bundle: the host holds every write. */
    commit: () => state.finishBundle(),
  };
}

describe.each([
  ['cache off', 0],
  ['cache on', 1000],
])('state TTL (%s)', (_label, cacheSize) => {
  it('NeverReturnExpired + OnCreateAndWrite: reads do not extend the life; expired is never returned', async () => {
    const s = setup(StateVisibility.NeverReturnExpired, UpdateType.OnCreateAndWrite, cacheSize);
    s.value.update(1);
    await s.commit();
    s.at(1_050);
    expect(s.value.value()).toBe(1);
    s.at(1_099);
    expect(s.value.value()).toBe(1);
    s.at(1_100);
    expect(s.value.value()).toBe(null);
    s.value.update(2);
    s.at(1_150);
    expect(s.value.value()).toBe(2);
    s.at(1_200);
    expect(s.value.value()).toBe(null);
  });

  it('a write over one not yet sent restarts the life: the later stamp is kept and sent', async () => {
    const s = setup(StateVisibility.NeverReturnExpired, UpdateType.OnCreateAndWrite, cacheSize);
    s.value.update(1);
    s.at(1_060);
    s.value.update(2);
    s.at(1_150);
    expect(s.value.value()).toBe(2);
    await s.commit();
    s.at(1_159);
    expect(s.value.value()).toBe(2);
    s.at(1_160);
    expect(s.value.value()).toBe(null);
  });

  it('NeverReturnExpired + OnReadAndWrite: each read extends the life', async () => {
    const s = setup(StateVisibility.NeverReturnExpired, UpdateType.OnReadAndWrite, cacheSize);
    s.value.update(1);
    await s.commit();
    s.at(1_080);
    expect(s.value.value()).toBe(1);
    await s.commit();
    s.at(1_179);
    expect(s.value.value()).toBe(1);
    await s.commit();
    s.at(1_279);
    expect(s.value.value()).toBe(null);
  });

  it('ReturnExpiredIfNotCleanedUp: an expired value still stored is returned once, then it is gone', async () => {
    const s = setup(StateVisibility.ReturnExpiredIfNotCleanedUp, UpdateType.OnCreateAndWrite, cacheSize);
    s.value.update(7);
    await s.commit();
    s.at(1_500);
    expect(s.value.value()).toBe(7);
    expect(s.value.value()).toBe(null);
  });

  it('ReturnExpiredIfNotCleanedUp + OnReadAndWrite: reads extend the life', async () => {
    const s = setup(StateVisibility.ReturnExpiredIfNotCleanedUp, UpdateType.OnReadAndWrite, cacheSize);
    s.value.update(3);
    await s.commit();
    s.at(1_090);
    expect(s.value.value()).toBe(3);
    await s.commit();
    s.at(1_180);
    expect(s.value.value()).toBe(3);
  });

  it('list elements expire one by one', async () => {
    const s = setup(StateVisibility.NeverReturnExpired, UpdateType.OnCreateAndWrite, cacheSize);
    s.list.add('early');
    await s.commit();
    s.at(1_060);
    s.list.add('late');
    await s.commit();
    expect(s.list.get()).toEqual(['early', 'late']);
    s.at(1_100);
    expect(s.list.get()).toEqual(['late']);
    s.at(1_160);
    expect(s.list.get()).toEqual([]);
  });
});
