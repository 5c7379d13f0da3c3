/**
 * Takes checkpoints of a running attempt, as Flink's checkpoint coordinator does:
 *
 *   trigger n ──▶ sources record their position and emit barrier n
 *                 UDF tasks: barrier n on every input ─▶ finish the bundle (state writes in the
 *                 host) ─▶ snapshot keyed state, timers, broadcast state ─▶ ack ─▶ pass the barrier on
 *                 sinks: barrier n ─▶ seal what came before it ─▶ ack
 *   all acked ──▶ stored durably ──▶ complete: sinks publish what checkpoint n sealed
 *
 * One checkpoint at a time. The next is triggered `interval` after the previous trigger, and
 * not before `min-pause` after the previous completion. A checkpoint that does not complete
 * within the timeout is abandoned; its late acks are ignored.
 *
 * Checkpoints go on once some sources have ended, as Flink's do since 1.15 (FLIP-147,
 * checkpoints-after-tasks-finish): an ended source emits no barrier, and its position is its end
 * (`done`, so that a restore does not read it again); every record it sent is ahead of the
 * barriers of the sources still running, and the input gates downstream align over the
 * channels that have not ended. Once every source has ended no barrier can be emitted: the
 * job is finishing, and its end makes all output visible (where Flink takes a final
 * checkpoint), so no more checkpoints are taken.
 */
import { CheckpointError } from '../../shared/errors/errors.ts';
import type { Logger } from '../log.ts';
import type { BroadcastSnapshot } from '../state/broadcast-state-store.ts';
import type { CheckpointStorage } from './checkpoint-storage.ts';
import type { CompletedCheckpoint, SourcePosition } from './completed-checkpoint.ts';

export interface CheckpointSource {
  key: string;
  subtask: number;
  /**
   * Emits barrier `checkpointId` and resolves with the position at it; resolves with null when
   * the source had already ended (sent its last record and its end), so that no barrier follows.
   */
  requestBarrier(checkpointId: number): Promise<SourcePosition | null>;
}

export interface CheckpointParticipants {
  sources: CheckpointSource[];
  /** Keyed-state acks expected (one per UDF subtask) and sink acks expected (one per sink subtask). */
  stateAcks: number;
  sinkAcks: number;
  /** Sinks publish what every checkpoint up to `checkpointId` sealed. */
  commit(checkpointId: number): Promise<void>;
  /** Checkpoint `checkpointId` has started: tasks that have finished acknowledge it at once. */
  triggered?(checkpointId: number): void;
}

export interface CoordinatorOptions {
  intervalMs: number;
  timeoutMs: number;
  minPauseMs: number;
  storage: CheckpointStorage;
  log: Logger;
  /** The id of the first checkpoint this attempt takes (ids grow across restarts). */
  firstId: number;
  onCompleted(checkpoint: CompletedCheckpoint, durationMs: number): void;
  /** A checkpoint failed in a way that must fail the attempt (e.g. storage could not be written). */
  onFatal(error: Error): void;
}

interface Pending {
  id: number;
  startedAt: number;
  timestamp: number;
  outstanding: number;
  /** Sources that have answered, how many of them emitted the barrier, and those that had ended. */
  answered: number;
  barriers: number;
  ended: string[];
  checkpoint: CompletedCheckpoint;
  timer: NodeJS.Timeout;
}

export class CheckpointCoordinator {
  private nextId: number;
  private pending: Pending | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastTriggerAt = 0;
  private lastCompletionAt = 0;
  private stopped = false;
  /** The completion under way (storing a checkpoint, then its commit), if any: see idle(). */
  private completing: Promise<void> | null = null;
  private participants: CheckpointParticipants | null = null;

  constructor(private readonly o: CoordinatorOptions) {
    this.nextId = o.firstId;
  }

