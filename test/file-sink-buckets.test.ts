/**
 * A file sink's buckets, on a FileWriter driven by hand with a clock the test moves: each
 * record goes into the directory its bucket assigner names (a custom one by the record, the
 * date-time one by the processing time, which is also the default), each bucket with its own
 * in-progress part file, counter and rolling; a barrier seals the open files of every bucket and
 * the checkpoint's completion commits them all. A bucket id that is no relative path under the
 * base path, or an assigner that throws, fails the write before anything is written.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BucketAssigner, FileSink, RollingPolicy, WatermarkStrategy, type BucketAssignerContext } from '../host/index.ts';
import { FileWriter } from '../host/runtime/sinks/file-writer.ts';
import { environment } from './support/jobs.ts';
import { ManualClock } from './support/manual-clock.ts';
import { finishedPartFiles, hiddenFiles } from './support/part-files.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-buckets-'));
  dirs.push(dir);
  return dir;
}

const DAY = 86_400_000;

/** Numbers by their remainder modulo 3, under "mod/": a nested bucket id. */
class ByRemainder extends BucketAssigner<number> {
  getBucketId(n: number): string {
    return `mod/${n % 3}`;
  }
}

function writerOf(sink: FileSink<unknown>, clock = new ManualClock(), id = 'w1'): FileWriter {
  return new FileWriter(sink, 0, null, { clock, id });
}

describe('a custom bucket assigner', () => {
  it('puts each record into its bucket, each bucket with its own part files, counter and rolling', async () => {
    const dir = tempDir();
    // 2-byte lines and a part size of 3: a file takes two records.
    const sink = FileSink.forRowFormat<number>(dir)
      .withBucketAssigner(new ByRemainder())
      .withRollingPolicy(RollingPolicy.defaultRollingPolicy(3, DAY, DAY))
      .build();
    const writer = writerOf(sink as FileSink<unknown>);
    await writer.open();
    await writer.write([1, 2, 3, 4, 5, 6, 7]);
    // In the order they were opened: 7 rolled bucket 1's first file.
    expect(writer.openFiles).toEqual([
      join(dir, 'mod', '2', '.part-w1-0-0.inprogress'),
      join(dir, 'mod', '0', '.part-w1-0-0.inprogress'),
      join(dir, 'mod', '1', '.part-w1-0-1.inprogress'),
    ]);
    await writer.preCommit(1);
    // The file rolled before the barrier, then every bucket's open file.
    expect(writer.checkpointState(1)).toEqual({
      files: ['1/.part-w1-0-0', '2/.part-w1-0-0', '0/.part-w1-0-0', '1/.part-w1-0-1'].map((f) => {
        const [bucket, name] = f.split('/') as [string, string];
        return { temp: join(dir, 'mod', bucket, `${name}.inprogress`), final: join(dir, 'mod', bucket, name.slice(1)) };
      }),
      writer: 'w1',
    });
    await writer.write([8]);
    await writer.commit(1);
    expect(finishedPartFiles(dir)).toEqual({
      'mod/0/part-w1-0-0': '3\n6\n',
      'mod/1/part-w1-0-0': '1\n4\n',
      'mod/1/part-w1-0-1': '7\n',
      'mod/2/part-w1-0-0': '2\n5\n',
    });
    expect(hiddenFiles(dir)).toEqual(['mod/2/.part-w1-0-1.inprogress']);
    await writer.endOfInput();
    await writer.commit(Infinity);
    expect(finishedPartFiles(dir)['mod/2/part-w1-0-1']).toBe('8\n');
  });

  it('is asked with the processing time, the watermark and the record’s timestamp', async () => {
    const dir = tempDir();
    const seen: [unknown, number, number, number | null][] = [];
    const sink = FileSink.forRowFormat(dir).withBucketAssigner({
      getBucketId(element: unknown, context: BucketAssignerContext): string {
        seen.push([element, context.currentProcessingTime(), context.currentWatermark(), context.timestamp()]);
        return 'all';
      },
    });
    const clock = new ManualClock(1000);
    const writer = writerOf(sink, clock);
    await writer.open();
    await writer.write(['a']);
    writer.watermark(40);
    clock.setTime(2000);
    await writer.write(['b', 'c'], [45, null]);
    await writer.abort();
    expect(seen).toEqual([
      ['a', 1000, -Infinity, null],
      ['b', 2000, 40, 45],
      ['c', 2000, 40, null],
    ]);
  });

  it.each<[string, unknown, string]>([
    ['an empty id', '', 'getBucketId gave the bucket id "", which is empty (BucketAssigner.basePathBucketAssigner() writes into the base path itself)'],
    ['a parent directory', 'a/../../b', 'getBucketId gave the bucket id "a/../../b", which contains \'..\' (a bucket stays under the base path)'],
    ['an absolute path', '/tmp/x', 'getBucketId gave the bucket id "/tmp/x", which is an absolute path (a bucket id is a path relative to the base path)'],
    ['a doubled slash', 'a//b', 'getBucketId gave the bucket id "a//b", which has an empty or \'.\' directory name (a leading, trailing or doubled \'/\', or \'.\')'],
    ['a backslash', 'a\\b', 'getBucketId gave the bucket id "a\\\\b", which contains \'\\\' (directories in a bucket id are separated by \'/\')'],
    ['a number', 7, 'getBucketId gave 7, which is no string'],
  ])('refuses %s, writing nothing of the batch', async (_, id, message) => {
    const dir = tempDir();
    const failures: unknown[] = [];
    const sink = FileSink.forRowFormat(dir).withBucketAssigner({ getBucketId: (v: unknown) => (v === 'bad' ? (id as string) : 'good') });
    const writer = new FileWriter(sink as FileSink<unknown>, 0, null, {
      clock: new ManualClock(),
      assignerFailure: (thrown, record) => (failures.push(record), thrown),
    });
    await writer.open();
    await expect(writer.write(['fine', 'bad'])).rejects.toThrow(new Error(message));
    expect(failures).toEqual([{ value: 'bad' }]);
    expect(readdirSync(dir)).toEqual([]);
    await writer.abort();
  });

  it('that throws fails the write with what the assigner failure makes of it, before anything is written', async () => {
    const dir = tempDir();
    const sink = FileSink.forRowFormat(dir).withBucketAssigner({
      getBucketId(v: unknown): string {
        if (v === 2) throw new RangeError('no bucket for 2');
        return 'b';
      },
    });
    const writer = new FileWriter(sink as FileSink<unknown>, 0, null, {
      clock: new ManualClock(),
      assignerFailure: (thrown, record) => new Error(`wrapped ${(thrown as Error).message} for ${String(record.value)}`),
    });
    await writer.open();
    await expect(writer.write([1, 2, 3])).rejects.toThrow(new Error('wrapped no bucket for 2 for 2'));
    expect(existsSync(join(dir, 'b'))).toBe(false);
    await writer.abort();
  });
});

