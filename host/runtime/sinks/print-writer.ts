import { formatValue } from '../../api/format-value.ts';
import { PendingEpochs, type SinkWriter } from './sink-writer.ts';

/** print(): one line per record on stdout; "k> " in front when the sink runs in parallel, as in Flink. */
export class PrintWriter implements SinkWriter {
  private readonly epochs: PendingEpochs<string>;
  private readonly prefix: string;

  constructor(prefix: string, subtask: number, parallelism: number, transactional: boolean, out: (text: string) => void) {
    const parts = [prefix, parallelism > 1 ? String(subtask + 1) : ''].filter((p) => p !== '');
    this.prefix = parts.length === 0 ? '' : `${parts.join(':')}> `;
    this.epochs = new PendingEpochs<string>(transactional, (lines) => out(`${lines.join('\n')}\n`));
  }

  async open(): Promise<void> {}

  write(values: readonly unknown[]): void | Promise<void> {
    const lines = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) lines[i] = this.prefix + formatValue(values[i]);
    return this.epochs.add(lines);
  }

  async preCommit(checkpointId: number): Promise<void> {
    this.epochs.seal(checkpointId);
  }
  commit(checkpointId: number): Promise<void> {
    return this.epochs.commit(checkpointId);
  }
  async endOfInput(): Promise<void> {
    this.epochs.sealFinal();
  }
  checkpointState(): null {
    return null;
  }
  async abort(): Promise<void> {
    this.epochs.dropCurrent();
  }
  restart(checkpointId: number): Promise<void> {
    return this.epochs.restart(checkpointId);
  }
}
