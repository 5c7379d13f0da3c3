/**
 * A source's read or a sink's write that the system refuses while the job runs restarts the job
 * through its restart strategy, as a worker's failure does (and as Flink fails over any task):
 *
 * - a FileSource whose read of its file fails once with EIO, after a checkpoint taken mid-file,
 *   restarts from that checkpoint and delivers exactly the failure-free output, one restart;
 * - under restart-strategy none, the same failure fails the job with the SourceIOError, naming
 *   the source and the file;
 * - a file sink whose write fails once with ENOSPC, after a checkpoint, restarts and its
 *   committed files hold every record once.
 *
 * The failures are injected in Node's FileHandle, whose read() and write() every source reader
 * and the file sink call (as the real errors would come from there), each once, at a point a
 * checkpoint has been completed before; the tests wait for checkpoints, never for a time.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FileSink,
  FileSource,
  SourceFunction,
  SourceIOError,
  StreamFormat,
  WatermarkStrategy,
} from '../../host/index.ts';
import type { SystemError } from '../../shared/errors/errors.ts';
import { failureOf } from '../support/failure.ts';
import { collect, environment } from '../support/jobs.ts';
import { CheckpointGate, RESTART_ONCE } from './checkpoint-gate.ts';

/** A size that takes the text reader more than one read: 256 KiB is its read size. */
const READ_SIZE = 256 * 1024;
/** Lines of 64 bytes: the file is two and a half reads long. */
const LINES = Array.from({ length: 10_000 }, (_, i) => `${i}:`.padEnd(63, 'x'));

function systemError(code: string, syscall: string, message: string): SystemError {
  return Object.assign(new Error(message), { errno: -1, code, syscall });
}

type FileHandleMethods = Record<'read' | 'write', (this: FileHandle, ...args: unknown[]) => Promise<unknown>>;

/** The prototype of Node's FileHandle (found through a handle on `path`). */
async function fileHandlePrototype(path: string): Promise<FileHandleMethods> {
  const handle = await open(path, 'r');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandleMethods;
}

/** 0, 1, …, count-1; before `pauseAt`, it waits (once) for a checkpoint, then calls `paused`. */
class PausingSource extends SourceFunction<number> {
  private next = 0;
  constructor(
    private readonly count: number,
    private readonly pauseAt: number,
    private readonly gate: CheckpointGate,
    private readonly paused: () => void,
  ) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    while (this.next < this.count) {
      if (this.next === this.pauseAt) {
        await this.gate.wait();
        this.paused();
      }
      yield this.next++;
    }
  }
  override snapshotState(): number {
    return this.next;
  }
  override restoreState(state: unknown): void {
    this.next = typeof state === 'number' ? state : 0;
  }
}

