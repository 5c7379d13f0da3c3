/**
 * The file sink's rolling policies, on a FileWriter of one bucket driven by hand with a clock the
 * test moves: the default policy closes the in-progress part file before a record once it holds
 * more than the part size, once it has been open the rollover interval, or once nothing was
 * written to it for the inactivity interval (checked on each write and, for a file left idle,
 * every bucket check interval); onCheckpointRollingPolicy only at barriers. Rolled files stay
 * pending, in progress, until the next barrier seals them and its checkpoint commits them: a
 * restart that restores that checkpoint commits every one of them, and deletes what its writer
 * wrote after.
 */
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BucketAssigner, FileSink, RollingPolicy } from '../host/index.ts';
import { FileWriter, type FileSinkState } from '../host/runtime/sinks/file-writer.ts';
import type { SinkClock } from '../host/runtime/sinks/part-file-rolling.ts';
import { ManualClock } from './support/manual-clock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-rolling-'));
  dirs.push(dir);
  return dir;
}

/** A writer (its id `id`) of subtask 0 into `dir` itself, checking its file's times every `checkInterval` ms. */
function writerFor(dir: string, policy: RollingPolicy, clock: SinkClock, options: { restored?: FileSinkState[]; checkInterval?: number; id?: string } = {}): FileWriter {
  const sink = FileSink.forRowFormat(dir)
    .withRollingPolicy(policy)
    .withBucketAssigner(BucketAssigner.basePathBucketAssigner())
    .withBucketCheckInterval(options.checkInterval ?? 100)
    .build();
  return new FileWriter(sink as FileSink<unknown>, 0, options.restored ?? [], { clock, id: options.id ?? 'w1' });
}

/** The files in `dir` and what each holds. */
function filesIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
}

/** A day, for the intervals of a test that is about the part size. */
const DAY = 86_400_000;

describe('the default rolling policy', () => {
  it('rolls before a record when the open file holds more than the part size, whatever the batches', async () => {
    const dir = tempDir();
    const writer = writerFor(dir, RollingPolicy.defaultRollingPolicy(9, DAY, DAY), new ManualClock());
    await writer.open();
    // 30 lines of 3 bytes: a file takes a fourth line at 9 bytes (not more than 9), not a fifth at 12.
    const numbers = Array.from({ length: 30 }, (_, i) => 10 + i);
    await writer.write(numbers.slice(0, 7));
    await writer.write(numbers.slice(7, 8));
    await writer.write(numbers.slice(8));
    await writer.endOfInput();
    await writer.commit(Infinity);
    const lines = (from: number, count: number): string => numbers.slice(from, from + count).map((n) => `${n}\n`).join('');
    expect(filesIn(dir)).toEqual({
      'part-w1-0-0': lines(0, 4),
      'part-w1-0-1': lines(4, 4),
      'part-w1-0-2': lines(8, 4),
      'part-w1-0-3': lines(12, 4),
      'part-w1-0-4': lines(16, 4),
      'part-w1-0-5': lines(20, 4),
      'part-w1-0-6': lines(24, 4),
      'part-w1-0-7': lines(28, 2),
    });
  });

  it('closes an idle file at the first bucket check after its inactivity interval, without a write, and writes the next record into a new one', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const writer = writerFor(dir, RollingPolicy.defaultRollingPolicy(1024, 1000, 100), clock, { checkInterval: 50 });
    await writer.open();
    await writer.write(['a']);
    expect([writer.openFile, clock.due]).toEqual([join(dir, '.part-w1-0-0.inprogress'), [50]]);
    clock.advanceTo(50);
    await writer.write(['b']);
    // Idle 50 ms at the check of 50 (which comes before the write of b), 50 ms (since b) at 100, 100 ms at 150.
    expect(clock.due).toEqual([100]);
    clock.advanceTo(100);
    await writer.write([]);
    expect([writer.openFile, clock.due]).toEqual([join(dir, '.part-w1-0-0.inprogress'), [150]]);
    clock.advanceTo(149);
    await writer.write([]);
    expect([writer.openFile, clock.due]).toEqual([join(dir, '.part-w1-0-0.inprogress'), [150]]);
    clock.advanceTo(150);
    await writer.write([]);
    expect([writer.openFile, clock.due]).toEqual([null, []]);
    expect(readdirSync(dir)).toEqual(['.part-w1-0-0.inprogress']);
    clock.advanceTo(500);
    await writer.write(['c']);
    expect([writer.openFile, clock.due]).toEqual([join(dir, '.part-w1-0-1.inprogress'), [550]]);
    await writer.endOfInput();
    expect(clock.due).toEqual([]);
    await writer.commit(Infinity);
    expect(filesIn(dir)).toEqual({ 'part-w1-0-0': 'a\nb\n', 'part-w1-0-1': 'c\n' });
  });

  it('closes a file open for the rollover interval, though it is written to', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const writer = writerFor(dir, RollingPolicy.defaultRollingPolicy(1024, 100, 1000), clock);
    await writer.open();
    for (const [time, value] of [[0, 'a'], [50, 'b'], [99, 'c']] as const) {
      clock.advanceTo(time);
      await writer.write([value]);
    }
    expect(clock.due).toEqual([100]);
    clock.advanceTo(100);
    await writer.write([]);
    expect([writer.openFile, clock.due]).toEqual([null, []]);
    clock.advanceTo(120);
    await writer.write(['d']);
    await writer.endOfInput();
    await writer.commit(Infinity);
    expect(filesIn(dir)).toEqual({ 'part-w1-0-0': 'a\nb\nc\n', 'part-w1-0-1': 'd\n' });
  });

  it('rolls on a write whose file’s time is up though its timer has not fired yet', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const writer = writerFor(dir, RollingPolicy.defaultRollingPolicy(1024, 100, 1000), clock);
    await writer.open();
    await writer.write(['a']);
    clock.setTime(150);
    await writer.write(['b', 'c']);
    expect(writer.openFile).toBe(join(dir, '.part-w1-0-1.inprogress'));
    // The bucket check is not moved by the roll: a file is still open.
    expect(clock.due).toEqual([100]);
    await writer.endOfInput();
    await writer.commit(Infinity);
    expect(filesIn(dir)).toEqual({ 'part-w1-0-0': 'a\n', 'part-w1-0-1': 'b\nc\n' });
  });

  it('is the policy of a file sink given none, with Flink’s bucket check interval: a first write at 0 is checked at 60 s', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const writer = new FileWriter(FileSink.forRowFormat(dir) as FileSink<unknown>, 0, [], { clock });
    await writer.open();
    await writer.write(['a']);
    expect(clock.due).toEqual([60_000]);
    // The job ended at a collect limit: the final commit stops the timer.
    await writer.commit(Infinity);
    expect(clock.due).toEqual([]);
  });
});