  /** Starts triggering checkpoints periodically. */
  start(participants: CheckpointParticipants): void {
    this.participants = participants;
    this.lastTriggerAt = Date.now();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.pending !== null) clearTimeout(this.pending.timer);
    this.pending = null;
  }

  /**
   * Resolves once no checkpoint is being completed: one stored before stop() has its sinks'
   * commit finished. The job's final commit, and a restart's commit of the checkpoint it
   * restores, publish the same epochs: run beside this one, they published files twice and
   * invoked sinks twice with the same records.
   */
  async idle(): Promise<void> {
    while (this.completing !== null) await this.completing;
  }

  /** The checkpoint in progress, if any. */
  get pendingId(): number | null {
    return this.pending?.id ?? null;
  }

  /** The id the next checkpoint gets (after this attempt: where the next attempt starts). */
  get upcomingId(): number {
    return this.nextId;
  }

  /**
   * A UDF subtask passed barrier `id`; `snapshot` is its keyed state (null when not keyed),
   * `broadcast` its broadcast state (null unless its head is a broadcast process function).
   */
  ackState(id: number, stageKey: string, subtask: number, snapshot: Uint8Array | null, broadcast: BroadcastSnapshot | null = null): void {
    const p = this.current(id);
    if (p === null) return;
    if (snapshot !== null) (p.checkpoint.states[stageKey] ??= [])[subtask] = snapshot;
    if (broadcast !== null) ((p.checkpoint.broadcast ??= {})[stageKey] ??= [])[subtask] = broadcast;
    this.acked(p);
  }

  /** A sink subtask sealed what came before barrier `id`; `state` is what it needs after a restart. */
  ackSink(id: number, sinkKey: string, subtask: number, state: unknown): void {
    const p = this.current(id);
    if (p === null) return;
    (p.checkpoint.sinks[sinkKey] ??= [])[subtask] = state;
    this.acked(p);
  }

  private current(id: number): Pending | null {
    return this.pending !== null && this.pending.id === id ? this.pending : null;
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    const at = Math.max(this.lastTriggerAt + this.o.intervalMs, this.lastCompletionAt + this.o.minPauseMs);
    this.timer = setTimeout(() => this.trigger(), Math.max(0, at - now));
    this.timer.unref();
  }

  private trigger(): void {
    const participants = this.participants;
    if (this.stopped || participants === null || this.pending !== null) return;
    const id = this.nextId++;
    const startedAt = performance.now();
    this.lastTriggerAt = Date.now();
    const pending: Pending = {
      id,
      startedAt,
      timestamp: this.lastTriggerAt,
      outstanding: participants.sources.length + participants.stateAcks + participants.sinkAcks,
      answered: 0,
      barriers: 0,
      ended: [],
      checkpoint: { id, timestamp: this.lastTriggerAt, sources: {}, states: {}, sinks: {}, broadcast: {} },
      timer: setTimeout(() => this.abandon(id, this.timedOut(pending)), this.o.timeoutMs),
    };
    pending.timer.unref();
    this.pending = pending;
    participants.triggered?.(id);
    for (const source of participants.sources) {
      source.requestBarrier(id).then(
        (position) => {
          if (this.current(id) === null) return;
          pending.answered++;
          if (position !== null) pending.barriers++;
          else pending.ended.push(`${source.key} (subtask ${source.subtask})`);
          // A source that had ended is at its end: a restore reads nothing of it again.
          (pending.checkpoint.sources[source.key] ??= [])[source.subtask] = position ?? { done: true, position: null };
          if (pending.answered === participants.sources.length && pending.barriers === 0) {
            this.finishing(pending);
            return;
          }
          this.acked(pending);
        },
        (error: unknown) => this.abandon(id, `source ${source.key} failed: ${String(error)}`),
      );
    }
  }

  private acked(p: Pending): void {
    p.outstanding--;
    if (p.outstanding > 0) return;
    clearTimeout(p.timer);
    const completing: Promise<void> = this.complete(p).finally(() => {
      if (this.completing === completing) this.completing = null;
    });
    this.completing = completing;
  }

  private async complete(p: Pending): Promise<void> {
    try {
      await this.o.storage.store(p.checkpoint);
    } catch (error) {
      this.pending = null;
      this.o.onFatal(new CheckpointError(`checkpoint ${p.id} could not be stored: ${(error as Error).message}`));
      return;
    }
    if (this.current(p.id) === null) return;
    this.pending = null;
    this.lastCompletionAt = Date.now();
    const durationMs = performance.now() - p.startedAt;
    this.o.log.info(`checkpoint ${p.id} complete in ${durationMs.toFixed(1)} ms`);
    this.o.onCompleted(p.checkpoint, durationMs);
    try {
      await this.participants!.commit(p.id);
    } catch (error) {
      this.o.onFatal(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.schedule();
  }

  private timedOut(p: Pending): string {
    const why = `it did not complete within execution.checkpointing.timeout (${this.o.timeoutMs} ms)`;
    return p.ended.length === 0 ? why : `${why}; sources that had ended: ${p.ended.join(', ')}`;
  }

  /**
   * Every source had ended before checkpoint `p` asked for its barrier: no task downstream will
   * see one, and no source of this attempt can emit one any more. The id was never seen by a
   * task, so the next attempt (if a failure while the job drains brings one) may use it.
   */
  private finishing(p: Pending): void {
    clearTimeout(p.timer);
    this.pending = null;
    this.nextId = p.id;
    this.o.log.info('no more checkpoints: every source has ended (the end of the job makes all output visible)');
  }

  private abandon(id: number, why: string): void {
    const p = this.current(id);
    if (p === null) return;
    clearTimeout(p.timer);
    this.pending = null;
    this.o.log.warn(`checkpoint ${id} abandoned: ${why}`);
    this.schedule();
  }
}
