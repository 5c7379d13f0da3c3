import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RowBatch } from '../shared/codec/batch-layout.ts';
import type { Pushed } from '../worker/processor/downstream.ts';
import { ElementScope } from '../worker/processor/element-scope.ts';
import type { ChainOperator } from '../worker/processor/operators/base.ts';
import { runRows } from '../worker/processor/row-loop.ts';

/** A head whose handed-over promises are settled here; `skip` makes a failure pass like the skip policy. */
function headOf(log: string[], skip = false) {
  return {
    handedOver: false,
    settle(result: unknown): Pushed {
      log.push(`settle ${String(result)}`);
      return undefined;
    },
    settleFailure(thrown: unknown): undefined {
      log.push(`failure ${(thrown as Error).message}`);
      if (!skip) throw thrown;
      return undefined;
    },
  };
}

function batchOf(n: number, keys: Uint8Array[] | null = null): RowBatch {
  return { length: n, values: Array.from({ length: n }, (_, i) => i), keys, timestamps: null };
}

/** A promise settled from outside, for rows that wait until the test lets them go. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the row loop of a batch', () => {
  it('runs synchronous rows without a promise', () => {
    const ran: number[] = [];
    const pushed = runRows(headOf([]) as unknown as ChainOperator, new ElementScope(), batchOf(5), 1, 4, (i) => {
      ran.push(i);
      return undefined;
    });
    expect(pushed).toBeUndefined();
    expect(ran).toEqual([1, 2, 3]);
  });

  it('starts each row after the one before it is done, and carries on synchronously after a wait', async () => {
    const log: string[] = [];
    const gates = [deferred(), deferred()];
    const pushed = runRows(headOf(log) as unknown as ChainOperator, new ElementScope(), batchOf(6), 0, 6, (i) => {
      log.push(`row ${i}`);
      if (i === 1) return gates[0]!.promise.then(() => void log.push('row 1 done'));
      if (i === 3) return gates[1]!.promise.then(() => void log.push('row 3 done'));
      return undefined;
    });
    expect(pushed).toBeInstanceOf(Promise);
    expect(log).toEqual(['row 0', 'row 1']);
    gates[1]!.resolve();
    await Promise.resolve();
    expect(log).toEqual(['row 0', 'row 1']);
    gates[0]!.resolve();
    await pushed;
    expect(log).toEqual(['row 0', 'row 1', 'row 1 done', 'row 2', 'row 3', 'row 3 done', 'row 4', 'row 5']);
  });

  it("gives a head's handed-over answers back to the head, in order", async () => {
    const log: string[] = [];
    const head = headOf(log);
    const pushed = runRows(head as unknown as ChainOperator, new ElementScope(), batchOf(4), 0, 4, (i) => {
      log.push(`row ${i}`);
      if (i % 2 === 1) return undefined;
      head.handedOver = true;
      return Promise.resolve(i * 10) as unknown as Promise<void>;
    });
    await pushed;
    expect(log).toEqual(['row 0', 'settle 0', 'row 1', 'row 2', 'settle 20', 'row 3']);
    expect(head.handedOver).toBe(false);
  });

  it('fails at the first rejected row and starts no row after it', async () => {
    const log: string[] = [];
    const pushed = runRows(headOf(log) as unknown as ChainOperator, new ElementScope(), batchOf(5), 0, 5, (i) => {
      log.push(`row ${i}`);
      return i === 2 ? Promise.reject(new Error('row 2 broke')) : Promise.resolve();
    });
    await expect(pushed).rejects.toThrow('row 2 broke');
    expect(log).toEqual(['row 0', 'row 1', 'row 2']);
  });

  it('throws at once when a row throws before any row waited: a synchronous batch makes no promise', () => {
    const ran: number[] = [];
    expect(() =>
      runRows(headOf([]) as unknown as ChainOperator, new ElementScope(), batchOf(4), 0, 4, (i) => {
        ran.push(i);
        if (i === 1) throw new Error('row 1 threw');
        return undefined;
      }),
    ).toThrow(new Error('row 1 threw'));
    expect(ran).toEqual([0, 1]);
  });

  it('fails at a row that throws synchronously after a wait', async () => {
    const log: string[] = [];
    const pushed = runRows(headOf(log) as unknown as ChainOperator, new ElementScope(), batchOf(5), 0, 5, (i) => {
      log.push(`row ${i}`);
      if (i === 3) throw new Error('row 3 threw');
      return i === 0 ? Promise.resolve() : undefined;
    });
    await expect(pushed).rejects.toThrow('row 3 threw');
    expect(log).toEqual(['row 0', 'row 1', 'row 2', 'row 3']);
  });

  it("fails with the head's error when its function's promise rejects, and goes on when the head skips the record", async () => {
    for (const skip of [false, true]) {
      const log: string[] = [];
      const head = headOf(log, skip);
      const pushed = runRows(head as unknown as ChainOperator, new ElementScope(), batchOf(3), 0, 3, (i) => {
        log.push(`row ${i}`);
        head.handedOver = true;
        return (i === 1 ? Promise.reject(new Error('bad record')) : Promise.resolve(i)) as unknown as Promise<void>;
      });
      if (skip) {
        await pushed;
        expect(log).toEqual(['row 0', 'settle 0', 'row 1', 'failure bad record', 'row 2', 'settle 2']);
      } else {
        await expect(pushed).rejects.toThrow('bad record');
        expect(log).toEqual(['row 0', 'settle 0', 'row 1', 'failure bad record']);
      }
    }
  });

  it("sets each row's key before the row runs, after a wait too", async () => {
    const keys = [new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3])];
    const scope = new ElementScope();
    const seen: number[] = [];
    const pushed = runRows(headOf([]) as unknown as ChainOperator, scope, batchOf(3, keys), 0, 3, () => {
      seen.push(scope.keyBytes()[0]!);
      return Promise.resolve();
    });
    await pushed;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('gives the event loop a turn once the rows have run for their slice, and runs every row in order', async () => {
    // A clock that moves 3 ms each time it is read, every 64 rows: the slice (2 ms) is over at
    // the first check (after row 63), and again at the first check after each turn.
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => (now += 3) - 3);
    const log: string[] = [];
    const pushed = runRows(headOf([]) as unknown as ChainOperator, new ElementScope(), batchOf(300), 0, 300, (i) => {
      log.push(String(i));
      return undefined;
    });
    setImmediate(() => log.push('turn'));
    expect(pushed).toBeInstanceOf(Promise);
    expect(log.length).toBe(64);
    await pushed;
    const turn = log.indexOf('turn');
    expect(log.filter((e) => e !== 'turn')).toEqual(Array.from({ length: 300 }, (_, i) => String(i)));
    expect(turn).toBe(128);
  });
});
