/**
 * Under the `skip` failure policy a record is skipped whole: what its function emitted for it
 * before throwing (collected, yielded, sent to a side output), synchronously or not, goes
 * nowhere; only its dead letter does. A chained function's own skip drops only the value it
 * failed on. An onTimer that throws is skipped the same way. State writes and timer
 * registrations made before the throw stay.
 */
import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTERS,
  FlatMapFunction,
  KeyedProcessFunction,
  OutputTag,
  ProcessFunction,
  Types,
  ValueStateDescriptor,
  type Collector,
  type DeadLetter,
  type KeyedProcessContext,
  type OnTimerContext,
  type ProcessContext,
  type RuntimeContext,
  type ValueState,
} from '../../host/index.ts';
import { BUNDLE_SETTINGS, collect, environment, MODES } from '../support/jobs.ts';

const NOTES = new OutputTag<string>('notes', Types.STRING());

/** Yields, collects and yields again for every record, then throws for multiples of three. */
class YieldsThenThrows extends FlatMapFunction<number, number> {
  *flatMap(x: number, out: Collector<number>): Generator<number> {
    yield x * 10;
    out.collect(x * 10 + 1);
    yield x * 10 + 2;
    if (x % 3 === 0) throw new RangeError(`multiple of three: ${x}`);
  }
}

/** Passes values on, but throws after yielding 42. */
class RefusesFortyTwo extends FlatMapFunction<number, number> {
  *flatMap(v: number): Generator<number> {
    yield v;
    if (v === 42) throw new Error('42 is refused');
  }
}

/** Collects and writes a side output for every record, then throws for even ones. */
class NotesThenThrows extends ProcessFunction<number, number> {
  processElement(x: number, ctx: ProcessContext, out: Collector<number>): void {
    out.collect(x);
    ctx.output(NOTES, `note ${x}`);
    out.collect(-x);
    if (x % 2 === 0) throw new Error(`even: ${x}`);
  }
}

/** As NotesThenThrows, but an async function that throws after an await. */
class AsyncNotesThenThrows extends ProcessFunction<number, number> {
  async processElement(x: number, ctx: ProcessContext, out: Collector<number>): Promise<void> {
    out.collect(x);
    ctx.output(NOTES, `note ${x}`);
    await Promise.resolve();
    out.collect(-x);
    if (x % 2 === 0) throw new Error(`even: ${x}`);
  }
}

/** An async generator that yields across awaits, then throws for multiples of three. */
class AsyncYieldsThenThrows extends FlatMapFunction<number, number> {
  async *flatMap(x: number): AsyncGenerator<number> {
    yield x * 10;
    await Promise.resolve();
    yield x * 10 + 1;
    await Promise.resolve();
    if (x % 3 === 0) throw new RangeError(`multiple of three: ${x}`);
  }
}

/**
 * Per key: counts elements in state and registers an event-time timer at 10 × n, emits and
 * writes a note, then throws for n = 3. onTimer emits the count and a note, then throws for key b.
 */
class CountsAndTimers extends KeyedProcessFunction<string, [string, number], unknown> {
  private count!: ValueState<number>;
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor('count'));
  }
  processElement([key, n]: [string, number], ctx: KeyedProcessContext<string>, out: Collector<unknown>): void {
    this.count.update((this.count.value() ?? 0) + 1);
    ctx.timerService().registerEventTimeTimer(10 * n);
    out.collect(['seen', key, n]);
    ctx.output(NOTES, `seen ${key} ${n}`);
    if (n === 3) throw new Error(`three: ${key}`);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<unknown>): void {
    const key = ctx.getCurrentKey();
    out.collect(['timer', key, timestamp, this.count.value()]);
    ctx.output(NOTES, `timer ${key} ${timestamp}`);
    if (key === 'b') throw new Error(`timer of b at ${timestamp}`);
  }
}

const SETTINGS = ['bundle 1, batch 1', 'bundle 7, batch 1', 'bundle default, batch default'] as const;

function letters(dead: DeadLetter[]): unknown[] {
  return dead.map((d) => [d.record, d.operator, d.error.message]);
}