describe('the date-time bucket assigner', () => {
  it('puts what is written in an hour into that hour’s bucket, each bucket numbering its files from 0', async () => {
    const dir = tempDir();
    const sink = FileSink.forRowFormat(dir).withBucketAssigner(BucketAssigner.dateTimeBucketAssigner('yyyy-MM-dd--HH', 'UTC'));
    const clock = new ManualClock(Date.UTC(2026, 10, 25, 3, 59, 59, 999));
    const writer = writerOf(sink, clock);
    await writer.open();
    await writer.write(['a', 'b']);
    clock.setTime(Date.UTC(2026, 10, 25, 4));
    await writer.write(['c']);
    await writer.endOfInput();
    await writer.commit(Infinity);
    expect(finishedPartFiles(dir)).toEqual({ '2026-11-25--03/part-w1-0-0': 'a\nb\n', '2026-11-25--04/part-w1-0-0': 'c\n' });
  });

  it('is the default: an hour a bucket in the machine’s time zone', async () => {
    const dir = tempDir();
    const time = Date.UTC(2026, 10, 25, 3, 7);
    const writer = writerOf(FileSink.forRowFormat(dir) as FileSink<unknown>, new ManualClock(time));
    await writer.open();
    await writer.write(['a']);
    await writer.endOfInput();
    await writer.commit(Infinity);
    const local = new Date(time);
    const two = (n: number): string => String(n).padStart(2, '0');
    const hour = `${local.getFullYear()}-${two(local.getMonth() + 1)}-${two(local.getDate())}--${two(local.getHours())}`;
    expect(finishedPartFiles(dir)).toEqual({ [`${hour}/part-w1-0-0`]: 'a\n' });
  });
});

