/**
 * A FileSource across failures and resumes: its position (the file being read, the byte offset
 * of its next line, the files queued after it, and for a continuous source every path it has
 * seen) comes back from a checkpoint, so that no line is lost or read twice.
 *
 * - A bounded FileSource through a keyed running count, its worker killed once a checkpoint has
 *   completed while files are still being read: the output is exactly the failure-free one.
 * - A continuous FileSource resumed from a retained checkpoint: the files it had read are not
 *   read again (though they were rewritten and touched meanwhile); files added later are.
 *
 * Sinks are exactly-once here (checkpointing is on): they receive a record once a checkpoint
 * covering it has completed, so a record at the sink proves a completed checkpoint; the tests
 * wait for what the sink has seen, never for a time.
 */
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addLogSink,
  FileSource,
  JobCancelledError,
  MapFunction,
  StreamFormat,
  ValueStateDescriptor,
  WatermarkStrategy,
  type JobClient,
  type RuntimeContext,
  type ValueState,
} from '../../host/index.ts';
import { checkpointDirName, loadCheckpoint } from '../../host/checkpoint/checkpoint-storage.ts';
import { hostLog } from '../../host/log.ts';
import { CallbackSink, environment } from '../support/jobs.ts';
import { RESTART_ONCE } from './checkpoint-gate.ts';

const KEYS = 7;
/** The lines of the bounded test's first file. */
const A_LINES = 300;

/**
 * Per key (the line's number modulo KEYS), how many lines it has had, in a ValueState: [line,
 * count]. Paced, it takes a millisecond per line in the job's first attempt (as Paced does at
 * its source): the input then lasts seconds, however busy the machine, so that checkpoints
 * complete while files are still being read.
 */
class CountPerKey extends MapFunction<string, [string, number]> {
  private count!: ValueState<number>;
  private paced = false;
  constructor(private readonly paceFirstAttempt = false) {
    super();
  }
  override open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
    this.paced = this.paceFirstAttempt && ctx.getAttemptNumber() === 0;
  }
  async map(line: string): Promise<[string, number]> {
    if (this.paced) await new Promise((resolve) => setTimeout(resolve, 1));
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    return [line, n];
  }
}

function keyOf(line: string): number {
  return Number(line.split(':')[1]) % KEYS;
}

/** What CountPerKey makes of `lines` in one uninterrupted run. */
function counted(lines: readonly string[]): [string, number][] {
  const counts = new Array<number>(KEYS).fill(0);
  return lines.map((line) => [line, ++counts[keyOf(line)]!]);
}

