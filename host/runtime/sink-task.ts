/**
 * One parallel instance of a sink: reads its gate and writes through its SinkWriter.
 *
 * The writer the task holds (and the attempt commits, restarts and aborts through) makes what its
 * system calls refused while the job ran (ENOSPC, EDQUOT, EIO, a rename or an fsync that failed)
 * a SinkIOError naming the sink, the path and the errno code, which the restart strategy may
 * restart (restartable.ts), as Flink fails a task over whose write failed. A SinkFunction's
 * writer is held as it is: what its function throws is the function's failure, under its
 * failure policy (and the attempt tells that writer apart by its class).
 */
import { SinkIOError, SluiceError, systemErrorIn } from '../../shared/errors/errors.ts';
import type { InputGate } from './input-gate.ts';
import { FunctionWriter } from './sinks/function-writer.ts';
import type { SinkWriter } from './sinks/sink-writer.ts';

export class SinkTask {
  /** Records received. */
  received = 0;
  readonly writer: SinkWriter;

  constructor(
    private readonly gate: InputGate,
    writer: SinkWriter,
    /** Called when the barrier of a checkpoint has reached this sink, after the pre-commit. */
    private readonly onBarrier: (checkpointId: number, state: unknown) => void,
    /** The sink's name, for its errors; empty when not given. */
    name = '',
  ) {
    this.writer = writer instanceof FunctionWriter ? writer : new IOFailureNamingWriter(writer, name);
  }

  async run(): Promise<void> {
    await this.writer.open();
    for (;;) {
      const element = this.gate.poll();
      if (element === null) {
        await this.gate.available();
        continue;
      }
      switch (element.kind) {
        case 'records': {
          this.received += element.batch.length;
          const p = this.writer.write(element.batch.values, element.batch.timestamps);
          if (p !== undefined) await p;
          break;
        }
        case 'watermark':
          this.writer.watermark?.(element.timestamp);
          break;
        case 'status':
          break;
        case 'barrier':
          await this.writer.preCommit(element.checkpointId);
          this.onBarrier(element.checkpointId, this.writer.checkpointState(element.checkpointId));
          break;
        case 'end':
          await this.writer.endOfInput();
          return;
      }
    }
  }
}

/** `writer`, what its system calls refused made SinkIOErrors; abort() (the attempt already failed) as it is. */
class IOFailureNamingWriter implements SinkWriter {
  constructor(
    private readonly writer: SinkWriter,
    private readonly name: string,
  ) {}

  open(): Promise<void> {
    return this.named(() => this.writer.open());
  }

  write(values: readonly unknown[], timestamps?: readonly (number | null)[] | null): void | Promise<void> {
    let p: void | Promise<void>;
    try {
      p = this.writer.write(values, timestamps);
    } catch (error) {
      throw this.failure(error);
    }
    // A writer that finished at once (print, collect) stays synchronous: no promise per batch.
    if (p === undefined) return undefined;
    const writing = p;
    return this.named(() => writing);
  }

  preCommit(checkpointId: number): Promise<void> {
    return this.named(() => this.writer.preCommit(checkpointId));
  }

  watermark(timestamp: number): void {
    this.writer.watermark?.(timestamp);
  }

  checkpointState(checkpointId: number): unknown {
    return this.writer.checkpointState(checkpointId);
  }

  commit(checkpointId: number): Promise<void> {
    return this.named(() => this.writer.commit(checkpointId));
  }

  endOfInput(): Promise<void> {
    return this.named(() => this.writer.endOfInput());
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }

  restart(checkpointId: number): Promise<void> {
    return this.named(() => this.writer.restart(checkpointId));
  }

  private async named(call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      throw this.failure(error);
    }
  }

  private failure(thrown: unknown): unknown {
    if (thrown instanceof SluiceError) return thrown;
    const system = systemErrorIn(thrown);
    if (system === null) return thrown;
    // A writer that wrapped the system's error said what it was doing: keep that too.
    return new SinkIOError(this.name, system, system === thrown ? '' : (thrown as Error).message);
  }
}
