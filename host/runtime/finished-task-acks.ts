/**
 * A task's acknowledgements of checkpoints once it may have finished. A task all of whose
 * inputs have ended (fed by sources that ended while others run) sees no more barriers, yet every
 * checkpoint needs its acknowledgement: as in Flink since 1.15 (checkpoints after tasks finish),
 * a finished task acknowledges the checkpoint in progress when it finished and every later one
 * at once, with its final state (a sink: sealing what it still holds into that checkpoint, so
 * that its completion publishes it). Each checkpoint is acknowledged once, by its barrier or so.
 */
export class FinishedTaskAcks {
  private lastAcked = 0;
  private finished = false;

  constructor(
    /** Acknowledges checkpoint `id` for the finished task; a failure fails the attempt. */
    private readonly ackFinished: (id: number) => void | Promise<void>,
    private readonly fail: (error: unknown) => void,
  ) {}

  /** The barrier of checkpoint `id` reached the task, which acknowledged it. */
  sawBarrier(id: number): void {
    if (id > this.lastAcked) this.lastAcked = id;
  }

  /** The task has finished; `pending` is the checkpoint in progress, if any. */
  finish(pending: number | null): void {
    this.finished = true;
    if (pending !== null) this.triggered(pending);
  }

  /** Checkpoint `id` has started: a finished task acknowledges it now. */
  triggered(id: number): void {
    if (!this.finished || id <= this.lastAcked) return;
    this.lastAcked = id;
    try {
      const done = this.ackFinished(id);
      if (done !== undefined) done.catch((error: unknown) => this.fail(error));
    } catch (error) {
      this.fail(error);
    }
  }
}
