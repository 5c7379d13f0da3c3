/**
 * The checkpoint coordinator once sources have ended (Flink 1.15+, FLIP-147): a source that had
 * ended is recorded at its end, done, and the checkpoint completes with the barriers of the
 * others; once every source has ended, no barrier can be emitted and no more checkpoints are
 * taken (the job is finishing; its end makes all output visible).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointCoordinator, type CheckpointSource } from '../host/checkpoint/checkpoint-coordinator.ts';
import { CheckpointStorage } from '../host/checkpoint/checkpoint-storage.ts';
import type { CompletedCheckpoint, SourcePosition } from '../host/checkpoint/completed-checkpoint.ts';
import type { Logger, LogRecord } from '../host/log.ts';

const INTERVAL = 100;

class RecordingLog implements Logger {
  readonly lines: string[] = [];
  trace(message: string): void {
    this.lines.push(`trace ${message}`);
  }
  debug(message: string): void {
    this.lines.push(`debug ${message}`);
  }
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
  write(record: LogRecord): void {
    this.lines.push(`${record.level} ${record.message}`);
  }
}

/** A source answering every barrier request with `answer` (null: it had ended), recording the ids. */
function source(key: string, answer: SourcePosition | null): CheckpointSource & { requested: number[] } {
  const requested: number[] = [];
  return {
    key,
    subtask: 0,
    requested,
    requestBarrier: (id) => {
      requested.push(id);
      return Promise.resolve(answer);
    },
  };
}

function coordinator(log: RecordingLog, completed: CompletedCheckpoint[]): CheckpointCoordinator {
  return new CheckpointCoordinator({
    intervalMs: INTERVAL,
    timeoutMs: 60_000,
    minPauseMs: 0,
    storage: new CheckpointStorage(null, 1, log),
    log,
    firstId: 1,
    onCompleted: (checkpoint) => completed.push(checkpoint),
    onFatal: (error) => {
      throw error;
    },
  });
}

describe('checkpoint coordinator with ended sources', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('records a source that had ended at its end and completes with the barriers of the others', async () => {
    const log = new RecordingLog();
    const completed: CompletedCheckpoint[] = [];
    const committed: number[] = [];
    const c = coordinator(log, completed);
    const small = source('source:small', null);
    const long = source('source:long', { done: false, position: 7 });
    c.start({
      sources: [small, long],
      stateAcks: 1,
      sinkAcks: 1,
      commit: async (id) => {
        committed.push(id);
      },
    });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect([small.requested, long.requested]).toEqual([[1], [1]]);
    c.ackState(1, 'udf:map', 0, null);
    c.ackSink(1, 'sink:out', 0, 'sealed 1');
    await vi.advanceTimersByTimeAsync(0);
    expect(completed).toHaveLength(1);
    expect(completed[0]!.sources).toEqual({
      'source:small': [{ done: true, position: null }],
      'source:long': [{ done: false, position: 7 }],
    });
    expect(completed[0]!.sinks).toEqual({ 'sink:out': ['sealed 1'] });
    expect(committed).toEqual([1]);
    expect(log.lines.filter((l) => !/^info checkpoint 1 complete in [\d.]+ ms$/.test(l))).toEqual([]);
    // And the next one goes the same way.
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect([small.requested, long.requested]).toEqual([[1, 2], [1, 2]]);
    c.stop();
  });

  it('a checkpoint whose every source is at its end completes when one of them emitted the barrier', async () => {
    const log = new RecordingLog();
    const completed: CompletedCheckpoint[] = [];
    const c = coordinator(log, completed);
    const ended = source('source:a', null);
    const ending = source('source:b', { done: true, position: null });
    c.start({ sources: [ended, ending], stateAcks: 1, sinkAcks: 0, commit: async () => {} });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    c.ackState(1, 'udf:map', 0, null);
    await vi.advanceTimersByTimeAsync(0);
    expect(completed.map((k) => k.sources)).toEqual([
      { 'source:a': [{ done: true, position: null }], 'source:b': [{ done: true, position: null }] },
    ]);
    c.stop();
  });

  it('a checkpoint that times out names the sources that had ended', async () => {
    const log = new RecordingLog();
    const c = coordinator(log, []);
    c.start({
      sources: [source('source:small', null), source('source:long', { done: false, position: 3 })],
      stateAcks: 2,
      sinkAcks: 0,
      commit: async () => {},
    });
    await vi.advanceTimersByTimeAsync(INTERVAL);
    // One task acknowledges; the other (fed by the small source alone) has finished.
    c.ackState(1, 'udf:map', 0, null);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(log.lines).toEqual([
      'warn checkpoint 1 abandoned: it did not complete within execution.checkpointing.timeout (60000 ms); ' +
        'sources that had ended: source:small (subtask 0)',
    ]);
    c.stop();
  });

  it('takes no more checkpoints once every source has ended', async () => {
    const log = new RecordingLog();
    const completed: CompletedCheckpoint[] = [];
    const c = coordinator(log, completed);
    const a = source('source:a', null);
    const b = source('source:b', null);
    c.start({ sources: [a, b], stateAcks: 2, sinkAcks: 1, commit: async () => {} });
    await vi.advanceTimersByTimeAsync(10 * INTERVAL);
    expect([a.requested, b.requested]).toEqual([[1], [1]]);
    expect(completed).toEqual([]);
    expect(log.lines).toEqual(['info no more checkpoints: every source has ended (the end of the job makes all output visible)']);
    // No task saw checkpoint 1: a later attempt may use its id.
    expect(c.upcomingId).toBe(1);
    c.stop();
  });
});