describe.each(MODES)('%s mode', (mode) => {
  describe.each(SETTINGS)('%s', (label) => {
    const settings = BUNDLE_SETTINGS[label];

    it('a generator that yields and collects, then throws: none of its values go on; a chained function skips only its own value', async () => {
      const env = environment(mode, settings);
      const first = env.fromCollection([1, 2, 3, 4, 5, 6, 7]).flatMap(new YieldsThenThrows()).name('Explode').setFailurePolicy('skip');
      const second = first.flatMap(new RefusesFortyTwo()).name('Refuse').setFailurePolicy('skip');
      const out = collect(second);
      const firstDead = collect(first.getSideOutput(DEAD_LETTERS));
      const secondDead = collect(second.getSideOutput(DEAD_LETTERS));
      await env.execute('skip generator');
      // Per record: what it yielded, then what it collected while it ran (as without a failure).
      expect(out).toEqual([10, 12, 11, 20, 22, 21, 40, 41, 50, 52, 51, 70, 72, 71]);
      expect(letters(firstDead)).toEqual([
        [3, 'Explode', 'multiple of three: 3'],
        [6, 'Explode', 'multiple of three: 6'],
      ]);
      expect(letters(secondDead)).toEqual([[42, 'Refuse', '42 is refused']]);
    });

    it('an async generator that yields across awaits, then throws: none of its values go on', async () => {
      const env = environment(mode, settings);
      const mapped = env.fromCollection([1, 2, 3, 4, 5, 6]).flatMap(new AsyncYieldsThenThrows()).name('AsyncExplode').setFailurePolicy('skip');
      const out = collect(mapped.map((v: number) => v + 1000));
      const dead = collect(mapped.getSideOutput(DEAD_LETTERS));
      await env.execute('skip async generator');
      expect(out).toEqual([1010, 1011, 1020, 1021, 1040, 1041, 1050, 1051]);
      expect(letters(dead)).toEqual([
        [3, 'AsyncExplode', 'multiple of three: 3'],
        [6, 'AsyncExplode', 'multiple of three: 6'],
      ]);
    });

    it.each([
      ['synchronous', new NotesThenThrows()],
      ['async', new AsyncNotesThenThrows()],
    ])('a %s process function that collects and writes a side output, then throws: neither output gets its rows', async (_kind, fn) => {
      const env = environment(mode, settings);
      const processed = env.fromCollection([1, 2, 3, 4, 5, 6]).process(fn).name('Notes').setFailurePolicy('skip');
      const out = collect(processed);
      const notes = collect(processed.getSideOutput(NOTES));
      const dead = collect(processed.getSideOutput(DEAD_LETTERS));
      await env.execute('skip process');
      expect(out).toEqual([1, -1, 3, -3, 5, -5]);
      expect(notes).toEqual(['note 1', 'note 3', 'note 5']);
      expect(letters(dead)).toEqual([
        [2, 'Notes', 'even: 2'],
        [4, 'Notes', 'even: 4'],
        [6, 'Notes', 'even: 6'],
      ]);
    });

    it('a keyed process function: skipped elements and timers emit nothing; their state writes and timers stay', async () => {
      const env = environment(mode, settings);
      const processed = env
        .fromCollection<[string, number]>([
          ['a', 1],
          ['b', 2],
          ['a', 3],
          ['b', 4],
        ])
        .keyBy((e) => e[0])
        .process(new CountsAndTimers())
        .name('Counts')
        .setFailurePolicy('skip');
      const out = collect(processed);
      const notes = collect(processed.getSideOutput(NOTES));
      const dead = collect(processed.getSideOutput(DEAD_LETTERS));
      await env.execute('skip keyed process');
      // a's count is 2 and its timer at 30 fires: the skipped element's state write and timer stay.
      expect(out).toEqual([
        ['seen', 'a', 1],
        ['seen', 'b', 2],
        ['seen', 'b', 4],
        ['timer', 'a', 10, 2],
        ['timer', 'a', 30, 2],
      ]);
      expect(notes).toEqual(['seen a 1', 'seen b 2', 'seen b 4', 'timer a 10', 'timer a 30']);
      expect(letters(dead)).toEqual([
        [['a', 3], 'Counts', 'three: a'],
        [{ timer: 20, domain: 'EVENT_TIME' }, 'Counts', 'timer of b at 20'],
        [{ timer: 40, domain: 'EVENT_TIME' }, 'Counts', 'timer of b at 40'],
      ]);
    });
  });
});
