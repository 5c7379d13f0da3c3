/**
 * Keyed state in namespaces (what the window operator keeps a window's contents in), through the
 * worker's cache to the real host backend: each namespace is state of its own on the host, and a
 * namespace released for one key (its window purged) is still found, with its unsent writes, for
 * the other keys that use it.
 */
import { describe, expect, it } from 'vitest';
import { ReducingStateDescriptor } from '../shared/api/state-descriptors.ts';
import type { ReducingState } from '../shared/api/state.ts';
import type { sluice } from '../shared/generated/protocol.js';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { ElementScope } from '../worker/processor/element-scope.ts';
import { WorkerKeyedState, type StateChannel } from '../worker/state/index.ts';
import { namespaced } from '../worker/state/namespaced-state.ts';
import { ctxFor } from './host-state-fixtures.ts';
import { DEFAULT_OPTIONS, jsonCodec } from './worker-state-fake-host.ts';

const MAX = 16;

/** The worker's State channel, answered by a real host backend. */
class BackendChannel implements StateChannel {
  constructor(private readonly backend: KeyedStateBackend) {}
  requestNow(request: sluice.fn.v1.IStateRequest): sluice.fn.v1.IStateResponse {
    return { id: request.id ?? '', results: this.backend.apply(request.operations ?? [], ctxFor(MAX)) };
  }
  request(request: sluice.fn.v1.IStateRequest): Promise<sluice.fn.v1.IStateResponse> {
    return Promise.resolve(this.requestNow(request));
  }
}

const W1 = new Uint8Array([1, 1]);
const W2 = new Uint8Array([2, 2]);

/** A worker over `backend`, with a namespaced reducing state (a sum) and a way to set the key. */
function worker(backend: KeyedStateBackend) {
  const scope = new ElementScope();
  const keyed = new WorkerKeyedState(new BackendChannel(backend), DEFAULT_OPTIONS, jsonCodec);
  const op = keyed.forOperator('op', scope);
  const sum = namespaced(op.getReducingState(new ReducingStateDescriptor<number>('sum', (a, b) => a + b)));
  const at = (key: string, namespace: Uint8Array | null): ReducingState<number> => {
    scope.setKey(jsonCodec.encode(key));
    sum.setCurrentNamespace(namespace ?? new Uint8Array(0));
    return sum;
  };
  return { keyed, sum, at };
}

describe('namespaced keyed state', () => {
  it('each namespace is a state of its own, in the cache and on the host', async () => {
    const backend = new KeyedStateBackend({ maxParallelism: MAX });
    const { keyed, at } = worker(backend);
    at('a', W1).add(1);
    at('a', W2).add(5);
    at('a', W1).add(2);
    at('a', null).add(100);
    expect([at('a', W1).get(), at('a', W2).get(), at('a', null).get()]).toEqual([3, 5, 100]);
    await keyed.finishBundle();
    const fresh = worker(backend);
    expect([fresh.at('a', W1).get(), fresh.at('a', W2).get(), fresh.at('a', null).get(), fresh.at('b', W1).get()]).toEqual([3, 5, 100, null]);
  });

  it("a namespace released for one key keeps the other keys' unsent writes in it", async () => {
    const backend = new KeyedStateBackend({ maxParallelism: MAX });
    const { keyed, sum, at } = worker(backend);
    at('a', W1).add(1);
    at('b', W1).add(10);
    // Key a's window is purged: its state cleared and the namespace released.
    at('a', W1).clear();
    sum.releaseNamespace(W1);
    // Key b's writes are still only in the cache: the namespace made again must find them.
    at('b', W1).add(20);
    expect(at('b', W1).get()).toBe(30);
    expect(at('a', W1).get()).toBe(null);
    await keyed.finishBundle();
    const fresh = worker(backend);
    expect([fresh.at('b', W1).get(), fresh.at('a', W1).get()]).toEqual([30, null]);
  });
});
