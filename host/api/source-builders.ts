/**
 * The sources env.fromSource() takes: PyFlink's FileSource (with a text line format) and
 * NumberSequenceSource, in camelCase. Like every source, they run in the host.
 *
 *   FileSource.forRecordStreamFormat(StreamFormat.textLineFormat(), 'in/', 'more.txt')
 *     .monitorContinuously(Time.seconds(10))   // or processStaticFileSet() (the default)
 *     .build()
 */
import { resolve } from 'node:path';
import { Time } from '../../shared/api/time.ts';
import { INT64_MAX, INT64_MIN } from '../../shared/codec/fixed-width-encoders.ts';
import type { Duration } from '../../shared/api/windows.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import { localPath } from '../local-path.ts';

/** How a file's bytes become records. Only text lines (UTF-8) for now. */
export class StreamFormat {
  private constructor(
    readonly kind: 'text-line',
    readonly charset: 'UTF-8',
  ) {}

  /**
   * Each line of a file is a record (a STRING): lines end with "\n" or "\r\n", the last one
   * may end with the file, and a byte order mark at the file's start is not part of its first
   * line. Files are read as UTF-8: any other charset is refused when the job is defined.
   */
  static textLineFormat(charsetName = 'UTF-8'): StreamFormat {
    if (typeof charsetName !== 'string' || !/^utf-?8$/i.test(charsetName)) {
      throw new JobDefinitionError(`StreamFormat.textLineFormat: Sluice reads text files as UTF-8 only, got the charset ${JSON.stringify(charsetName)}`);
    }
    return new StreamFormat('text-line', 'UTF-8');
  }
}

/**
 * Reads the records of files: each path is a file, or a directory whose files are read with
 * those of its subdirectories (as Flink's FileSource enumerates them), skipping hidden ones
 * (names starting with "." or "_", such as a file sink's in-progress files). Files are read
 * whole, one after another, in the order of the paths given and, within a directory, of their
 * names; the source has one parallel instance.
 *
 * Bounded by default (processStaticFileSet: the files there when the job starts). With
 * monitorContinuously(interval) it is unbounded: it looks for new files every interval and
 * reads each file once, by path; a file must be complete when it appears (write it elsewhere,
 * or under a hidden name, and rename it into place), as with Flink.
 */
export class FileSource<T = string> {
  declare readonly __valueType?: T;
  /** @internal Use FileSource.forRecordStreamFormat(...).build(). */
  constructor(
    readonly format: StreamFormat,
    readonly paths: readonly string[],
    /** Null: the static file set (bounded); else the interval between looks for new files (ms). */
    readonly monitorIntervalMs: number | null,
  ) {}

  /** A builder of a source that reads `paths` (paths or file:// URIs) with `format`. */
  static forRecordStreamFormat(format: StreamFormat, ...paths: string[]): FileSourceBuilder {
    if (!(format instanceof StreamFormat)) {
      throw new JobDefinitionError('FileSource.forRecordStreamFormat takes a StreamFormat (StreamFormat.textLineFormat()) and then the paths to read');
    }
    if (paths.length === 0) throw new JobDefinitionError('FileSource.forRecordStreamFormat needs at least one path to read');
    const local = paths.map((path) => {
      if (typeof path !== 'string' || path === '') throw new JobDefinitionError(`FileSource.forRecordStreamFormat: a path must be a non-empty string, got ${JSON.stringify(path)}`);
      // Absolute: a continuous source's checkpoint names the paths it has seen, and a resume
      // from another working directory must name them alike.
      return resolve(localPath(path, 'FileSource', 'a local file or directory', (message) => new JobDefinitionError(message)));
    });
    return new FileSourceBuilder(format, local);
  }
}

export class FileSourceBuilder {
  private monitorIntervalMs: number | null = null;

  /** @internal Use FileSource.forRecordStreamFormat(). */
  constructor(
    private readonly format: StreamFormat,
    private readonly paths: readonly string[],
  ) {}

  /** Makes the source unbounded: it looks for new files under its paths every `interval` (ms, or a Time). */
  monitorContinuously(interval: Duration): this {
    const ms = interval instanceof Time ? interval.toMilliseconds() : interval;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
      throw new JobDefinitionError(`FileSource: monitorContinuously() takes a positive number of milliseconds or a Time, got ${String(interval)}`);
    }
    this.monitorIntervalMs = ms;
    return this;
  }

  /** Makes the source bounded (the default): it reads the files there when it starts, and ends. */
  processStaticFileSet(): this {
    this.monitorIntervalMs = null;
    return this;
  }

  build(): FileSource<string> {
    return new FileSource<string>(this.format, [...this.paths], this.monitorIntervalMs);
  }
}

/**
 * The numbers from `from` to `to`, both included, as LONG (bigints beyond ±(2^53-1)): a
 * parallel source, its range split between its instances (as fromSequence).
 */
export class NumberSequenceSource {
  readonly from: bigint;
  readonly to: bigint;

  constructor(from: number | bigint, to: number | bigint) {
    this.from = sequenceBound('NumberSequenceSource', 'from', from);
    this.to = sequenceBound('NumberSequenceSource', 'to', to);
    if (this.to < this.from) throw new JobDefinitionError(`NumberSequenceSource: to (${this.to}) is before from (${this.from})`);
  }

  getFrom(): bigint {
    return this.from;
  }

  getTo(): bigint {
    return this.to;
  }
}

/** A bound of a sequence of LONGs, for `call`: a safe integer number, or a bigint within int64. */
export function sequenceBound(call: string, which: string, value: unknown): bigint {
  if (typeof value === 'bigint') {
    if (value >= INT64_MIN && value <= INT64_MAX) return value;
    throw new JobDefinitionError(`${call}: ${which} must be in the int64 range (a LONG: -(2^63) to 2^63 - 1), got ${value}n`);
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  const shown = typeof value === 'number' ? String(value) : typeof value === 'string' ? JSON.stringify(value) : typeof value;
  throw new JobDefinitionError(`${call}: ${which} must be an integer (a safe integer number or a bigint), got ${shown}`);
}

/** What env.fromSource() takes. */
export type Source<T = unknown> = FileSource<T> | NumberSequenceSource;
