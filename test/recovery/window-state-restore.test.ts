/**
 * A ProcessWindowFunction's per-window and per-key state across a restart: a window fires, a
 * checkpoint is taken after it, the job fails and restarts from it, and a late element then
 * fires the window again: its per-window count and the key's count go on from what the
 * checkpoint held (a lost state would start them at 1 again), and clear() still finds the
 * restored state when the window is purged.
 */
import { describe, expect, it } from 'vitest';
import { addLogSink, SourceFunction, TumblingEventTimeWindows, WatermarkStrategy } from '../../host/index.ts';
import { CallbackSink, collect, environment, MODES } from '../support/jobs.ts';
import { CLEARED, FailsOnceAt, FiringCounts, type Event, type Fired } from '../e2e/window-state-functions.ts';
import { RESTART_ONCE } from './checkpoint-gate.ts';

/** Resolves, when asked once, after two checkpoints complete: the second was triggered after the asking. */
class TwoCheckpoints {
  private completed = 0;
  private waiting: { after: number; resolve: () => void } | null = null;
  private asked: Promise<void> | null = null;
  readonly remove = addLogSink((r) => {
    if (!/^checkpoint \d+ complete/.test(r.message)) return;
    this.completed++;
    if (this.waiting !== null && this.completed >= this.waiting.after) this.waiting.resolve();
  });
  wait(): Promise<void> {
    return (this.asked ??= new Promise((resolve) => (this.waiting = { after: this.completed + 2, resolve })));
  }
}

/** Emits its steps; a step that is a function is waited on. Its position is its checkpointed state. */
class Steps extends SourceFunction<Event> {
  private next = 0;
  constructor(private readonly steps: (Event | (() => Promise<void>))[]) {
    super();
  }
  async *run(): AsyncGenerator<Event> {
    while (this.next < this.steps.length) {
      const step = this.steps[this.next]!;
      if (typeof step === 'function') await step();
      else yield step;
      this.next++;
    }
  }
  override snapshotState(): number {
    return this.next;
  }
  override restoreState(state: unknown): void {
    this.next = typeof state === 'number' ? state : 0;
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it.each([
    ['bundle 1', { 'udf.bundle.size': 1 }],
    ['bundle default', {}],
  ])('per-window and per-key state come back from the checkpoint: a late firing after the restart goes on counting (%s)', async (_l, settings) => {
    const checkpoints = new TwoCheckpoints();
    let firedBoth: () => void = () => undefined;
    const fired = new Promise<void>((resolve) => (firedBoth = resolve));
    const restarts: string[] = [];
    const removeRestarts = addLogSink((r) => {
      const restart = /restart \d+ .* from (checkpoint \d+|the start)/.exec(r.message);
      if (restart !== null) restarts.push(restart[1]!);
    });
    const env = environment(mode, {
      ...settings,
      ...RESTART_ONCE,
    });
    const windowed = env
      .addSource(
        new Steps([
          ['a', 1],
          ['b', 2],
          ['a', 4],
          ['a', 25],
          // [0, 10) fired for a and b; then a checkpoint holding their counts.
          () => fired,
          () => checkpoints.wait(),
          // Fails the first attempt; the second restarts from the checkpoint, at this step.
          ['a', 26],
          // Late, within the lateness: fires a's [0, 10) again.
          ['a', 3],
        ]),
        'Steps',
      )
      .map(new FailsOnceAt(26))
      .setFailurePolicy('restart')
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e[1]))
      .keyBy((e) => e[0])
      .window(TumblingEventTimeWindows.of(10))
      .allowedLateness(100)
      .process(new FiringCounts())
      .uid('window state');
    const out: Fired[] = [];
    windowed.addSink(
      new CallbackSink((v: Fired) => {
        out.push(v);
        if (out.filter((f) => f[1][0] === 0).length === 2) firedBoth();
      }),
    );
    const cleared = collect(windowed.getSideOutput(CLEARED));
    const result = await env.execute('window state restore').finally(() => {
      checkpoints.remove();
      removeRestarts();
    });

    expect(result.restarts).toBe(1);
    expect(restarts).toHaveLength(1);
    expect(restarts[0]).toMatch(/^checkpoint \d+$/);
    const byKeyWindowFiring = (x: Fired, y: Fired): number => x[0].localeCompare(y[0]) || x[1][0]! - y[1][0]! || x[3] - y[3];
    expect([...out].sort(byKeyWindowFiring)).toEqual([
      ['a', [0, 10], 5, 1, 1],
      ['a', [0, 10], 8, 2, 2],
      ['a', [20, 30], 51, 1, 3],
      ['b', [0, 10], 2, 1, 1],
    ]);
    expect([...cleared].sort((x, y) => x[0].localeCompare(y[0]) || x[1][0]! - y[1][0]!)).toEqual([
      ['a', [0, 10], 2, null],
      ['a', [20, 30], 1, null],
      ['b', [0, 10], 1, null],
    ]);
  });
});
