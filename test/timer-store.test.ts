import { describe, expect, it } from 'vitest';
import { KeyedStateBackend, type FiredTimer } from '../host/state/keyed-state-backend.ts';
import { TimerQueue } from '../host/state/timer-queue.ts';
import { parseTimerStateName, timerStateName } from '../host/state/timers.ts';
import { ctxFor, keysInGroup, Kind, Op, op, s, timerOp, view, type Operation } from './host-state-fixtures.ts';

const MAX = 32;
const ALL = { start: 0, end: MAX - 1 };

function backend() {
  const be = new KeyedStateBackend({ maxParallelism: MAX, clock: () => 0 });
  const run = (...ops: Operation[]) => be.apply(ops, ctxFor(MAX)).map(view);
  return { be, run };
}

function fired(timers: FiredTimer[]): string[] {
  return timers.map((t) => `${s(t.key)}${t.namespace.length > 0 ? `@${s(t.namespace)}` : ''}:${t.timestamp}:${t.domain}`);
}

describe('timer registration', () => {
  it('fires by timestamp, then registration order', () => {
    const { be, run } = backend();
    run(
      timerOp('3/event-time', Op.PUT, 20, 'c'),
      timerOp('3/event-time', Op.PUT, 10, 'b'),
      timerOp('3/event-time', Op.PUT, 20, 'a'),
      timerOp('3/event-time', Op.PUT, 10, 'd'),
      timerOp('3/event-time', Op.PUT, 5, 'e'),
    );
    expect(fired(be.popEventTimers(ALL, 20, '3'))).toEqual(['e:5:event', 'b:10:event', 'd:10:event', 'c:20:event', 'a:20:event']);
  });

  it('keeps one timer per (key, namespace, domain, timestamp), at its first registration', () => {
    const { be, run } = backend();
    run(
      timerOp('3/event-time', Op.PUT, 10, 'a'),
      timerOp('3/event-time', Op.PUT, 10, 'b'),
      timerOp('3/event-time', Op.PUT, 10, 'a'),
      timerOp('3/event-time', Op.PUT, 10, 'a', 'w1'),
      timerOp('3/processing-time', Op.PUT, 10, 'a'),
      timerOp('3/event-time', Op.PUT, -0, 'z'),
      timerOp('3/event-time', Op.PUT, 0, 'z'),
    );
    expect(be.stats().entries).toBe(5);
    expect(fired(be.popEventTimers(ALL, 10, '3'))).toEqual(['z:0:event', 'a:10:event', 'b:10:event', 'a@w1:10:event']);
    expect(fired(be.popProcessingTimers(ALL, 10, '3'))).toEqual(['a:10:processing']);
    expect(be.stats()).toEqual({ entries: 0, bytes: 0, openIterations: 0 });
  });

  it('REMOVE deletes a timer and reports whether it existed', () => {
    const { be, run } = backend();
    const results = run(
      timerOp('3/event-time', Op.PUT, 10, 'a'),
      timerOp('3/event-time', Op.PUT, 11, 'a'),
      timerOp('3/event-time', Op.REMOVE, 10, 'a'),
      timerOp('3/event-time', Op.REMOVE, 10, 'a'),
      timerOp('3/event-time', Op.REMOVE, 11, 'a', 'other-namespace'),
      timerOp('3/processing-time', Op.REMOVE, 11, 'a'),
    );
    expect(results.map((r) => r.found)).toEqual([false, false, true, false, false, false]);
    expect(fired(be.popEventTimers(ALL, 100, '3'))).toEqual(['a:11:event']);
  });

  it('refuses a timer key outside the owned key groups', () => {
    const { be } = backend();
    const key = keysInGroup(7, MAX, 1)[0]!;
    expect(() => be.apply([timerOp('3/event-time', Op.PUT, 1, key)], ctxFor(MAX, { start: 0, end: 6 }))).toThrow(
      "operation 0 (PUT on state '3/event-time'): its key is in key group 7, outside the key groups this worker owns [0, 6]",
    );
    expect(be.stats().entries).toBe(0);
  });

  it('refuses a TTL on timers and a NaN timestamp', () => {
    const { be } = backend();
    const declare: Operation = { key: { stateName: '3/event-time', kind: Kind.TIMER }, op: Op.DECLARE, ttl: { ttlMs: 5 } };
    expect(() => be.apply([declare], ctxFor(MAX))).toThrow('timers have no TTL');
    expect(() => be.apply([timerOp('3/event-time', Op.PUT, NaN)], ctxFor(MAX))).toThrow('(not NaN)');
    expect(be.apply([{ ...declare, ttl: null }], ctxFor(MAX)).map(view)).toEqual([{ found: false, values: [], mapKeys: [], more: false }]);
  });
});

