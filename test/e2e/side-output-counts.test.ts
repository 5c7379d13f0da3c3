/**
 * An operator's recordsOut counts what it sent to its side outputs (read or not) and its dead
 * letters, with its main output, as Flink's numRecordsOut does; a side output counts for the
 * operator that wrote it, chained or not, from processElement or onTimer.
 */
import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTERS,
  KeyedProcessFunction,
  OutputTag,
  ProcessFunction,
  Types,
  type Collector,
  type JobExecutionResult,
  type KeyedProcessContext,
  type OnTimerContext,
  type ProcessContext,
} from '../../host/index.ts';
import { BUNDLE_SETTINGS, collect, environment, MODES } from '../support/jobs.ts';

const READ = new OutputTag<number>('read', Types.LONG());
/** A tag no stream reads: its rows go nowhere, but they were emitted. */
const UNREAD = new OutputTag<number>('unread', Types.LONG());

/** Emits each record to the main output and both tags, then throws for 4. */
class Route extends ProcessFunction<number, number> {
  processElement(x: number, ctx: ProcessContext, out: Collector<number>): void {
    out.collect(x);
    ctx.output(READ, x);
    ctx.output(UNREAD, x);
    if (x === 4) throw new Error('four');
  }
}

/** Per element: a main row, a side row and a timer at 100; each timer writes a side row. */
class TimerNotes extends KeyedProcessFunction<string, string, string> {
  processElement(key: string, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    out.collect(key);
    ctx.output(READ, 1);
    ctx.timerService().registerEventTimeTimer(100);
  }
  override onTimer(timestamp: number, ctx: OnTimerContext<string>): void {
    ctx.output(READ, timestamp);
  }
}

function counts(result: JobExecutionResult): string[] {
  return result.operators.map((o) => `${o.kind} ${o.name} ${o.recordsIn}→${o.recordsOut}`);
}

describe.each(MODES)('%s mode', (mode) => {
  it.each(['bundle 1, batch 1', 'bundle default, batch default'])('%s', async (label) => {
    const env = environment(mode, BUNDLE_SETTINGS[label]);
    const routed = env
      .fromCollection([1, 2, 3, 4, 5, 6])
      .map((x: number) => x)
      .name('Pass')
      .process(new Route(), Types.LONG())
      .name('Route')
      .setFailurePolicy('skip');
    const after = collect(routed.map((x: number) => x * 10).name('After'), 'Main');
    const read = collect(routed.getSideOutput(READ), 'Read');
    const dead = collect(routed.getSideOutput(DEAD_LETTERS), 'Dead');
    const keyed = env
      .fromCollection(['a', 'b', 'a', 'c'])
      .keyBy((k: string) => k)
      .process(new TimerNotes(), Types.STRING())
      .name('Keyed');
    const keyedMain = collect(keyed, 'KeyedMain');
    const keyedSide = collect(keyed.getSideOutput(READ), 'KeyedSide');
    const result = await env.execute('side output counts');

    expect(after).toEqual([10, 20, 30, 50, 60]);
    expect(read).toEqual([1, 2, 3, 5, 6]);
    expect(dead.map((d) => d.record)).toEqual([4]);
    expect(keyedMain).toEqual(['a', 'b', 'a', 'c']);
    expect(keyedSide).toEqual([1, 1, 1, 1, 100, 100, 100]);
    // Route: 5 main + 5 read + 5 unread + 1 dead letter. The record it skipped sent nothing.
    // Keyed: 4 main + 4 side rows from elements + 3 from timers (one per key).
    expect(counts(result)).toEqual([
      'source Source: Collection Source 0→6',
      'source Source: Collection Source 0→4',
      'udf Pass 6→6',
      'udf Route 6→16',
      'udf After 5→5',
      'udf Key By 4→4',
      'udf Keyed 4→11',
      'sink Main 5→0',
      'sink Read 5→0',
      'sink Dead 1→0',
      'sink KeyedMain 4→0',
      'sink KeyedSide 7→0',
    ]);
  });
});
