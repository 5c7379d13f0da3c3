/** One parallel instance of a sink: reads its gate and writes through its SinkWriter. */
import type { InputGate } from './input-gate.ts';
import type { SinkWriter } from './sinks/sink-writer.ts';

export class SinkTask {
  /** Records received. */
  received = 0;

  constructor(
    private readonly gate: InputGate,
    readonly writer: SinkWriter,
    /** Called when the barrier of a checkpoint has reached this sink, after the pre-commit. */
    private readonly onBarrier: (checkpointId: number, state: unknown) => void,
  ) {}

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
          const p = this.writer.write(element.batch.values);
          if (p !== undefined) await p;
          break;
        }
        case 'watermark':
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