describe('popping timers', () => {
  it('pops event-time timers up to and including the watermark, removing them', () => {
    const { be, run } = backend();
    run(...[30, 10, 20, 40].map((t) => timerOp('3/event-time', Op.PUT, t, `k${t}`)));
    expect(fired(be.popEventTimers(ALL, 9, '3'))).toEqual([]);
    expect(fired(be.popEventTimers(ALL, 20, '3'))).toEqual(['k10:10:event', 'k20:20:event']);
    expect(fired(be.popEventTimers(ALL, 20, '3'))).toEqual([]);
    expect(be.nextEventTimer(ALL, '3')).toBe(30);
    expect(fired(be.popEventTimers(ALL, Infinity, '3'))).toEqual(['k30:30:event', 'k40:40:event']);
    expect(be.nextEventTimer(ALL, '3')).toBe(null);
  });

  it('keeps the domains apart: processing-time timers fire by processing time only', () => {
    const { be, run } = backend();
    run(timerOp('3/processing-time', Op.PUT, 1000, 'p'), timerOp('3/event-time', Op.PUT, 5, 'e'));
    expect(be.nextProcessingTimer(ALL, '3')).toBe(1000);
    expect(fired(be.popProcessingTimers(ALL, 999, '3'))).toEqual([]);
    expect(fired(be.popEventTimers(ALL, 2000, '3'))).toEqual(['e:5:event']);
    expect(fired(be.popProcessingTimers(ALL, 1000, '3'))).toEqual(['p:1000:processing']);
    expect(be.nextProcessingTimer(ALL, '3')).toBe(null);
  });

  it('pops and reports only timers in the given key-group range', () => {
    const { be, run } = backend();
    const [in3] = keysInGroup(3, MAX, 1);
    const [in4] = keysInGroup(4, MAX, 1);
    const [in9] = keysInGroup(9, MAX, 1);
    run(
      timerOp('3/processing-time', Op.PUT, 50, in9!),
      timerOp('3/processing-time', Op.PUT, 10, in4!),
      timerOp('3/processing-time', Op.PUT, 20, in3!),
    );
    expect(be.nextProcessingTimer({ start: 0, end: 3 }, '3')).toBe(20);
    expect(be.nextProcessingTimer({ start: 5, end: 31 }, '3')).toBe(50);
    expect(fired(be.popProcessingTimers({ start: 3, end: 8 }, 100, '3'))).toEqual([`${in4}:10:processing`, `${in3}:20:processing`]);
    expect(be.nextProcessingTimer(ALL, '3')).toBe(50);
    expect(fired(be.popProcessingTimers({ start: 10, end: 31 }, 100, '3'))).toEqual([]);
    expect(fired(be.popProcessingTimers({ start: 9, end: 9 }, 100, '3'))).toEqual([`${in9}:50:processing`]);
  });

  it('keeps operators apart, including operator names with slashes and the empty name', () => {
    const { be, run } = backend();
    run(
      timerOp('3/event-time', Op.PUT, 1, 'three'),
      timerOp('4/event-time', Op.PUT, 1, 'four'),
      timerOp('a/b/event-time', Op.PUT, 1, 'ab'),
      timerOp('event-time', Op.PUT, 1, 'bare'),
      // A user state may share a timer state's name: timers are kept apart.
      op(Kind.VALUE, '3/event-time', Op.PUT, { values: ['user value'] }),
    );
    expect(fired(be.popEventTimers(ALL, 1, '4'))).toEqual(['four:1:event']);
    expect(fired(be.popEventTimers(ALL, 1, 'a/b'))).toEqual(['ab:1:event']);
    expect(fired(be.popEventTimers(ALL, 1, 'b'))).toEqual([]);
    expect(fired(be.popEventTimers(ALL, 1, ''))).toEqual(['bare:1:event']);
    expect(fired(be.popEventTimers(ALL, 1, '3'))).toEqual(['three:1:event']);
    expect(run(op(Kind.VALUE, '3/event-time', Op.GET))[0]!.values).toEqual(['user value']);
  });

  it('returns fired keys and namespaces as fresh byte arrays', () => {
    const { be, run } = backend();
    run(timerOp('3/event-time', Op.PUT, 1, 'key', 'namespace'));
    const [timer] = be.popEventTimers(ALL, 1, '3');
    expect([s(timer!.key), s(timer!.namespace), timer!.key.buffer.byteLength, timer!.namespace.buffer.byteLength]).toEqual([
      'key',
      'namespace',
      3,
      9,
    ]);
  });

  it('matches a sorted reference under many registrations, deletions and pops across key groups', () => {
    const { be } = backend();
    let seed = 12345;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const reference = new Map<string, { key: string; timestamp: number; seq: number }>();
    let seq = 0;
    const out: string[] = [];
    const expected: string[] = [];
    for (let round = 0; round < 40; round++) {
      const ops: Operation[] = [];
      for (let i = 0; i < 100; i++) {
        const key = `key-${random(50)}`;
        const timestamp = round * 10 + random(200);
        const id = `${key}|${timestamp}`;
        if (random(4) === 0) {
          ops.push(timerOp('7/event-time', Op.REMOVE, timestamp, key));
          reference.delete(id);
        } else {
          ops.push(timerOp('7/event-time', Op.PUT, timestamp, key));
          if (!reference.has(id)) reference.set(id, { key, timestamp, seq: seq++ });
        }
      }
      be.apply(ops, ctxFor(MAX));
      const watermark = round * 10 + 5;
      const due = [...reference.values()].filter((t) => t.timestamp <= watermark);
      due.sort((a, b) => a.timestamp - b.timestamp || a.seq - b.seq);
      for (const t of due) {
        reference.delete(`${t.key}|${t.timestamp}`);
        expected.push(`${t.key}:${t.timestamp}`);
      }
      for (const t of be.popEventTimers(ALL, watermark, '7')) out.push(`${s(t.key)}:${t.timestamp}`);
    }
    expect(out.length).toBe(1929);
    expect(out).toEqual(expected);
    expect(be.stats().entries).toBe(reference.size);
  });
});