describe('onCheckpointRollingPolicy', () => {
  it('rolls only at barriers: no timer, no part size', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const writer = writerFor(dir, RollingPolicy.onCheckpointRollingPolicy(), clock);
    await writer.open();
    await writer.write(['a'.repeat(1000), 'b']);
    clock.advanceTo(10 * DAY);
    await writer.write(['c']);
    expect([writer.openFile, clock.due]).toEqual([join(dir, '.part-w1-0-0.inprogress'), []]);
    await writer.preCommit(1);
    await writer.write(['d']);
    await writer.preCommit(2);
    await writer.commit(2);
    expect(filesIn(dir)).toEqual({ 'part-w1-0-0': `${'a'.repeat(1000)}\nb\nc\n`, 'part-w1-0-1': 'd\n' });
  });
});

describe('rolled files and checkpoints', () => {
  /** 2-byte lines and a part size of 3: a file takes two records. */
  const twoPerFile = (): RollingPolicy => RollingPolicy.defaultRollingPolicy(3, DAY, DAY);

  it('a barrier seals the files rolled since the last one and the open one; a restore commits them all and deletes what their writer wrote after', async () => {
    const dir = tempDir();
    const first = writerFor(dir, twoPerFile(), new ManualClock());
    await first.open();
    await first.write(['a', 'b', 'c', 'd', 'e']);
    await first.preCommit(1);
    const state = first.checkpointState(1);
    expect(state).toEqual({
      files: [0, 1, 2].map((n) => ({ temp: join(dir, `.part-w1-0-${n}.inprogress`), final: join(dir, `part-w1-0-${n}`) })),
      writer: 'w1',
    });
    await first.write(['f', 'g', 'h']);
    // Checkpoint 1 completed, and the attempt died while committing it: one file was renamed.
    renameSync(join(dir, '.part-w1-0-0.inprogress'), join(dir, 'part-w1-0-0'));
    expect(readdirSync(dir).sort()).toEqual([
      '.part-w1-0-1.inprogress',
      '.part-w1-0-2.inprogress',
      '.part-w1-0-3.inprogress',
      '.part-w1-0-4.inprogress',
      'part-w1-0-0',
    ]);

    const second = writerFor(dir, twoPerFile(), new ManualClock(), { restored: [state], id: 'w2' });
    await second.open();
    expect(filesIn(dir)).toEqual({ 'part-w1-0-0': 'a\nb\n', 'part-w1-0-1': 'c\nd\n', 'part-w1-0-2': 'e\n' });
    // Its own names, numbered from 0.
    await second.write(['f']);
    expect(second.openFile).toBe(join(dir, '.part-w2-0-0.inprogress'));
    await first.abort();
    await second.abort();
  });

  it('an abort deletes the open file and those rolled since the last barrier, and keeps the sealed ones', async () => {
    const dir = tempDir();
    const clock = new ManualClock();
    const writer = writerFor(dir, RollingPolicy.defaultRollingPolicy(3, 1000, 1000), clock, { checkInterval: 1000 });
    await writer.open();
    await writer.write(['a', 'b', 'c']);
    await writer.preCommit(1);
    await writer.write(['d', 'e', 'f', 'g', 'h']);
    expect(clock.due).toEqual([1000]);
    await writer.abort();
    expect([writer.openFile, clock.due]).toEqual([null, []]);
    expect(readdirSync(dir).sort()).toEqual(['.part-w1-0-0.inprogress', '.part-w1-0-1.inprogress']);
    await expect(writer.write(['i'])).rejects.toThrow(new Error('FileSink: subtask 0 was aborted and writes no more'));
  });
});
