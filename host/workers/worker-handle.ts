/** A running worker, whatever it runs in. */
import type { HostConnection } from '../../shared/protocol/channel.ts';

export interface WorkerExit {
  /** Exit code (process) or thread exit code; null when killed by a signal. */
  code: number | null;
  signal: string | null;
  /** The worker ran out of memory (V8 heap limit / resourceLimits). */
  outOfMemory: boolean;
  /** The last lines the worker wrote to stderr, or its error in thread mode. */
  stderrTail: string;
}

export interface WorkerHandle {
  readonly id: string;
  readonly mode: 'process' | 'thread';
  /** The OS process id (process mode). */
  readonly pid: number | undefined;
  /** Resolves once the worker connected its four streams. */
  readonly connection: Promise<HostConnection>;
  /** Resolves when the worker has exited, however it ended. */
  readonly exited: Promise<WorkerExit>;
  /** Stops the worker at once (SIGKILL / thread termination). */
  kill(): void;
}

const OOM_MARKERS = ['JavaScript heap out of memory', 'Reached heap limit', 'ERR_WORKER_OUT_OF_MEMORY'];

export function looksOutOfMemory(text: string): boolean {
  return OOM_MARKERS.some((m) => text.includes(m));
}