describe('timer state names', () => {
  it('name an operator and a domain unambiguously', () => {
    expect(timerStateName('3', 'event')).toBe('3/event-time');
    expect(timerStateName('a/b', 'processing')).toBe('a/b/processing-time');
    expect(timerStateName('', 'event')).toBe('event-time');
    expect(parseTimerStateName('a/b/processing-time')).toEqual({ operator: 'a/b', domain: 'processing' });
    expect(parseTimerStateName('event-time')).toEqual({ operator: '', domain: 'event' });
    expect(parseTimerStateName('3/event-times')).toBe(null);
    expect(parseTimerStateName('3/sum')).toBe(null);
  });
});

describe('TimerQueue', () => {
  it('stays a valid heap under interleaved adds, removes and pops', () => {
    const queue = new TimerQueue();
    const live = new Map<string, number>();
    let seed = 7;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const popped: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const key = `r${random(300)}`;
      const timestamp = random(1000);
      const choice = random(10);
      if (choice < 6) {
        if (queue.add(key, timestamp, i)) live.set(`${key}|${timestamp}`, timestamp);
      } else if (choice < 9) {
        expect(queue.remove(key, timestamp)).toBe(live.delete(`${key}|${timestamp}`));
      } else {
        const top = queue.pop();
        const min = Math.min(...live.values());
        expect(top?.timestamp).toBe(live.size === 0 ? undefined : min);
        if (top !== undefined) {
          live.delete(`${top.recordKey}|${top.timestamp}`);
          popped.push(top.timestamp);
        }
      }
      expect(queue.size).toBe(live.size);
    }
    const drained: number[] = [];
    for (let t = queue.pop(); t !== undefined; t = queue.pop()) drained.push(t.timestamp);
    expect(drained).toEqual([...live.values()].sort((a, b) => a - b));
    expect(popped.length).toBe(458);
  });
});
