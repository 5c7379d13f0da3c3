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

async function hasSettled(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

describe.each([0, 1, 1000])('reducing and aggregating state, cache size %i', (cacheSize) => {
  const setup = () => {
    const host = new FakeStateHost();
    host.seedValue('op/r', 'a', 100);
    return { host, ...workerOver(host, { cacheSize }) };
  };

  it('adds made without awaiting apply in call order, gets and clears included', async () => {
    const { host, op, setKey, keyed } = setup();
    const r = op.getReducingState(new ReducingStateDescriptor('r', new Sum()));
    host.holding = true;
    setKey('a');
    const adds = [r.add(1), r.add(2), r.add(3)];
    const first = r.get();
    r.clear();
    void r.add(10);
    const second = r.get();
    setKey('b');
    void r.add(5);
    setKey('a');
    void r.add(20);
    const third = r.get();
    host.holding = false;
    host.release();
    await Promise.all(adds);
    expect([await first, await second, await third]).toEqual([106, 10, 30]);
    await keyed.finishBundle();
    expect([host.value('op/r', 'a'), host.value('op/r', 'b')]).toEqual([30, 5]);
  });

  it('keeps call order with an asynchronous reduce function', async () => {
    const { host, op, keyed } = setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    class SlowConcat extends ReduceFunction<string> {
      async reduce(a: string, b: string): Promise<string> {
        await gate;
        return `${a}${b}`;
      }
    }
    const r = op.getReducingState(new ReducingStateDescriptor<string>('s', new SlowConcat()));
    const adds = ['x', 'y', 'z'].map((v) => r.add(v));
    const got = r.get();
    expect(await hasSettled(got)).toBe(false);
    release();
    await Promise.all(adds);
    expect(await got).toBe('xyz');
    await keyed.finishBundle();
    expect(host.value('op/s', 'k')).toBe('xyz');
  });

  it('aggregating: createAccumulator, add, getResult, in call order', async () => {
    const { host, op, setKey, keyed } = setup();
    const s = op.getAggregatingState(new AggregatingStateDescriptor('agg', new Collect()));
    host.holding = true;
    setKey('a');
    void s.add('p');
    void s.add('q');
    const got = s.get();
    host.holding = false;
    host.release();
    expect(await got).toBe('p,q');
    await keyed.finishBundle();
    expect(host.value('op/agg', 'a')).toEqual(['p', 'q']);
  });

  it('finishBundle() waits for adds still waiting on the host', async () => {
    const { host, op, setKey, keyed } = setup();
    const r = op.getReducingState(new ReducingStateDescriptor('r', new Sum()));
    host.holding = true;
    setKey('a');
    void r.add(1);
    const finished = keyed.finishBundle();
    expect(await hasSettled(finished)).toBe(false);
    host.holding = false;
    host.release();
    await finished;
    expect(host.value('op/r', 'a')).toBe(101);
  });

  it('a failing reduce rejects its add; later adds still apply', async () => {
    const { host, op, keyed } = setup();
    const r = op.getReducingState(
      new ReducingStateDescriptor<number>('r', (a, b) => {
        if (b < 0) throw new RangeError('negative');
        return a + b;
      }),
    );
    const ok = r.add(1);
    const bad = r.add(-1);
    const ok2 = r.add(2);
    await ok;
    await expect(bad).rejects.toThrow('negative');
    await ok2;
    expect(await r.get()).toBe(3);
    await keyed.finishBundle();
    expect(host.value('op/r', 'k')).toBe(3);
  });
});

describe('reducing state fast path', () => {
  it('a cached add with a synchronous reduce applies at once', async () => {
    const host = new FakeStateHost();
    const { op } = workerOver(host);
    const r = op.getReducingState(new ReducingStateDescriptor('r', new Sum()));
    await r.add(1);
    const requests = host.requests.length;
    void r.add(2);
    void r.add(3);
    // No request and no waiting: the value is already there for a synchronous look.
    expect(host.requests.length).toBe(requests);
    expect(await r.get()).toBe(6);
  });
});
