/**
 * The host's log. Worker log entries (console.* inside user functions included) arrive over the
 * Logging service and are written here with their worker id, operator and bundle. Output goes to
 * stderr by default; tests and embedding applications add sinks.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export interface LogRecord {
  level: LogLevel;
  /** ms since the epoch. */
  time: number;
  message: string;
  /** Set for entries that came from a worker. */
  workerId?: string;
  operator?: string;
  bundle?: string;
  trace?: string;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  write(record: LogRecord): void;
}

const sinks = new Set<LogSink>();
let threshold: LogLevel = levelFromEnv(process.env['SLUICE_LOG_LEVEL']);
let stderrEnabled = true;

function levelFromEnv(value: string | undefined): LogLevel {
  return value !== undefined && value in RANK ? (value as LogLevel) : 'info';
}

/** Adds a sink that receives every record at or above the threshold; returns its remover. */
export function addLogSink(sink: LogSink): () => void {
  sinks.add(sink);
  return () => sinks.delete(sink);
}

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

export function getLogLevel(): LogLevel {
  return threshold;
}

/** Turns the default stderr output off or on (sinks still receive records). */
export function setStderrLogging(enabled: boolean): void {
  stderrEnabled = enabled;
}

export function formatLogRecord(r: LogRecord): string {
  const where = [r.workerId === undefined ? 'host' : `worker ${r.workerId}`, r.operator, r.bundle && `bundle ${r.bundle}`]
    .filter(Boolean)
    .join(' · ');
  const trace = r.trace ? `\n${r.trace}` : '';
  return `${new Date(r.time).toISOString()} ${r.level.toUpperCase().padEnd(5)} [${where}] ${r.message}${trace}`;
}

class HostLogger implements Logger {
  trace(message: string): void {
    this.write({ level: 'trace', time: Date.now(), message });
  }
  debug(message: string): void {
    this.write({ level: 'debug', time: Date.now(), message });
  }
  info(message: string): void {
    this.write({ level: 'info', time: Date.now(), message });
  }
  warn(message: string): void {
    this.write({ level: 'warn', time: Date.now(), message });
  }
  error(message: string): void {
    this.write({ level: 'error', time: Date.now(), message });
  }
  write(record: LogRecord): void {
    if (RANK[record.level] < RANK[threshold]) return;
    for (const sink of sinks) sink(record);
    if (stderrEnabled) process.stderr.write(`${formatLogRecord(record)}\n`);
  }
}

export const hostLog: Logger = new HostLogger();