describe('rolling by time, per bucket', () => {
  it('closes an idle bucket’s file at a bucket check and keeps a busy one’s open', async () => {
    const dir = tempDir();
    const sink = FileSink.forRowFormat<string>(dir)
      .withBucketAssigner({ getBucketId: (v: string) => v.slice(0, 1) })
      .withRollingPolicy(RollingPolicy.defaultRollingPolicy(1024, DAY, 100))
      .withBucketCheckInterval(80);
    const clock = new ManualClock();
    const writer = writerOf(sink as FileSink<unknown>, clock);
    await writer.open();
    await writer.write(['a1', 'b1']);
    expect(clock.due).toEqual([80]);
    clock.advanceTo(80);
    await writer.write(['b2']);
    clock.advanceTo(160);
    await writer.write([]);
    // At 160, a had been idle 160 ms, b 80 ms.
    expect(writer.openFiles).toEqual([join(dir, 'b', '.part-w1-0-0.inprogress')]);
    expect(clock.due).toEqual([240]);
    await writer.write(['a2']);
    expect(writer.openFiles).toEqual([join(dir, 'b', '.part-w1-0-0.inprogress'), join(dir, 'a', '.part-w1-0-1.inprogress')]);
    await writer.endOfInput();
    await writer.commit(Infinity);
    expect(finishedPartFiles(dir)).toEqual({
      'a/part-w1-0-0': 'a1\n',
      'a/part-w1-0-1': 'a2\n',
      'b/part-w1-0-0': 'b1\nb2\n',
    });
  });

  it('an abort deletes the open file of every bucket and those rolled since the last barrier', async () => {
    const dir = tempDir();
    const sink = FileSink.forRowFormat<number>(dir)
      .withBucketAssigner(new ByRemainder())
      .withRollingPolicy(RollingPolicy.defaultRollingPolicy(3, DAY, DAY));
    const writer = writerOf(sink as FileSink<unknown>);
    await writer.open();
    await writer.write([0, 1]);
    await writer.preCommit(1);
    await writer.write([2, 5, 8, 3]);
    expect(hiddenFiles(dir)).toEqual([
      'mod/0/.part-w1-0-0.inprogress',
      'mod/0/.part-w1-0-1.inprogress',
      'mod/1/.part-w1-0-0.inprogress',
      'mod/2/.part-w1-0-0.inprogress',
      'mod/2/.part-w1-0-1.inprogress',
    ]);
    await writer.abort();
    expect(hiddenFiles(dir)).toEqual(['mod/0/.part-w1-0-0.inprogress', 'mod/1/.part-w1-0-0.inprogress']);
  });
});

describe('a bucket assigner in a running job', () => {
  it.each(['process', 'embedded'] as const)('%s mode: is given each record’s timestamp as it crossed the job', async (mode) => {
    const dir = tempDir();
    /** Records by their timestamp's second. */
    class BySecond extends BucketAssigner<number> {
      getBucketId(_n: number, context: BucketAssignerContext): string {
        const timestamp = context.timestamp();
        return timestamp === null ? 'none' : `s${Math.floor(timestamp / 1000)}`;
      }
    }
    const env = environment(mode);
    env
      .fromCollection([1, 2, 3, 1500, 2500, 2600])
      .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((n) => n))
      .map((n: number) => n * 2)
      .sinkTo(FileSink.forRowFormat(dir).withBucketAssigner(new BySecond()).build());
    await env.execute('timestamps to buckets');
    expect(finishedPartFiles(dir)).toEqual({ 's0/part-<id>-0-0': '2\n4\n6\n', 's1/part-<id>-0-0': '3000\n', 's2/part-<id>-0-0': '5000\n5200\n' });
  });
});

describe('a commit that fails part-way', () => {
  it('is tried again with the files it had left: none is renamed twice', async () => {
    const dir = tempDir();
    const sink = FileSink.forRowFormat<number>(dir).withBucketAssigner(new ByRemainder()).build();
    const writer = writerOf(sink as FileSink<unknown>);
    await writer.open();
    await writer.write([0, 1, 3]);
    await writer.preCommit(1);
    // Bucket 0's file is renamed first; bucket 1's rename is refused (its file gone for now).
    const [first, second] = (writer.checkpointState(1) as { files: { temp: string }[] }).files.map((f) => f.temp) as [string, string];
    expect([first, second]).toEqual([join(dir, 'mod', '0', '.part-w1-0-0.inprogress'), join(dir, 'mod', '1', '.part-w1-0-0.inprogress')]);
    const held = readFileSync(second, 'utf8');
    rmSync(second);
    await expect(writer.commit(1)).rejects.toMatchObject({ code: 'ENOENT', syscall: 'rename' });
    writeFileSync(second, held);
    await writer.commit(1);
    expect(finishedPartFiles(dir)).toEqual({ 'mod/0/part-w1-0-0': '0\n3\n', 'mod/1/part-w1-0-0': '1\n' });
    expect(hiddenFiles(dir)).toEqual([]);
  });
});
