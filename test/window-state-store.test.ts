/**
 * A window function's ctx.windowState() and ctx.globalState() (worker/processor/operators/
 * window-state.ts), through the worker's cache to the real host backend: each window's state is
 * its own, apart from the key's state of the same name and from the window's contents; a view
 * of one window's state is pointed at its window at every use, so a view kept while another
 * window's is used still reads and writes its own; a context ends with its call (an asynchronous
 * one when it settles) and its views throw afterwards; a purge calls clear() with the state
 * window's context; the operator's own names are refused; per-window states are never prefetched.
 */
import { describe, expect, it } from 'vitest';
import {
  AggregateFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  AggregatingStateDescriptor,
  ValueStateDescriptor,
} from '../shared/api/index.ts';
import type { ProcessWindowContext } from '../shared/api/window-functions.ts';
import { CountWindow, TimeWindow } from '../shared/api/windows.ts';
import { sluice } from '../shared/generated/protocol.js';
import { KeyedStateBackend } from '../host/state/keyed-state-backend.ts';
import { ElementScope } from '../worker/processor/element-scope.ts';
import type { ProcessContextImpl } from '../worker/processor/contexts.ts';
import { windowNamespace, type AnyWindow } from '../worker/processor/operators/window-contents.ts';
import { WindowStates } from '../worker/processor/operators/window-state.ts';
import { namespaced } from '../worker/state/namespaced-state.ts';
import { WorkerKeyedState, type StateChannel } from '../worker/state/index.ts';
import { ctxFor } from './host-state-fixtures.ts';
import { DEFAULT_OPTIONS, FakeStateHost, jsonCodec, workerOver } from './worker-state-fake-host.ts';

const MAX = 16;
const { StateOp } = sluice.fn.v1;

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

/** A window operator's state over `backend`, key 'k'. */
function operator(backend: KeyedStateBackend) {
  const scope = new ElementScope();
  scope.setKey(jsonCodec.encode('k'));
  const keyed = new WorkerKeyedState(new BackendChannel(backend), DEFAULT_OPTIONS, jsonCodec);
  const op = keyed.forOperator('op', scope);
  const sideOutputs: unknown[] = [];
  const ctx = { output: (_tag: unknown, value: unknown) => sideOutputs.push(value) } as unknown as ProcessContextImpl;
  const states = new WindowStates(op, ctx, { watermark: 0 });
  /** A call on `window` (per-window state in `stateWindow`'s namespace) and its context. */
  const call = (window: AnyWindow, stateWindow: AnyWindow = window) => {
    const c = states.call(window, stateWindow);
    return { call: c, ctx: c.context() };
  };
  return { keyed, op, states, call, sideOutputs, setKey: (k: string) => scope.setKey(jsonCodec.encode(k)) };
}

const N = new ValueStateDescriptor<number>('n');
const A = new TimeWindow(0, 10);
const B = new TimeWindow(10, 20);

class Sum extends AggregateFunction<number, number, string> {
  createAccumulator(): number {
    return 0;
  }
  add(value: number, acc: number): number {
    return acc + value;
  }
  getResult(acc: number): string {
    return `sum ${acc}`;
  }
}

