/**
 * What a source's or sink's failed system call becomes while the job runs: a SourceIOError or a
 * SinkIOError naming the operator, the path and the errno code, which the restart strategy may
 * restart; what is not the system's failure (a function's error, a wrong position) stays as it
 * was. The system's failures are injected where they happen, in Node's FileHandle (every file the
 * readers open is one), or made for real (a file deleted after the job started); the jobs that
 * restart on them: recovery/io-failure-restarts.test.ts.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SinkFunction } from '../host/api/sinks.ts';
import type { JobPlan } from '../host/graph/plan.ts';
import { InputGate } from '../host/runtime/input-gate.ts';
import { isRestartable } from '../host/runtime/restartable.ts';
import { SinkTask } from '../host/runtime/sink-task.ts';
import { FunctionWriter } from '../host/runtime/sinks/function-writer.ts';
import type { SinkWriter } from '../host/runtime/sinks/sink-writer.ts';
import type { SourceReader } from '../host/runtime/sources/source-reader.ts';
import { TextDirectoryReader } from '../host/runtime/sources/text-directory-reader.ts';
import { TextFileReader } from '../host/runtime/sources/text-file-reader.ts';
import { TextSourceReader } from '../host/runtime/sources/text-source-reader.ts';
import { StreamChannel } from '../host/runtime/stream-channel.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { SinkIOError, SourceIOError, systemErrorIn, UserFunctionError, type SystemError } from '../shared/errors/errors.ts';
import { directories } from './support/directories.ts';
import { failureOf } from './support/failure.ts';

const directory = directories('sluice-io-failure-');

/** An error as Node makes one for a failed system call. */
function systemError(code: string, syscall: string, message: string, path?: string): SystemError {
  return Object.assign(new Error(message), { errno: -1, code, syscall }, path === undefined ? {} : { path });
}

/** The prototype of Node's FileHandle, whose read() every text reader calls. */
async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await open(directory({}), 'r');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

type Read = (this: FileHandle, buffer: Buffer, offset: number, length: number, position: number) => Promise<{ bytesRead: number; buffer: Buffer }>;

