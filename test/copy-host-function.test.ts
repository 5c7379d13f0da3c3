/** copyHostFunction: the fresh copy of a SourceFunction each attempt runs (see fresh-source-function.ts). */
import { describe, expect, it } from 'vitest';
import { copyHostFunction } from '../host/runtime/clone-function.ts';

class Client {
  calls = 0;
}

class Holder {
  position = 3;
  running = true;
  readonly seen = [1, [2]];
  readonly byKey = new Map([['a', { n: 1 }]]);
  readonly keys = new Set(['x']);
  readonly since = new Date(5);
  readonly bytes = new Uint8Array([7]);
  readonly options = { retries: 2, nested: { deep: true } };
  readonly client = new Client();
  readonly ready = Promise.resolve(4);
  readonly onRecord = (x: number): number => x;
  next(): number {
    return this.position++;
  }
}

describe('copyHostFunction', () => {
  it('copies plain data deeply, keeps the prototype, and leaves the original as it was', () => {
    const original = new Holder();
    const copy = copyHostFunction(original);
    expect(copy).toBeInstanceOf(Holder);
    expect(copy.next()).toBe(3);
    copy.running = false;
    (copy.seen[1] as number[]).push(9);
    copy.byKey.get('a')!.n = 8;
    copy.keys.add('y');
    copy.bytes[0] = 0;
    copy.options.nested.deep = false;
    expect(original.position).toBe(3);
    expect(original.running).toBe(true);
    expect(original.seen).toEqual([1, [2]]);
    expect(original.byKey).toEqual(new Map([['a', { n: 1 }]]));
    expect(original.keys).toEqual(new Set(['x']));
    expect(original.bytes).toEqual(new Uint8Array([7]));
    expect(original.options).toEqual({ retries: 2, nested: { deep: true } });
    expect(copy.since).not.toBe(original.since);
    expect(copy.since.getTime()).toBe(5);
  });

  it('shares what is not plain data: instances of classes, promises, functions', async () => {
    const original = new Holder();
    const copy = copyHostFunction(original);
    expect(copy.client).toBe(original.client);
    expect(copy.ready).toBe(original.ready);
    expect(await copy.ready).toBe(4);
    expect(copy.onRecord).toBe(original.onRecord);
  });
});