describe('window state stores', () => {
  it("each window's state is its own, apart from the key's state of the same name and from the window's contents", async () => {
    const backend = new KeyedStateBackend({ maxParallelism: MAX });
    const w = operator(backend);
    const a = w.call(A).ctx;
    const b = w.call(B).ctx;
    const inA = a.windowState().getState(N);
    const inB = b.windowState().getState(N);
    // The window's contents, in the same namespace under the operator's own name.
    const contents = namespaced(w.op.getListState(new ListStateDescriptor<string>('__window-elements')));
    contents.setCurrentNamespace(windowNamespace(A));
    contents.add('element');
    inA.update(1);
    inB.update(2);
    a.globalState().getState(N).update(100);
    // A's view, used after B's view of the same state, is pointed at A again.
    inA.update(inA.value()! + 10);
    expect([inA.value(), inB.value(), b.globalState().getState(N).value(), w.op.getState(N).value()]).toEqual([11, 2, 100, 100]);
    expect(contents.get()).toEqual(['element']);
    w.setKey('other');
    expect([inA.value(), inB.value(), w.op.getState(N).value()]).toEqual([null, null, null]);

    await w.keyed.finishBundle();
    const fresh = operator(backend);
    expect([
      fresh.call(A).ctx.windowState().getState(N).value(),
      fresh.call(B).ctx.windowState().getState(N).value(),
      fresh.call(A).ctx.globalState().getState(N).value(),
    ]).toEqual([11, 2, 100]);
  });

  it('list, map, reducing and aggregating states per window', async () => {
    const backend = new KeyedStateBackend({ maxParallelism: MAX });
    const w = operator(backend);
    const stores = [w.call(A).ctx.windowState(), w.call(new CountWindow(3)).ctx.windowState()];
    const kinds = stores.map((s) => ({
      list: s.getListState(new ListStateDescriptor<number>('list')),
      map: s.getMapState(new MapStateDescriptor<string, number>('map')),
      reducing: s.getReducingState(new ReducingStateDescriptor<number>('reducing', (x, y) => x * y)),
      aggregating: s.getAggregatingState(new AggregatingStateDescriptor<number, number, string>('aggregating', new Sum())),
    }));
    for (const [i, k] of kinds.entries()) {
      k.list.addAll([i, i + 1]);
      k.map.put(`m${i}`, i);
      k.reducing.add(i + 2);
      k.reducing.add(3);
      k.aggregating.add(i + 5);
      k.aggregating.add(1);
    }
    const read = () =>
      kinds.map((k) => [k.list.get(), [...k.map.entries()], k.map.isEmpty(), k.reducing.get(), k.aggregating.get()]);
    const expected = [
      [[0, 1], [['m0', 0]], false, 6, 'sum 6'],
      [[1, 2], [['m1', 1]], false, 9, 'sum 7'],
    ];
    expect(read()).toEqual(expected);
    await w.keyed.finishBundle();
    w.keyed.reset();
    expect(read()).toEqual(expected);
    kinds[0]!.map.clear();
    expect([kinds[0]!.map.isEmpty(), kinds[1]!.map.isEmpty()]).toEqual([true, false]);
  });

  it("after its call a context and its window's states throw; the key's state goes on", () => {
    const w = operator(new KeyedStateBackend({ maxParallelism: MAX }));
    const { call, ctx } = w.call(A);
    const mine = ctx.windowState().getState(N);
    const list = ctx.windowState().getListState(new ListStateDescriptor<number>('l'));
    const global = ctx.globalState().getState(N);
    mine.update(1);
    expect(call.endAfter(undefined)).toBe(undefined);
    const ended = /good for that process\(\) or clear\(\) call only/;
    expect(() => mine.value()).toThrow(ended);
    expect(() => mine.update(2)).toThrow(ended);
    expect(() => list.add(1)).toThrow(ended);
    expect(() => ctx.windowState()).toThrow(ended);
    expect(() => ctx.globalState()).toThrow(ended);
    global.update(7);
    expect(global.value()).toBe(7);
    // The next call on the window finds what the ended one left.
    expect(w.call(A).ctx.windowState().getState(N).value()).toBe(1);
  });

  it('an asynchronous call keeps its context until what it returned settles, whichever way', async () => {
    const w = operator(new KeyedStateBackend({ maxParallelism: MAX }));
    let settle!: () => void;
    const pending = new Promise<void>((resolve) => (settle = resolve));
    const { call, ctx } = w.call(A);
    const mine = ctx.windowState().getState(N);
    const done = call.endAfter(pending);
    mine.update(3);
    expect(mine.value()).toBe(3);
    settle();
    await done;
    expect(() => mine.value()).toThrow(/call only/);

    const failing = w.call(B);
    const view = failing.ctx.windowState().getState(N);
    const rejected = failing.call.endAfter(Promise.reject(new Error('downstream failed')));
    await expect(rejected).rejects.toThrow('downstream failed');
    expect(() => view.value()).toThrow(/call only/);
  });

  it("a purge calls clear() with the window and its state window's state, then ends the context; what clear() cleared is gone from the host", async () => {
    const backend = new KeyedStateBackend({ maxParallelism: MAX });
    const w = operator(backend);
    // A session [0, 15) whose state window is [0, 10): its state is the state window's.
    const session = new TimeWindow(0, 15);
    w.call(A).ctx.windowState().getState(N).update(2);
    expect(w.call(session, A).ctx.windowState().getState(N).value()).toBe(2);
    await w.keyed.finishBundle();
    expect(backend.stats().entries).toBe(1);

    let kept: ProcessWindowContext<AnyWindow> | null = null;
    const cleared = w.states.purge(session, A, (ctx) => {
      kept = ctx;
      const mine = ctx.windowState().getState(N);
      w.sideOutputs.push([(ctx.window() as TimeWindow).end, mine.value()]);
      mine.clear();
    });
    expect(cleared).toBe(undefined);
    expect(w.sideOutputs).toEqual([[15, 2]]);
    expect(() => kept!.windowState()).toThrow(/call only/);
    await w.keyed.finishBundle();
    expect(backend.stats().entries).toBe(0);
    expect(operator(backend).call(A).ctx.windowState().getState(N).value()).toBe(null);
  });

  it('a purge waits for an asynchronous clear(), and passes its failure on', async () => {
    const w = operator(new KeyedStateBackend({ maxParallelism: MAX }));
    w.call(A).ctx.windowState().getState(N).update(2);
    const cleared = w.states.purge(A, A, async (ctx) => {
      await Promise.resolve();
      ctx.windowState().getState(N).clear();
    });
    await cleared;
    expect(w.call(A).ctx.windowState().getState(N).value()).toBe(null);
    await expect(
      w.states.purge(B, B, async () => {
        await Promise.resolve();
        throw new Error('clear failed');
      }),
    ).rejects.toThrow('clear failed');
    expect(() => w.states.purge(B, B, () => {
      throw new Error('clear threw');
    })).toThrow('clear threw');
    // No clear(): nothing to call.
    expect(w.states.purge(B, B, null)).toBe(undefined);
  });

  it("refuses the window operator's own names in both stores", () => {
    const w = operator(new KeyedStateBackend({ maxParallelism: MAX }));
    const { ctx } = w.call(A);
    const own = /names beginning with '__' are the window operator's own/;
    for (const name of ['__window-elements', '__window-sessions', '__window-state/n', '__count-window-filled']) {
      expect(() => ctx.windowState().getState(new ValueStateDescriptor(name))).toThrow(own);
      expect(() => ctx.globalState().getListState(new ListStateDescriptor(name))).toThrow(own);
    }
  });

  it("prefetch reads the key's states, never the per-window ones", () => {
    const host = new FakeStateHost();
    const w = workerOver(host, { cacheSize: 100 });
    const ctx = { output: () => undefined } as unknown as ProcessContextImpl;
    const states = new WindowStates(w.op, ctx, { watermark: 0 });
    const context = states.call(A, A).context();
    context.windowState().getState(N);
    context.globalState().getState(new ValueStateDescriptor<number>('g'));
    w.op.prefetch([1, 2].map((k) => jsonCodec.encode(k)), 0);
    const gets = host.requests.flatMap((r) => r.operations ?? []).filter((o) => o.op === StateOp.GET);
    expect(gets.map((o) => o.key?.stateName)).toEqual(['op/g', 'op/g']);
  });
});