/** Makes FileHandle.read() call `replacement` (given the real read) from now on. */
async function replaceReads(replacement: (real: Read, call: number, ...args: Parameters<Read>) => ReturnType<Read>): Promise<void> {
  const prototype = (await fileHandlePrototype()) as unknown as { read: Read };
  const real = prototype.read;
  let calls = 0;
  vi.spyOn(prototype, 'read').mockImplementation(function (this: FileHandle, ...args: Parameters<Read>) {
    return replacement.call(this, real, ++calls, ...args);
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The lines `reader` gives until it ends. */
async function linesOf(reader: SourceReader): Promise<string[]> {
  const lines: string[] = [];
  for (let batch = await reader.next(); batch !== null; batch = await reader.next()) lines.push(...(batch.values as string[]));
  return lines;
}

describe('a source whose read fails while the job runs', () => {
  const LINES = Array.from({ length: 12 }, (_, i) => `line ${i}`);

  it('fails with a SourceIOError naming the source, the file and the code; its checkpointed position reads exactly the rest', async () => {
    const path = join(directory({ 'in.txt': `${LINES.join('\n')}\n` }), 'in.txt');
    // Read 1 looks for a byte order mark; 16 bytes a read after it: the fourth read fails.
    await replaceReads(function (this: FileHandle, real, call, ...args) {
      if (call === 4) return Promise.reject(systemError('EIO', 'read', 'EIO: i/o error, read'));
      return real.apply(this, args);
    });
    const reader = new TextFileReader(path, 1, undefined, 'Source: lines', 16);
    const read: string[] = [];
    let position = reader.checkpoint().position;
    let error: unknown = null;
    for (;;) {
      error = await failureOf(reader.next().then((batch) => read.push(...(batch!.values as string[]))));
      if (error !== null) break;
      position = reader.checkpoint().position;
    }
    expect(error).toBeInstanceOf(SourceIOError);
    const failure = error as SourceIOError;
    expect([failure.operator, failure.path, failure.code, failure.syscall]).toEqual(['Source: lines', path, 'EIO', 'read']);
    expect(failure.message).toBe(`source 'Source: lines' failed reading ${path}: EIO: i/o error, read`);
    expect(read).toEqual(LINES.slice(0, 4));
    vi.restoreAllMocks();
    // What the restarted attempt reads from the last position checkpointed before the failure.
    expect(await linesOf(new TextFileReader(path, 5, position, 'Source: lines'))).toEqual(LINES.slice(read.length));
  });

  it('fails with a SourceIOError when its file was deleted after the job started, and when its directory was', async () => {
    const dir = directory({ 'a.txt': 'a\n', sub: null, 'sub/b.txt': 'b\n' });
    const file = join(dir, 'a.txt');
    rmSync(file);
    const fileError = await failureOf<SourceIOError>(Promise.resolve(new TextSourceReader(file, 10, undefined, 'Source: file').next()));
    expect(fileError).toBeInstanceOf(SourceIOError);
    expect(fileError!.message).toBe(
      `source 'Source: file' failed reading ${file}: ENOENT: no such file or directory, stat '${file}'; it is gone (a source's files must stay until it has read them)`,
    );
    const sub = join(dir, 'sub');
    rmSync(sub, { recursive: true });
    const directoryError = await failureOf<SourceIOError>(new TextDirectoryReader(sub, 10, null, 'Source: directory').next());
    expect(directoryError).toBeInstanceOf(SourceIOError);
    expect([directoryError!.operator, directoryError!.path, directoryError!.code, directoryError!.syscall]).toEqual(['Source: directory', sub, 'ENOENT', 'scandir']);
  });

  it('keeps an error that is not a failed system call as it was', async () => {
    const path = join(directory({ 'in.txt': 'x\n' }), 'in.txt');
    const odd = new Error('not the system');
    await replaceReads(() => Promise.reject(odd));
    expect(await failureOf(new TextFileReader(path, 1, undefined, 'Source: lines').next())).toBe(odd);
  });

  it('is no failure once the reader was cancelled (the job stopping closed its file)', async () => {
    const path = join(directory({ 'in.txt': 'x\n' }), 'in.txt');
    let fail!: () => void;
    const reading = new Promise<void>((resolve) => (fail = resolve));
    await replaceReads(async () => {
      await reading;
      throw systemError('EBADF', 'read', 'EBADF: bad file descriptor, read');
    });
    const reader = new TextFileReader(path, 1, undefined, 'Source: lines');
    const next = reader.next();
    reader.cancel();
    fail();
    expect(await next).toBeNull();
  });
});

/** A writer whose calls do nothing, or fail with what `fails` gives for them. */
class FailingWriter implements SinkWriter {
  constructor(private readonly fails: Partial<Record<'write' | 'commit' | 'preCommit', unknown>>) {}
  async open(): Promise<void> {}
  write(): void | Promise<void> {
    if (this.fails.write !== undefined) return Promise.reject(this.fails.write);
    return undefined;
  }
  async preCommit(): Promise<void> {
    if (this.fails.preCommit !== undefined) throw this.fails.preCommit;
  }
  checkpointState(): null {
    return null;
  }
  async commit(): Promise<void> {
    if (this.fails.commit !== undefined) throw this.fails.commit;
  }
  async endOfInput(): Promise<void> {}
  async abort(): Promise<void> {}
  async restart(): Promise<void> {}
}

/** A sink task over `writer`, its input one batch of records and then the barrier of checkpoint 1 and the end. */
function sinkTask(writer: SinkWriter, name = 'Sink: out'): SinkTask {
  const channel = new StreamChannel(1_000);
  void channel.put({ kind: 'records', batch: { length: 1, values: ['r'], keys: null, timestamps: null } });
  void channel.put({ kind: 'barrier', checkpointId: 1 });
  void channel.put({ kind: 'end' });
  return new SinkTask(new InputGate([channel]), writer, () => undefined, name);
}

describe('a sink whose write fails while the job runs', () => {
  it('fails with a SinkIOError naming the sink and the code: a write names no path', async () => {
    const enospc = systemError('ENOSPC', 'write', 'ENOSPC: no space left on device, write');
    const error = await failureOf<SinkIOError>(sinkTask(new FailingWriter({ write: enospc })).run());
    expect(error).toBeInstanceOf(SinkIOError);
    expect([error!.operator, error!.path, error!.code, error!.syscall, error!.cause]).toEqual(['Sink: out', null, 'ENOSPC', 'write', enospc]);
    expect(error!.message).toBe("sink 'Sink: out' failed writing: ENOSPC: no space left on device, write");
  });

  it('fails with a SinkIOError naming the file when a barrier\'s fsync or a commit\'s rename fails, keeping what the writer said it did', async () => {
    const eio = systemError('EIO', 'fsync', 'EIO: i/o error, fsync');
    expect((await failureOf(sinkTask(new FailingWriter({ preCommit: eio })).run()))?.toString()).toBe(
      "SinkIOError: sink 'Sink: out' failed writing: EIO: i/o error, fsync",
    );
    const rename = systemError('EDQUOT', 'rename', "EDQUOT: disk quota exceeded, rename '/out/.part-0-0.inprogress' -> '/out/part-0-0'", '/out/.part-0-0.inprogress');
    const wrapped = new Error('FileSink: cannot publish /out/part-0-0', { cause: rename });
    const error = await failureOf<SinkIOError>(sinkTask(new FailingWriter({ commit: wrapped })).writer.commit(1));
    expect(error).toBeInstanceOf(SinkIOError);
    expect([error!.path, error!.code]).toEqual(['/out/.part-0-0.inprogress', 'EDQUOT']);
    expect(error!.message).toBe(
      "sink 'Sink: out' failed writing /out/.part-0-0.inprogress: EDQUOT: disk quota exceeded, rename '/out/.part-0-0.inprogress' -> '/out/part-0-0' " +
        '(FileSink: cannot publish /out/part-0-0)',
    );
  });

  it('keeps what is not a failed system call as it was: a plain error, and a function\'s failure whatever caused it', async () => {
    const plain = new Error('FileSink: will not replace /out/part-0-0');
    expect(await failureOf(sinkTask(new FailingWriter({ write: plain })).run())).toBe(plain);
    const encoder = new UserFunctionError({
      operator: 'Sink: out',
      functionName: 'encoder',
      record: '1',
      workerStack: '',
      causeName: 'Error',
      causeMessage: 'EIO: i/o error, read',
    });
    Object.assign(encoder, { cause: systemError('EIO', 'read', 'EIO: i/o error, read') });
    expect(await failureOf(sinkTask(new FailingWriter({ commit: encoder })).writer.commit(1))).toBe(encoder);
  });

  it('leaves a SinkFunction\'s writer as it is (its function\'s errors follow its failure policy), and a writer that writes at once synchronous', () => {
    const fn = { invoke: () => undefined } as unknown as SinkFunction<unknown>;
    const functionWriter = new FunctionWriter(fn, false);
    expect(sinkTask(functionWriter).writer).toBe(functionWriter);
    expect(sinkTask(new FailingWriter({})).writer.write(['r'])).toBeUndefined();
  });
});

describe('which I/O failures restart', () => {
  const plan: JobPlan = { stages: [], configuredMaxParallelism: null, batch: false };
  const config = new Configuration();

  it('a SourceIOError and a SinkIOError are restartable; the system error alone, outside a source or sink, is not', () => {
    const eio = systemError('EIO', 'read', 'EIO: i/o error, read');
    expect(isRestartable(new SourceIOError('Source: s', '/in', eio), plan, config)).toBe(true);
    expect(isRestartable(new SinkIOError('Sink: s', systemError('ENOSPC', 'write', 'ENOSPC: no space left on device, write')), plan, config)).toBe(true);
    expect(isRestartable(eio, plan, config)).toBe(false);
  });

  it('a system error is found through the causes of errors that wrap it, never in a Sluice error, and needs an errno code and a call', () => {
    const eio = systemError('EIO', 'read', 'EIO: i/o error, read');
    expect(systemErrorIn(new Error('reading', { cause: new Error('deeper', { cause: eio }) }))).toBe(eio);
    expect(systemErrorIn(new SourceIOError('Source: s', '/in', eio))).toBeNull();
    expect(systemErrorIn(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeNull();
    expect(systemErrorIn(Object.assign(new Error('x'), { code: 'ERR_STREAM_DESTROYED', syscall: 'write' }))).toBeNull();
    expect(systemErrorIn('EIO')).toBeNull();
  });
});
