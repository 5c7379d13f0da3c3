/**
 * CheckpointCoordinator.idle(): a checkpoint's commit that is under way when the attempt stops
 * finishes before idle() resolves, so that the job's final commit (or a restart's commit of the
 * checkpoint it restores) never publishes the same epochs beside it. Regression: a job whose
 * last checkpoint's commit was still running when its input ended committed the same epochs
 * twice at once: FileSink part files refused ("will not replace") or lost, an async addSink's
 * records invoked twice.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CheckpointCoordinator } from '../host/checkpoint/checkpoint-coordinator.ts';
import { CheckpointStorage } from '../host/checkpoint/checkpoint-storage.ts';
import type { Logger, LogRecord } from '../host/log.ts';

const quiet: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  write: (_record: LogRecord) => undefined,
};

describe('checkpoint coordinator idle()', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves only once the commit under way when the coordinator stopped has finished', async () => {
    const events: string[] = [];
    let finishCommit!: () => void;
    const c = new CheckpointCoordinator({
      intervalMs: 100,
      timeoutMs: 60_000,
      minPauseMs: 0,
      storage: new CheckpointStorage(null, 1, quiet),
      log: quiet,
      firstId: 1,
      onCompleted: (checkpoint) => events.push(`completed ${checkpoint.id}`),
      onFatal: (error) => {
        throw error;
      },
    });
    c.start({
      sources: [{ key: 'source:s', subtask: 0, requestBarrier: () => Promise.resolve({ done: false, position: 1 }) }],
      stateAcks: 0,
      sinkAcks: 1,
      commit: (id) => {
        events.push(`commit ${id} starts`);
        return new Promise<void>((resolve) => {
          finishCommit = () => {
            events.push(`commit ${id} ends`);
            resolve();
          };
        });
      },
    });
    await vi.advanceTimersByTimeAsync(100);
    c.ackSink(1, 'sink:out', 0, null);
    await vi.advanceTimersByTimeAsync(0);
    expect(events).toEqual(['completed 1', 'commit 1 starts']);

    c.stop();
    const idle = c.idle().then(() => events.push('idle'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(events).toEqual(['completed 1', 'commit 1 starts']);
    finishCommit();
    await idle;
    expect(events).toEqual(['completed 1', 'commit 1 starts', 'commit 1 ends', 'idle']);
    // Nothing under way: at once.
    await c.idle();
  });
});
