/**
 * Sends the worker's log to the host over the Logging service. console.* (inside user
 * functions too) is redirected here; entries carry severity, time, the operator and bundle
 * running, and the worker id.
 *
 * Each entry is handed to the transport as it is logged, not on a later turn of the event loop:
 * a function that never returns (an endless loop, running out of memory) or that calls
 * process.exit gives the loop no later turn, and its last lines are the ones that say why. Over
 * a MessagePort (thread mode) a posted entry reaches the host whatever this thread does next; in
 * process mode the stream relay thread writes it (worker/relayed-log-channel.ts), and what it has
 * not written when the worker exits is written to stderr, which the host captures (the tail of it
 * goes into the failure's report).
 */
import { writeSync } from 'node:fs';
import { format } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import type { FnChannel } from '../shared/protocol/channel.ts';
import type { LogControl, LogEntries, LogEntry } from '../shared/protocol/messages.ts';
import { Severity } from '../shared/protocol/messages.ts';
import { activity } from './activity.ts';

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace';

const SEVERITY_OF: Record<ConsoleMethod, number> = {
  log: Severity.INFO,
  info: Severity.INFO,
  warn: Severity.WARN,
  error: Severity.ERROR,
  debug: Severity.DEBUG,
  trace: Severity.TRACE,
};

/** How long flush() waits for the transport to have sent what was logged (process mode). */
const FLUSH_WAIT_MS = 1000;
/** How long an exiting worker waits for the same, before writing the rest to stderr. */
const EXIT_WAIT_MS = 2000;

export class LogForwarder {
  private closed = false;
  private exitHooked = false;

  constructor(
    private readonly channel: FnChannel<LogEntries, LogControl>,
    private readonly workerId: string,
  ) {
    channel.onClose(() => {
      this.closed = true;
    });
  }

  /** Routes console.* of this thread to the host. */
  captureConsole(target: Console = console): void {
    for (const method of Object.keys(SEVERITY_OF) as ConsoleMethod[]) {
      target[method] = (...args: unknown[]): void => {
        const trace = method === 'trace' ? new Error().stack?.split('\n').slice(2).join('\n') : undefined;
        const error = args.find((a): a is Error => a instanceof Error);
        // An error's stack travels as the entry's trace; the message names the error once.
        const message = error === undefined ? format(...args) : format(...args.map((a) => (a instanceof Error ? String(a) : a)));
        this.log(SEVERITY_OF[method], message, trace ?? error?.stack);
      };
    }
    if (!this.exitHooked) {
      this.exitHooked = true;
      process.on('exit', () => this.writeUnsent(EXIT_WAIT_MS));
    }
  }

  log(severity: number, message: string, trace?: string): void {
    const entry: LogEntry = {
      severity,
      time: Date.now(),
      message,
      trace: trace ?? '',
      transform: activity.operator,
      instructionId: activity.bundle,
      workerId: this.workerId,
    };
    // The transport is gone (the relay thread died, say): stderr still reaches the host.
    if (this.closed) writeToStderr([entry], this.exitHooked);
    else this.channel.send({ entries: [entry] });
  }

  /**
   * Waits (a bounded while) until the entries logged so far have left the worker, so that they
   * reach the host before what this thread sends next on another stream (a Control answer).
   */
  flush(): void {
    if (!this.closed) this.channel.drainNow?.(FLUSH_WAIT_MS);
  }

  /** The worker is exiting: entries the transport has not sent by `waitMs` go to stderr. */
  writeUnsent(waitMs: number): void {
    const unsent = this.channel.drainNow?.(this.closed ? 0 : waitMs) ?? [];
    writeToStderr(unsent.flatMap((m) => m.entries ?? []), true);
  }
}

/** Writes entries to stderr synchronously, one readable line each (with its trace below). */
function writeToStderr(entries: readonly LogEntry[], enabled: boolean): void {
  if (!enabled || entries.length === 0) return;
  const text = entries.map(stderrLine).join('');
  try {
    // A process's fd 2 directly: process.stderr may queue the write, and the process may be
    // ending. A thread's stderr is the host's to capture, and is flushed when the thread exits.
    if (isMainThread) writeSync(2, text);
    else process.stderr.write(text);
  } catch {
    // Nowhere left to write to.
  }
}

export function stderrLine(entry: LogEntry): string {
  const level = SEVERITY_NAME[entry.severity ?? Severity.INFO] ?? 'INFO';
  const where = [entry.transform, entry.instructionId && `bundle ${entry.instructionId}`].filter(Boolean).join(' · ');
  const trace = entry.trace ? `\n${entry.trace}` : '';
  return `${level} ${where === '' ? '' : `[${where}] `}${entry.message ?? ''}${trace}\n`;
}

const SEVERITY_NAME: Record<number, string> = {
  [Severity.TRACE]: 'TRACE',
  [Severity.DEBUG]: 'DEBUG',
  [Severity.INFO]: 'INFO',
  [Severity.WARN]: 'WARN',
  [Severity.ERROR]: 'ERROR',
};
