/**
 * Sends the worker's log to the host over the Logging service. console.* (inside user
 * functions too) is redirected here; entries carry severity, time, the operator and bundle
 * running, and the worker id, and are sent in small batches so that a chatty function does not
 * cost a message per line.
 */
import { format } from 'node:util';
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

export class LogForwarder {
  private pending: LogEntry[] = [];
  private scheduled = false;
  private closed = false;

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
  }

  log(severity: number, message: string, trace?: string): void {
    if (this.closed) return;
    this.pending.push({
      severity,
      time: Date.now(),
      message,
      trace: trace ?? '',
      transform: activity.operator,
      instructionId: activity.bundle,
      workerId: this.workerId,
    });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0 || this.closed) return;
    const entries = this.pending;
    this.pending = [];
    this.channel.send({ entries });
  }
}
