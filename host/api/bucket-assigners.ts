/**
 * Which bucket a file sink writes a record into, as Flink's BucketAssigner: a bucket is a
 * directory under the sink's base path, named by its id (a relative path, which may hold '/').
 * Each bucket has its own in-progress part file. PyFlink's two built-ins, in camelCase:
 *
 *   BucketAssigner.dateTimeBucketAssigner()     dir/2026-11-25--03/part-…   (the default, as in Flink)
 *   BucketAssigner.basePathBucketAssigner()     dir/part-…
 *
 * or any object with getBucketId(element, context), which runs in the host as the sink's encoder
 * does (what it throws fails the job as a UserFunctionError naming the sink and the assigner).
 */
import { JobDefinitionError } from '../../shared/errors/errors.ts';
import { DateTimePattern, systemTimeZone, ZoneClock, zoneIdProblem } from './date-time-pattern.ts';
import { shownArgument } from './file-sink-config.ts';

/** What an assigner knows of the moment a record is written, besides the record: Flink's BucketAssigner.Context. */
export interface BucketAssignerContext {
  /** The processing time (ms since the epoch) at which the record is written. */
  currentProcessingTime(): number;
  /** The sink's current watermark (-Infinity before the first). */
  currentWatermark(): number;
  /** The record's event-time timestamp, or null when it has none. */
  timestamp(): number | null;
}

/**
 * Gives each record the id of its bucket: a relative path under the sink's base path, not empty,
 * without '..', '.' or empty directory names (see bucketIdProblem). A class extending this, or
 * any object with getBucketId, is an assigner.
 */
export abstract class BucketAssigner<IN = unknown> {
  abstract getBucketId(element: IN, context: BucketAssignerContext): string;

  /** Flink's BasePathBucketAssigner: every record in the base path itself (its bucket id is ""). */
  static basePathBucketAssigner<IN = unknown>(): BucketAssigner<IN> {
    return new BasePathBucketAssigner<IN>();
  }

  /**
   * Flink's DateTimeBucketAssigner, the default: a record's bucket is the processing time at
   * which it is written, formatted by `formatString` (Java DateTimeFormatter letters, see
   * DateTimePattern; by default an hour a bucket, `2026-11-25--03`) in the time zone
   * `timezoneId` (an IANA id; by default the machine's, as Flink's ZoneId.systemDefault()).
   */
  static dateTimeBucketAssigner<IN = unknown>(formatString = 'yyyy-MM-dd--HH', timezoneId?: string): BucketAssigner<IN> {
    const call = 'BucketAssigner.dateTimeBucketAssigner';
    if (typeof formatString !== 'string') throw new JobDefinitionError(`${call}: the format must be a string, got ${shownArgument(formatString)}`);
    const pattern = DateTimePattern.parse(formatString, call);
    if (timezoneId !== undefined) {
      const problem = zoneIdProblem(timezoneId);
      if (problem !== null) throw new JobDefinitionError(`${call}: the time zone ${shownArgument(timezoneId)} ${problem}`);
    }
    const assigner = new DateTimeBucketAssigner<IN>(pattern, new ZoneClock(timezoneId ?? systemTimeZone()));
    // What the pattern's letters give is digits and words; only its literal text can make an id no bucket can have.
    const sample = assigner.bucketIdAt(0);
    const problem = bucketIdProblem(sample);
    if (problem !== null) throw new JobDefinitionError(`${call}: the format ${JSON.stringify(formatString)} makes bucket ids such as ${JSON.stringify(sample)}, which ${problem}`);
    return assigner;
  }
}

/** @internal Use BucketAssigner.basePathBucketAssigner(). */
export class BasePathBucketAssigner<IN = unknown> extends BucketAssigner<IN> {
  getBucketId(): string {
    return '';
  }

  override toString(): string {
    return 'BasePathBucketAssigner';
  }
}

/** @internal Use BucketAssigner.dateTimeBucketAssigner(). */
export class DateTimeBucketAssigner<IN = unknown> extends BucketAssigner<IN> {
  /** The last time formatted and its id: a sink asks once per batch, whose records share one instant. */
  private last: { time: number; id: string } | null = null;

  constructor(
    readonly pattern: DateTimePattern,
    readonly zone: ZoneClock,
  ) {
    super();
  }

  getBucketId(_element: IN, context: BucketAssignerContext): string {
    return this.bucketIdAt(context.currentProcessingTime());
  }

  /** The bucket of what is written at `time`. */
  bucketIdAt(time: number): string {
    if (this.last?.time !== time) this.last = { time, id: this.pattern.format(this.zone.fieldsAt(time)) };
    return this.last.id;
  }

  override toString(): string {
    return `DateTimeBucketAssigner(${JSON.stringify(this.pattern.pattern)}, ${this.zone.zone})`;
  }
}

/** Why `id` cannot be a bucket id, or null when it can: a relative path that stays under the base path. */
export function bucketIdProblem(id: unknown): string | null {
  if (typeof id !== 'string') return 'is no string';
  if (id === '') return 'is empty (BucketAssigner.basePathBucketAssigner() writes into the base path itself)';
  if (id.startsWith('/') || id.startsWith('\\') || /^[A-Za-z]:/.test(id)) return 'is an absolute path (a bucket id is a path relative to the base path)';
  if (id.includes('\0')) return 'contains NUL';
  if (id.includes('\\')) return "contains '\\' (directories in a bucket id are separated by '/')";
  for (const name of id.split('/')) {
    if (name === '..') return "contains '..' (a bucket stays under the base path)";
    if (name === '.' || name === '') return "has an empty or '.' directory name (a leading, trailing or doubled '/', or '.')";
  }
  return null;
}

/** `assigner`, if it is one (an object with getBucketId), for `call`. */
export function checkBucketAssigner(assigner: unknown, call: string): BucketAssigner<unknown> {
  const getBucketId: unknown = typeof assigner === 'object' && assigner !== null ? (assigner as { getBucketId?: unknown }).getBucketId : undefined;
  if (typeof getBucketId !== 'function') {
    throw new JobDefinitionError(
      `${call}: the bucket assigner must be a BucketAssigner (BucketAssigner.dateTimeBucketAssigner(), BucketAssigner.basePathBucketAssigner()) ` +
        `or an object with getBucketId(element, context), got ${shownArgument(assigner)}`,
    );
  }
  return assigner as BucketAssigner<unknown>;
}
