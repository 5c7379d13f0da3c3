/**
 * What FileSink.forRowFormat's builder takes, as PyFlink names it (camelCase): the Encoder that
 * turns a record into its line, the OutputFileConfig that names part files, and the
 * RollingPolicy that decides when a part file is closed and the next one begun.
 *
 *   FileSink.forRowFormat(dir, Encoder.simpleStringEncoder())
 *     .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix('prefix').withPartSuffix('.ext').build())
 *     .withRollingPolicy(RollingPolicy.defaultRollingPolicy())
 *     .build()
 *
 * Every argument is checked at the call, which a JobDefinitionError names with the value.
 */
import { Time } from '../../shared/api/time.ts';
import type { Duration } from '../../shared/api/windows.ts';
import { JobDefinitionError } from '../../shared/errors/errors.ts';

/**
 * How the file sink writes a record: PyFlink's Encoder, of which there is one,
 * simpleStringEncoder(). (forRowFormat's options take a function `(value) => string` for any
 * other line.)
 */
export class Encoder {
  private constructor(readonly charset: 'UTF-8') {}

  /**
   * Each record as one line in UTF-8: a string as it is, anything else as print() shows it
   * (formatValue: `[1,3]`, `{"word":"a","n":2}`), then "\n". Flink's SimpleStringEncoder writes
   * the record's toString(), which is also what Flink's print() shows; formatValue plays that
   * part in Sluice (String(value) would write "[object Object]"), so print() and the file sink
   * agree, and this is the encoder a file sink has when none is given. Only UTF-8 is written:
   * another charset is refused.
   */
  static simpleStringEncoder(charsetName = 'UTF-8'): Encoder {
    if (typeof charsetName !== 'string' || !/^utf-?8$/i.test(charsetName)) {
      throw new JobDefinitionError(`Encoder.simpleStringEncoder: Sluice writes text files as UTF-8 only, got the charset ${shownArgument(charsetName)}`);
    }
    return new Encoder('UTF-8');
  }
}

/**
 * How part files are named: `<prefix>-<writer id>-<subtask>-<n><suffix>`, by default
 * `part-<uuid>-0-0` (the writer id, a UUID each subtask's writer chooses, keeps the files of two
 * jobs, or two attempts, writing into one directory apart, as in Flink).
 */
export class OutputFileConfig {
  /** @internal Use OutputFileConfig.builder()...build(). */
  constructor(
    readonly partPrefix: string,
    readonly partSuffix: string,
  ) {}

  static builder(): OutputFileConfigBuilder {
    return new OutputFileConfigBuilder();
  }

  getPartPrefix(): string {
    return this.partPrefix;
  }

  getPartSuffix(): string {
    return this.partSuffix;
  }
}

export class OutputFileConfigBuilder {
  private partPrefix = 'part';
  private partSuffix = '';

  withPartPrefix(prefix: string): this {
    this.partPrefix = checkPartNamePiece(prefix, 'OutputFileConfig.builder().withPartPrefix', 'the prefix');
    return this;
  }

  withPartSuffix(suffix: string): this {
    this.partSuffix = checkPartNamePiece(suffix, 'OutputFileConfig.builder().withPartSuffix', 'the suffix');
    return this;
  }

  build(): OutputFileConfig {
    return new OutputFileConfig(this.partPrefix, this.partSuffix);
  }
}

/**
 * A part file's prefix or suffix, for `call`: a string that keeps the part file in its bucket's
 * directory (no path separator, no NUL). It may be empty, as in Flink.
 */
export function checkPartNamePiece(value: unknown, call: string, what: string): string {
  if (typeof value !== 'string') throw new JobDefinitionError(`${call}: ${what} must be a string, got ${shownArgument(value)}`);
  if (/[/\\\0]/.test(value)) {
    throw new JobDefinitionError(
      `${call}: ${what} must not contain "/", "\\" or NUL (a part file's name is no path; a BucketAssigner makes directories), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The limits of the default rolling policy (bytes and milliseconds, each positive). */
export interface RollingLimits {
  readonly partSizeBytes: number;
  readonly rolloverIntervalMs: number;
  readonly inactivityIntervalMs: number;
}

/**
 * When the file sink closes its in-progress part file, which then waits (pending) for the next
 * checkpoint to complete, or the job to end, to be committed. A row-format sink also closes it
 * at every checkpoint, whatever the policy (see FileWriter).
 */
export class RollingPolicy {
  private constructor(
    /** Null: only at checkpoints. */
    readonly limits: RollingLimits | null,
  ) {}

  /**
   * Flink's DefaultRollingPolicy, the one a file sink has when none is given: a record goes
   * into a new part file when the current one holds more than `partSize` bytes, has been open
   * `rolloverInterval` or more, or had nothing written to it for `inactivityInterval` or more
   * (an idle part file is closed then, without waiting for a record). Intervals in milliseconds
   * or as a Time.
   */
  static defaultRollingPolicy(partSize = 128 * 1024 * 1024, rolloverInterval: Duration = 60_000, inactivityInterval: Duration = 60_000): RollingPolicy {
    const call = 'RollingPolicy.defaultRollingPolicy';
    if (typeof partSize !== 'number' || !Number.isSafeInteger(partSize) || partSize <= 0) {
      throw new JobDefinitionError(`${call}: partSize must be a positive integer (bytes), got ${shownArgument(partSize)}`);
    }
    return new RollingPolicy({
      partSizeBytes: partSize,
      rolloverIntervalMs: positiveInterval(rolloverInterval, call, 'rolloverInterval'),
      inactivityIntervalMs: positiveInterval(inactivityInterval, call, 'inactivityInterval'),
    });
  }

  /** Flink's OnCheckpointRollingPolicy: a part file is closed only at checkpoints (and at the end of the input). */
  static onCheckpointRollingPolicy(): RollingPolicy {
    return new RollingPolicy(null);
  }
}

/** `value` (ms or a Time) as a positive number of milliseconds, or a refusal naming `call` and `name`. */
export function positiveInterval(value: unknown, call: string, name: string): number {
  const ms = value instanceof Time ? value.toMilliseconds() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new JobDefinitionError(`${call}: ${name} must be a positive number of milliseconds or a Time, got ${shownArgument(value)}`);
  }
  return ms;
}

/** An argument as a refusal shows it: numbers and strings as written, anything else by its kind. */
export function shownArgument(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Time) return `Time.milliseconds(${value.toMilliseconds()})`;
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? 'a function' : String(value);
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name !== undefined && name !== 'Object' && name !== '' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
}
