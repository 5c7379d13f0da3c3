/**
 * A job that stops early closes its functions, as Flink closes a cancelled task's operators:
 * every function whose open() ran gets one close(), whether the job stopped because
 * executeAndCollect had its limit or because it was cancelled; a close() that throws is logged
 * and the job stays cancelled; a close() that never returns, or a worker stuck in a loop, holds
 * the cancellation at most task.cancellation.timeout.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addLogSink, JobCancelledError, Types, type LogRecord } from '../../host/index.ts';
import { environment, isAlive, MODES, type Mode } from '../support/jobs.ts';
import {
  EndlessLoopMap,
  MarkingMap,
  MarkingSink,
  NeverClosingMap,
  openedAndClosed,
  readMarks,
  ThrowingCloseMap,
  WaitingSource,
} from './close-on-functions.ts';

function marksFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'close-on-cancel-')), 'marks');
}

/** Runs `job` with the host's log records captured. */
async function logged<T>(job: () => Promise<T>): Promise<{ result: T; records: LogRecord[] }> {
  const records: LogRecord[] = [];
  const stop = addLogSink((r) => records.push(r));
  try {
    return { result: await job(), records };
  } finally {
    stop();
  }
}

/** An endless source into `map` at parallelism 2 into a sink; resolves with the client once the sink has a record. */
async function startEndless(mode: Mode, file: string, map: MarkingMap, settings: Record<string, unknown> = {}) {
  const env = environment(mode, settings);
  let first!: () => void;
  const running = new Promise<void>((resolve) => (first = resolve));
  env
    .addSource(new WaitingSource(file, map.name, 2, Infinity), 'Waiting', Types.LONG())
    .map(map, Types.LONG())
    .name(map.name)
    .setParallelism(2)
    .addSink(new MarkingSink(file, () => first()));
  const client = env.executeAsync(`close on cancel (${mode})`);
  await running;
  return client;
}

describe.each(MODES)('%s mode', (mode) => {
  it('executeAndCollect({ limit }) on an endless source closes every instance of a function once', async () => {
    const file = marksFile();
    const env = environment(mode);
    const out = await env
      .addSource(new WaitingSource(file, 'map', 2, Infinity), 'Waiting', Types.LONG())
      .map(new MarkingMap(file, 'map'), Types.LONG())
      .setParallelism(2)
      .executeAndCollect({ limit: 3 });
    expect(out).toHaveLength(3);
    expect(readMarks(file).sort()).toEqual([...openedAndClosed('map', 2), ...openedAndClosed('source', 1)].sort());
  });

  it('JobClient.cancel() closes the functions of every operator once: the workers\', the source\'s and the sink\'s', async () => {
    const file = marksFile();
    const client = await startEndless(mode, file, new MarkingMap(file, 'map'));
    await client.cancel();
    await expect(client.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
    expect(readMarks(file).sort()).toEqual([...openedAndClosed('map', 2), ...openedAndClosed('source', 1), 'open sink a0 s0', 'close sink'].sort());
  });

  it('a close() that throws while the job is cancelled is logged with its operator and function; the job stays cancelled, the next function in the chain is closed too', async () => {
    const file = marksFile();
    const env = environment(mode);
    let first!: () => void;
    const running = new Promise<void>((resolve) => (first = resolve));
    env
      .addSource(new WaitingSource(file, 'throwing', 1, Infinity), 'Waiting', Types.LONG())
      .map(new ThrowingCloseMap(file, 'throwing'), Types.LONG())
      .name('throwing')
      .map(new MarkingMap(file, 'after'), Types.LONG())
      .name('after')
      .addSink(new MarkingSink(file, () => first()));
    const { records } = await logged(async () => {
      const client = env.executeAsync('close throws');
      await running;
      await client.cancel();
      await expect(client.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
    });
    // In chain order, each once.
    expect(readMarks(file).filter((m) => m.startsWith('close') && !m.includes('source') && !m.includes('sink'))).toEqual([
      'close throwing a0 s0',
      'close after a0 s0',
    ]);
    const errors = records.filter((r) => r.level === 'error' && r.message.includes('close()'));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain("a function's close() failed while its attempt was stopping (the attempt's outcome is unchanged)");
    expect(errors[0]!.message).toContain("operator 'throwing': function ThrowingCloseMap.close() threw");
    expect(errors[0]!.message).toContain('Error: close failed on purpose');
  });

  it('a close() that never returns holds a cancellation only task.cancellation.timeout; the workers are killed', async () => {
    const file = marksFile();
    const { result: client, records } = await logged(async () => {
      const client = await startEndless(mode, file, new NeverClosingMap(file, 'stuck'), { 'task.cancellation.timeout': 300 });
      await client.cancel();
      await expect(client.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
      return client;
    });
    // Whether close() was reached before the bound depends on the machine's load: not asserted here.
    const warnings = records.filter((r) => r.level === 'warn' && r.message.includes('did not close within task.cancellation.timeout (300 ms)'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain("'stuck (1/2)', 'stuck (2/2)'");
    for (const w of client.workers()) {
      await w.handle.exited;
      if (w.handle.pid !== undefined) expect(isAlive(w.handle.pid)).toBe(false);
    }
  });
});

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  it('a worker stuck in an endless loop is not waited for beyond task.cancellation.timeout, and is killed (a thread too)', async () => {
    const file = marksFile();
    const env = environment(mode, { 'task.cancellation.timeout': 300 });
    env
      .addSource(new WaitingSource(file, 'loop', 1, Infinity), 'Waiting', Types.LONG())
      .map(new EndlessLoopMap(file, 'loop'), Types.LONG())
      .name('loop')
      .addSink(new MarkingSink(file));
    const { result: client, records } = await logged(async () => {
      const client = env.executeAsync('endless loop');
      while (!readMarks(file).includes('looping loop a0 s0')) await new Promise((resolve) => setTimeout(resolve, 5));
      await client.cancel();
      await expect(client.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
      return client;
    });
    expect(records.some((r) => r.level === 'warn' && r.message.includes("the functions of 'loop (1/1)' did not close within task.cancellation.timeout"))).toBe(true);
    expect(readMarks(file).filter((m) => m.includes('loop'))).toEqual(['open loop a0 s0', 'looping loop a0 s0']);
    expect(client.workers()).toHaveLength(1);
    for (const w of client.workers()) {
      await w.handle.exited;
      if (w.handle.pid !== undefined) expect(isAlive(w.handle.pid)).toBe(false);
    }
  });
});