/** `count` lines "<name>:<n>", n from `first`. */
function lines(name: string, first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${name}:${first + i}`);
}

/** Writes `content` under a hidden name next to `path`, then renames it to `path`: it appears whole. */
function publish(path: string, content: string): void {
  const hidden = join(dirname(path), `.${basename(path)}.inprogress`);
  writeFileSync(hidden, content);
  renameSync(hidden, path);
}

/** The lines a sink has received, and promises that resolve when it has received so many. */
class Received<T> {
  readonly values: T[] = [];
  private readonly waiting: { count: number; resolve: () => void }[] = [];

  add(value: T): void {
    this.values.push(value);
    for (const w of this.waiting.filter((w) => this.values.length >= w.count)) {
      this.waiting.splice(this.waiting.indexOf(w), 1);
      w.resolve();
    }
  }

  reach(count: number): Promise<void> {
    if (this.values.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ count, resolve }));
  }
}

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a bounded FileSource restarts from its checkpointed file and offset: the output is exactly the failure-free one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-file-recovery-'));
    dirs.push(dir);
    const input = join(dir, 'in');
    mkdirSync(join(input, 'b'), { recursive: true });
    // 4,000 lines in four files, two of them in a subdirectory; read in this order (by name).
    const files: [string, string[]][] = [
      [join(input, 'a.txt'), lines('a', 0, A_LINES)],
      [join(input, 'b', 'b1.txt'), lines('b1', 300, 1200)],
      [join(input, 'b', 'b2.txt'), lines('b2', 1500, 1200)],
      [join(input, 'c.txt'), lines('c', 2700, 1300)],
    ];
    for (const [path, content] of files) writeFileSync(path, `${content.join('\n')}\n`);
    const all = files.flatMap(([, content]) => content);

    // What each restart restored. The job discards its checkpoints when it finishes: the one a
    // restart restores is copied as it starts.
    const restartedFrom: string[] = [];
    const watchRestarts = addLogSink((r) => {
      const restart = /restart \d+ .* from (checkpoint (\d+)|the start)/.exec(r.message);
      if (restart === null) return;
      restartedFrom.push(restart[1]!);
      if (restart[2] === undefined) return;
      const name = checkpointDirName(Number(restart[2]));
      cpSync(join(dir, 'chk', name), join(dir, 'restored', name), { recursive: true });
    });
    const env = environment(mode, {
      ...RESTART_ONCE,
      // 50 lines per chunk: checkpoints fall mid-file, between chunks.
      'udf.arrow.batch.size': 50,
      'state.checkpoints.dir': join(dir, 'chk'),
      'state.checkpoints.num-retained': 1000,
    });
    let client!: JobClient;
    let killed = false;
    const out: [string, number][] = [];
    env
      .fromSource(FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), input).build(), WatermarkStrategy.noWatermarks(), 'Files')
      .uid('files')
      .keyBy(keyOf)
      .map(new CountPerKey(true))
      .uid('count')
      .addSink(
        new CallbackSink<[string, number]>((v) => {
          out.push(v);
          // Records out: a checkpoint covering them has completed. Once a.txt is all out, the
          // worker dies, the source somewhere past a.txt (in b1.txt or later), mid-input.
          if (killed || out.length <= A_LINES) return;
          killed = true;
          const victim = client.workers()[0]!;
          if (victim.handle.pid !== undefined) process.kill(victim.handle.pid, 'SIGKILL');
          else victim.handle.kill();
        }),
      );
    client = env.executeAsync('file source recovery');
    const result = await client.getJobExecutionResult().finally(watchRestarts);

    expect(killed).toBe(true);
    expect(result.restarts).toBe(1);
    expect(restartedFrom).toHaveLength(1);
    const restored = /^checkpoint (\d+)$/.exec(restartedFrom[0]!);
    expect(restored).not.toBeNull();
    // The checkpoint restored had the source past a.txt, mid-input: a file being read, or more queued.
    const checkpoint = await loadCheckpoint(join(dir, 'restored', checkpointDirName(Number(restored![1]))), hostLog);
    const [source] = Object.values(checkpoint.sources).flat();
    expect(source?.done).toBe(false);
    const position = source?.position as { file: string | null; queued: string[]; seen: null };
    const left = [...(position.file === null ? [] : [position.file]), ...position.queued];
    expect(left.length).toBeGreaterThan(0);
    expect(left).toEqual(files.map(([path]) => path).slice(files.length - left.length));
    expect(left).not.toContain(files[0]![0]);
    expect(position.seen).toBeNull();
    expect(out.length).toBe(all.length);
    expect(out).toEqual(counted(all));
  });

  it('a continuous FileSource resumed from a retained checkpoint reads only the files it had not seen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-file-resume-'));
    dirs.push(dir);
    const watched = join(dir, 'in');
    mkdirSync(join(watched, 'sub'), { recursive: true });
    const chk = join(dir, 'chk');
    const a = lines('a', 0, 300);
    const s = lines('s', 300, 200);
    writeFileSync(join(watched, 'a.txt'), `${a.join('\n')}\n`);
    writeFileSync(join(watched, 'sub', 's.txt'), s.join('\n'));

    const build = (settings: Record<string, unknown>, received: Received<[string, number]>) => {
      const env = environment(mode, {
        'udf.arrow.batch.size': 50,
        'execution.checkpointing.interval': 50,
        'state.checkpoints.dir': chk,
        'state.checkpoints.num-retained': 2,
        ...settings,
      });
      env
        .fromSource(
          FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), watched).monitorContinuously(50).build(),
          WatermarkStrategy.noWatermarks(),
          'Watched',
        )
        .uid('files')
        .keyBy(keyOf)
        .map(new CountPerKey())
        .uid('count')
        .addSink(new CallbackSink<[string, number]>((v) => received.add(v)));
      return env;
    };

    // First run: the files there at its start, and one added while it runs.
    const first = new Received<[string, number]>();
    const firstClient = build({}, first).executeAsync('watched');
    await first.reach(a.length + s.length);
    const b = lines('b', 500, 100);
    publish(join(watched, 'b.txt'), b.join('\n'));
    await first.reach(a.length + s.length + b.length);
    // Every line out: a checkpoint that had read all three files completed, and is retained.
    await firstClient.cancel();
    await expect(firstClient.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
    expect(first.values).toEqual(counted([...a, ...s, ...b]));

    // Between the runs: files read already are rewritten or touched; a new one appears.
    writeFileSync(join(watched, 'a.txt'), `${a.join('\n')}\na:9999\n`);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(watched, 'sub', 's.txt'), later, later);
    writeFileSync(join(watched, 'b.txt'), b.join('\n'));
    const c = lines('c', 600, 100);
    publish(join(watched, 'c.txt'), c.join('\n'));

    // Second run, from the directory's newest checkpoint.
    const second = new Received<[string, number]>();
    const secondClient = build({ 'execution.savepoint.path': chk }, second).executeAsync('watched, resumed');
    await second.reach(c.length);
    // A file in a directory that sorts after every file read before: read as well.
    mkdirSync(join(watched, 'z'), { recursive: true });
    const z = lines('z', 700, 100);
    publish(join(watched, 'z', 'z.txt'), z.join('\n'));
    await second.reach(c.length + z.length);
    await secondClient.cancel();
    await expect(secondClient.getJobExecutionResult()).rejects.toBeInstanceOf(JobCancelledError);
    // The counts go on from the checkpoint's state: both runs together are one run over a, s, b, c, z.
    expect([...first.values, ...second.values]).toEqual(counted([...a, ...s, ...b, ...c, ...z]));
  });
});
