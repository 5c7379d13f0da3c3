/**
 * How a UDF task drives the functions of its stage, whatever runs them: a worker process or
 * thread (RemoteStage: Arrow batches over the Fn services) or the host's own thread
 * (EmbeddedStage, for debugging).
 */
import type { RowBatch } from '../../shared/codec/batch-layout.ts';
import type { TransformMetrics } from '../../shared/protocol/messages.ts';

/**
 * Where rows sent to a stage go: its input, the second input of a two-input stage (connect()),
 * or the timers its head fires. The names are the Data transform ids (proto/data.md).
 */
export type SendTarget = 'input' | 'input2' | 'timers';

/** Receives the stage's outputs, by output id; a returned promise means "wait before more". */
export type OutputHandler = (outputId: string, batch: RowBatch) => void | Promise<void>;

export interface StageRunner {
  /** Registers the bundle processor: loads the functions and calls their open(). */
  register(): Promise<void>;
  /** Opens a bundle: the head sees `watermark`, the functions after it `chainedWatermark` (default: the same). */
  startBundle(watermark: number, chainedWatermark?: number): void;
  /** Sends rows (of an input, or fired timers) of the open bundle; returns a promise while too much is in flight. */
  send(batch: RowBatch, target: SendTarget): void | Promise<void>;
  /** Batches sent and not yet processed. */
  readonly inFlight: number;
  /** Resolves when nothing is in flight any more. */
  drained(): Promise<void>;
  /**
   * Ends the open bundle: resolves, with the bundle's id (the instruction id its state requests
   * carry), when its outputs have been handled and its state writes are in the host.
   */
  finishBundle(): Promise<string | null>;
  /** End of input: close() the functions. */
  finish(): Promise<void>;
  /** Per-transform element counts so far, by transform id. */
  metrics(): Map<string, TransformMetrics>;
}

/** What the attempt asks of a stage's runner when it stops before the end of input (attempt.ts). */
export interface StoppableStage {
  /**
   * The attempt stops (cancelled, or failed anywhere): whatever waits on this runner is
   * rejected with `reason` at once; the functions are left to close().
   */
  cancel(reason: unknown): void;
  /**
   * After cancel(): close() the functions whose open() has run (those still opening, once it
   * has), in chain order, each once, after the call running in them (if any) has returned.
   * Resolves once they are closed; rejects with the first close() that threw. Does nothing
   * once finish() has closed them, or where they cannot be reached any more (a dead worker).
   * The caller bounds the wait (task.cancellation.timeout).
   */
  close(): Promise<void>;
}
