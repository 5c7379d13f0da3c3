import { describe, expect, it } from 'vitest';
import { AggregateFunction, ReduceFunction } from '../shared/api/functions.ts';
import { AggregatingStateDescriptor, ReducingStateDescriptor } from '../shared/api/state-descriptors.ts';
import { FakeStateHost, workerOver } from './worker-state-fake-host.ts';

class Sum extends ReduceFunction<number> {
  reduce(a: number, b: number): number {
    return a + b;
  }
}

class Collect extends AggregateFunction<string, string[], string> {
  createAccumulator(): string[] {
    return [];
  }
  add(value: string, acc: string[]): string[] {
    acc.push(value);
    return acc;
  }
  getResult(acc: string[]): string {
    return acc.join(',');
  }
}

describe.each([0, 1, 1000])('reducing and aggregating state, cache size %i', (cacheSize) => {
  const setup = () => {
    const host = new FakeStateHost();
    host.seedValue('op/r', 'a', 100);
    return { host, ...workerOver(host, { cacheSize }) };
  };

  it('adds apply in call order, gets and clears included, across keys', async () => {
    const { host, op, setKey, keyed } = setup();
    const r = op.getReducingState(new ReducingStateDescriptor('r', new Sum()));
    setKey('a');
    r.add(1);
    r.add(2);
    r.add(3);
    const first = r.get();
    r.clear();
    r.add(10);
    const second = r.get();
    setKey('b');
    r.add(5);
    setKey('a');
    r.add(20);
    const third = r.get();
    expect([first, second, third]).toEqual([106, 10, 30]);
    await keyed.finishBundle();
    expect([host.value('op/r', 'a'), host.value('op/r', 'b')]).toEqual([30, 5]);
  });

  it('refuses a reduce function that returns a promise, naming the state; the value is unchanged', async () => {
    const { host, op, setKey, keyed } = setup();
    class SlowConcat extends ReduceFunction<number> {
      async reduce(a: number, b: number): Promise<number> {
        return a + b;
      }
    }
    const r = op.getReducingState(new ReducingStateDescriptor<number>('r', new SlowConcat()));
    setKey('a');
    expect(() => r.add(1)).toThrow(
      "state 'op/r': its reduce function returned a promise; state functions must return their result (state is read and written within one call, as in Flink)",
    );
    expect(r.get()).toBe(100);
    await keyed.finishBundle();
    expect(host.value('op/r', 'a')).toBe(100);
  });

  it('aggregating: createAccumulator, add, getResult, in call order', async () => {
    const { host, op, setKey, keyed } = setup();
    const s = op.getAggregatingState(new AggregatingStateDescriptor('agg', new Collect()));
    setKey('a');
    s.add('p');
    s.add('q');
    expect(s.get()).toBe('p,q');
    await keyed.finishBundle();
    expect(host.value('op/agg', 'a')).toEqual(['p', 'q']);
  });

  it('finishBundle() resolves only once the host has acknowledged the adds', async () => {
    const { host, op, setKey, keyed } = setup();
    const r = op.getReducingState(new ReducingStateDescriptor('r', new Sum()));
    setKey('a');
    r.add(1);
    host.holding = true;
    let finished = false;
    const finishing = keyed.finishBundle().then(() => (finished = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect([finished, host.heldCount]).toEqual([false, 1]);
    host.holding = false;
    host.release();
    await finishing;
    expect(host.value('op/r', 'a')).toBe(101);
  });

  it('a failing reduce throws from its add; later adds still apply', async () => {
    const { host, op, keyed } = setup();
    const r = op.getReducingState(
      new ReducingStateDescriptor<number>('r', (a, b) => {
        if (b < 0) throw new RangeError('negative');
        return a + b;
      }),
    );
    r.add(1);
    expect(() => r.add(-1)).toThrow('negative');
    r.add(2);
    expect(r.get()).toBe(3);
    await keyed.finishBundle();
    expect(host.value('op/r', 'k')).toBe(3);
  });
});

describe('reducing state fast path', () => {
  it('a cached add applies at once, without a request', () => {
    const host = new FakeStateHost();
    const { op } = workerOver(host);
    const r = op.getReducingState(new ReducingStateDescriptor('r', new Sum()));
    r.add(1);
    const requests = host.requests.length;
    r.add(2);
    r.add(3);
    expect(host.requests.length).toBe(requests);
    expect(r.get()).toBe(6);
  });
});
