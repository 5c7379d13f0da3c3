/**
 * An attempt that fails is torn down with its functions closed, as Flink closes a failed task's
 * operators: every function whose open() ran gets one close(), in the worker whose function
 * threw as in the others, before the job fails or restarts; the job's error is its own. A
 * function closed at the end of its input is not closed again when the attempt is torn down
 * after it (its sinks' final commit failed).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SinkFunction, Types, UserFunctionError } from '../../host/index.ts';
import { environment, MODES } from '../support/jobs.ts';
import { FailingMap, FailsToOpen, MarkingMap, openedAndClosed, readMarks, WaitingSource } from './close-on-functions.ts';

function marksFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'close-on-failure-')), 'marks');
}

/** Throws on its first record, once: the job's final commit fails, its restart publishes. */
class FailsOnce extends SinkFunction<number> {
  readonly received: number[] = [];
  private failed = false;
  invoke(value: number): void {
    if (!this.failed) {
      this.failed = true;
      throw new Error('the first commit fails on purpose');
    }
    this.received.push(value);
  }
}

describe.each(MODES)('%s mode', (mode) => {
  it('a failure in another operator closes every function once, the failing one included; the job fails with that failure', async () => {
    const file = marksFile();
    const env = environment(mode);
    const results = env
      .addSource(new WaitingSource(file, 'map', 2, Infinity), 'Waiting', Types.LONG())
      .map(new MarkingMap(file, 'map'), Types.LONG())
      .setParallelism(2)
      .map(new FailingMap(file, 'failing', 50, true), Types.LONG())
      .name('failing')
      .setParallelism(1)
      .executeAndCollect();
    const error = await results.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserFunctionError);
    expect((error as UserFunctionError).operator).toBe('failing');
    expect((error as UserFunctionError).causeMessage).toBe('refusing 50 on purpose');
    expect(readMarks(file).sort()).toEqual([...openedAndClosed('map', 2), ...openedAndClosed('failing', 1), ...openedAndClosed('source', 1)].sort());
  });

  it("a function chained before one whose open() throws is closed; the one that threw is not", async () => {
    const file = marksFile();
    const env = environment(mode);
    const results = env
      .fromCollection([1, 2, 3], Types.LONG())
      .map(new MarkingMap(file, 'first'), Types.LONG())
      .map(new FailsToOpen(file, 'second'), Types.LONG())
      .executeAndCollect();
    const error = await results.then(
      () => null,
      (e: unknown) => e,
    );
    expect(String(error)).toContain('cannot open on purpose');
    expect(readMarks(file)).toEqual(['open first a0 s0', 'open second a0 s0', 'close first a0 s0']);
  });

  it('an attempt that fails and is restarted closes its functions before the next attempt opens them', async () => {
    const file = marksFile();
    const env = environment(mode, { 'restart-strategy.type': 'fixed-delay', 'restart-strategy.fixed-delay.delay': 0 });
    const out = await env
      .addSource(new WaitingSource(file, 'map', 2, 100), 'Waiting', Types.LONG())
      .map(new MarkingMap(file, 'map'), Types.LONG())
      .setParallelism(2)
      .map(new FailingMap(file, 'failing', 50, false), Types.LONG())
      .name('failing')
      .setParallelism(1)
      .setFailurePolicy('restart')
      .executeAndCollect();
    expect(out.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const marks = readMarks(file);
    const attempt = (n: number): string[] =>
      [...openedAndClosed('map', 2, n), ...openedAndClosed('failing', 1, n), ...openedAndClosed('source', 1, n)].sort();
    expect(marks.filter((m) => m.includes(' a0 ')).sort()).toEqual(attempt(0));
    expect(marks.filter((m) => m.includes(' a1 ')).sort()).toEqual(attempt(1));
    // Attempt 0 was closed whole before attempt 1 opened anything.
    const lastOfFirst = Math.max(...marks.map((m, i) => (m.includes(' a0 ') ? i : -1)));
    const firstOfSecond = marks.findIndex((m) => m.includes(' a1 '));
    expect(lastOfFirst).toBeLessThan(firstOfSecond);
  });

  it('functions closed at the end of their input are not closed again when the attempt is torn down after it', async () => {
    const file = marksFile();
    const env = environment(mode, {
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': 0,
      'udf.failure-policy': 'restart',
    });
    const sink = new FailsOnce();
    env.fromSequence(1, 5).map(new MarkingMap(file, 'map'), Types.LONG()).setParallelism(2).addSink(sink);
    const result = await env.execute('final commit fails once');
    expect(result.restarts).toBe(1);
    expect(sink.received.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(readMarks(file).sort()).toEqual(openedAndClosed('map', 2).sort());
  });
});
