/**
 * For restore tests that need a checkpoint taken at a known point of their input: a source that
 * pauses once, at a given record, until a checkpoint completes, and the log watcher that tells it
 * so (and which checkpoint each restart restored).
 */
import { addLogSink, SourceFunction } from '../../host/index.ts';

/** Checkpoints every 50 ms and one restart at once: what a restore test's job needs to fail once and come back. */
export const RESTART_ONCE = {
  'execution.checkpointing.interval': 50,
  'restart-strategy.type': 'fixed-delay',
  'restart-strategy.fixed-delay.attempts': 1,
  'restart-strategy.fixed-delay.delay': 0,
} as const;

/** Resolves, once, when a checkpoint completes after wait() was called; tells which checkpoints restarts restored. */
export class CheckpointGate {
  readonly restartedFrom: string[] = [];
  private waiting: (() => void) | null = null;
  private used = false;
  readonly remove = addLogSink((r) => {
    if (/^checkpoint \d+ complete/.test(r.message)) {
      this.waiting?.();
      this.waiting = null;
    }
    const restart = /restart \d+ .* from (checkpoint \d+|the start)/.exec(r.message);
    if (restart !== null) this.restartedFrom.push(restart[1]!);
  });
  wait(): Promise<void> {
    if (this.used) return Promise.resolve();
    this.used = true;
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

/** 0..count-1; at `pauseAt` it waits (once) for a checkpoint, which then holds part of the input. */
export class GatedSource extends SourceFunction<number> {
  private next = 0;
  constructor(
    private readonly gate: CheckpointGate,
    private readonly count: number,
    private readonly pauseAt: number,
  ) {
    super();
  }
  async *run(): AsyncGenerator<number> {
    while (this.next < this.count) {
      if (this.next === this.pauseAt) await this.gate.wait();
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