/** The lines of every committed (not hidden) file under `dir`, subdirectories included. */
function committedLines(dir: string): string[] {
  const lines: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) lines.push(...committedLines(path));
    else lines.push(...readFileSync(path, 'utf8').split('\n').filter((l) => l !== ''));
  }
  return lines;
}

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  const dirs: string[] = [];
  const gates: CheckpointGate[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const gate of gates.splice(0)) gate.remove();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function input(): string {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-io-failure-'));
    dirs.push(dir);
    const path = join(dir, 'in.txt');
    writeFileSync(path, `${LINES.join('\n')}\n`);
    return path;
  }

  /**
   * The job: the file's lines through a map in a worker into a collecting sink. Its source's
   * second read of the file (a whole read in, so mid-file) waits for a checkpoint when
   * `checkpointFirst`, and fails with EIO, once.
   */
  async function fileJob(path: string, settings: Record<string, unknown>, checkpointFirst: boolean) {
    const gate = new CheckpointGate();
    gates.push(gate);
    const prototype = await fileHandlePrototype(path);
    const read = prototype.read;
    let failed = false;
    /** Where the whole reads after the failure began. */
    const readsAfter: number[] = [];
    vi.spyOn(prototype, 'read').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
      const [, , length, position] = args as [Buffer, number, number, number];
      if (failed && length === READ_SIZE) readsAfter.push(position);
      if (!failed && length === READ_SIZE && position > 0) {
        failed = true;
        if (checkpointFirst) await gate.wait();
        throw systemError('EIO', 'read', 'EIO: i/o error, read');
      }
      return read.apply(this, args);
    });
    const env = environment(mode, { 'udf.arrow.batch.size': 500, ...settings });
    const out = collect(
      env
        .fromSource(FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), path).build(), WatermarkStrategy.noWatermarks(), 'Files')
        .map((line: string) => Number(line.split(':')[0])),
    );
    return { gate, out, readsAfter, run: () => env.execute('io failure'), wasInjected: () => failed };
  }

  it('a FileSource whose read fails once with EIO restarts from its checkpoint mid-file: exactly the failure-free output, one restart', async () => {
    const path = input();
    const job = await fileJob(path, RESTART_ONCE, true);
    const result = await job.run();
    expect(job.wasInjected()).toBe(true);
    expect(result.restarts).toBe(1);
    expect(result.restartCauses).toEqual([`SourceIOError: source 'Source: Files' failed reading ${path}: EIO: i/o error, read`]);
    // Restored from the checkpoint the failing read waited for, not from the start.
    expect(job.gate.restartedFrom).toHaveLength(1);
    expect(job.gate.restartedFrom[0]).toMatch(/^checkpoint \d+$/);
    // The checkpoint holds the offset after the last chunk the source returned before the read
    // that failed: 4,000 lines of 64 bytes (chunks of 500; the other 96 lines of the first read
    // were not yet returned). The restarted source reads on from there, mid-file.
    expect(job.readsAfter[0]).toBe(4_000 * 64);
    expect(job.out).toEqual(LINES.map((_, i) => i));
  });

  it('with restart-strategy none, the job fails with the SourceIOError naming the source and the file', async () => {
    const path = input();
    const job = await fileJob(path, { 'execution.checkpointing.interval': 50, 'restart-strategy.type': 'none' }, false);
    const error = await failureOf<SourceIOError>(job.run());
    expect(error).toBeInstanceOf(SourceIOError);
    expect([error!.operator, error!.path, error!.code, error!.message]).toEqual([
      'Source: Files',
      path,
      'EIO',
      `source 'Source: Files' failed reading ${path}: EIO: i/o error, read`,
    ]);
    expect(job.gate.restartedFrom).toEqual([]);
  });

  it('a file sink whose write fails once with ENOSPC restarts: its committed files hold every record once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-io-failure-sink-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'probe'), '');
    const prototype = await fileHandlePrototype(join(dir, 'probe'));
    rmSync(join(dir, 'probe'));
    const write = prototype.write;
    // Armed once a checkpoint holds the first half: the sink's next write fails.
    let armed = false;
    let failed = false;
    vi.spyOn(prototype, 'write').mockImplementation(async function (this: FileHandle, ...args: unknown[]) {
      if (armed && !failed) {
        failed = true;
        throw systemError('ENOSPC', 'write', 'ENOSPC: no space left on device, write');
      }
      return write.apply(this, args);
    });
    const gate = new CheckpointGate();
    gates.push(gate);
    const N = 2000;
    const env = environment(mode, { ...RESTART_ONCE, 'udf.arrow.batch.size': 100 });
    env
      .addSource(new PausingSource(N, N / 2, gate, () => (armed = true)), 'Numbers')
      .map((x: number) => x * 10)
      .sinkTo(FileSink.forRowFormat(join(dir, 'out')));
    const result = await env.execute('sink io failure');

    expect(failed).toBe(true);
    expect(result.restarts).toBe(1);
    // The part file it was writing: in the hour's bucket, named by the writer's id, subtask 0.
    const partFile = String.raw`\d{4}-\d{2}-\d{2}--\d{2}/\.part-[0-9a-f-]{36}-0-\d+\.inprogress`;
    expect(result.restartCauses[0]).toMatch(
      new RegExp(`^SinkIOError: sink 'Sink: File Sink' failed writing ${dir}/out/${partFile}: ENOSPC: no space left on device, write$`),
    );
    expect(gate.restartedFrom).toHaveLength(1);
    expect(gate.restartedFrom[0]).toMatch(/^checkpoint \d+$/);
    const lines = committedLines(join(dir, 'out')).map(Number);
    expect(lines.sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i * 10));
  });
});
