/**
 * The date-time bucket assigner formats the processing time with Java DateTimeFormatter
 * patterns in a time zone, as Flink's DateTimeBucketAssigner: the default `yyyy-MM-dd--HH`, the
 * letters a bucket name uses, quoted literal text, and zones with their offsets and daylight
 * saving time. A pattern letter Sluice does not format, a zone it does not know, and a format
 * that makes ids no bucket can have are refused at the call.
 */
import { describe, expect, it } from 'vitest';
import { BucketAssigner, JobDefinitionError, type BucketAssignerContext } from '../host/index.ts';
import { DateTimePattern, systemTimeZone, ZoneClock } from '../host/api/date-time-pattern.ts';

/** Wednesday 25 November 2026, 03:07:09.045 UTC. */
const AT = Date.UTC(2026, 10, 25, 3, 7, 9, 45);

function format(pattern: string, time = AT, zone = 'UTC'): string {
  return DateTimePattern.parse(pattern, 'test').format(new ZoneClock(zone).fieldsAt(time));
}

/** A context at processing time `time`. */
function at(time: number): BucketAssignerContext {
  return { currentProcessingTime: () => time, currentWatermark: () => -Infinity, timestamp: () => null };
}

describe('DateTimePattern', () => {
  it.each<[string, string]>([
    ['yyyy-MM-dd--HH', '2026-11-25--03'],
    ["yyyy/MM/dd/'hour='HH", '2026/11/25/hour=03'],
    ['yyyyMMddHHmmss', '20261125030709'],
    ['yy-M-d H:m:s.SSS', '26-11-25 3:7:9.045'],
    ['uuuu y yyy S SSSSSS', '2026 2026 2026 0 045000'],
    ['EEE EEEE EEEEE MMM MMMM LLL', 'Wed Wednesday W Nov November Nov'],
    ['D DDD a h hh K k', '329 329 AM 3 03 3 3'],
    ['Q QQ QQQ qqqq', '4 04 Q4 4th quarter'],
    ['A', '11229045'],
    ["'it''s' '' 'yyyy'", "it's ' yyyy"],
    ['[yyyy]-[MM]', '2026-11'],
    ['yyyy_MM_dd@HH,mm', '2026_11_25@03,07'],
  ])('%s formats 2026-11-25T03:07:09.045Z in UTC as %s', (pattern, expected) => {
    expect(format(pattern)).toBe(expected);
  });

  it('formats midnight, noon and a year of five digits as Java does', () => {
    const midnight = Date.UTC(2026, 0, 1, 0, 0, 0, 0);
    expect(format('H k h K a D', midnight)).toBe('0 24 12 0 AM 1');
    expect(format('H k h K a', Date.UTC(2026, 0, 1, 12))).toBe('12 12 12 0 PM');
    expect(format('yyyy yy', Date.UTC(10_000, 0, 1))).toBe('+10000 00');
    expect(format('D', Date.UTC(2028, 11, 31))).toBe('366');
  });

  it('formats in the zone given, its offset and its daylight saving time included', () => {
    expect(format('yyyy-MM-dd--HH:mm', AT, 'Asia/Kolkata')).toBe('2026-11-25--08:37');
    expect(format('yyyy-MM-dd--HH EEE', AT, 'America/New_York')).toBe('2026-11-24--22 Tue');
    expect(format('HH', Date.UTC(2026, 0, 15, 12), 'Europe/Berlin')).toBe('13');
    expect(format('HH', Date.UTC(2026, 6, 15, 12), 'Europe/Berlin')).toBe('14');
  });

  it.each<[string, string]>([
    ['yyyy-MM-dd--HH-bb', `the pattern letter 'b', which Sluice does not format (it formats y u M L d D Q q E a H k K h m s S A; quote literal text: 'b')`],
    ['yyyy-MM-dd--HHz', `the pattern letter 'z', which Sluice does not format (it formats y u M L d D Q q E a H k K h m s S A; quote literal text: 'z')`],
    ['yyyy-MM-ddd', "too many pattern letters 'd' (3; at most 2)"],
    ['HHH', "too many pattern letters 'H' (3; at most 2)"],
    ["yyyy-'MM", "a quote at 5 that is not closed (write '' for a quote)"],
    ['yyyy#MM', "'#', which Java reserves (quote it: '#')"],
    ['yyyy]MM', "a ']' at 4 without a '[' before it"],
  ])('refuses %s: it has %s', (pattern, why) => {
    expect(() => BucketAssigner.dateTimeBucketAssigner(pattern, 'UTC')).toThrow(
      new JobDefinitionError(`BucketAssigner.dateTimeBucketAssigner: the format ${JSON.stringify(pattern)} has ${why}`),
    );
  });
});

describe('BucketAssigner.dateTimeBucketAssigner', () => {
  it('names a record’s bucket by the processing time of its context, an hour a bucket by default', () => {
    const hourly = BucketAssigner.dateTimeBucketAssigner('yyyy-MM-dd--HH', 'UTC');
    expect(hourly.getBucketId('any', at(AT))).toBe('2026-11-25--03');
    expect(hourly.getBucketId('any', at(Date.UTC(2026, 10, 25, 3, 59, 59, 999)))).toBe('2026-11-25--03');
    expect(hourly.getBucketId('any', at(Date.UTC(2026, 10, 25, 4)))).toBe('2026-11-25--04');
    expect(BucketAssigner.dateTimeBucketAssigner("yyyy/MM/dd/'h'HH", 'Asia/Tokyo').getBucketId('any', at(AT))).toBe('2026/11/25/h12');
  });

  it('formats in the machine’s time zone when given none, as Flink’s ZoneId.systemDefault()', () => {
    const assigner = BucketAssigner.dateTimeBucketAssigner();
    expect(String(assigner)).toBe(`DateTimeBucketAssigner("yyyy-MM-dd--HH", ${systemTimeZone()})`);
    const local = new Date(AT);
    const two = (n: number): string => String(n).padStart(2, '0');
    expect(assigner.getBucketId('any', at(AT))).toBe(`${local.getFullYear()}-${two(local.getMonth() + 1)}-${two(local.getDate())}--${two(local.getHours())}`);
  });

  it.each<[string, () => unknown, string]>([
    ['a format that is no string', () => BucketAssigner.dateTimeBucketAssigner(7 as never), 'the format must be a string, got 7'],
    [
      'an unknown time zone',
      () => BucketAssigner.dateTimeBucketAssigner('yyyy', 'Mars/Olympus_Mons'),
      'the time zone "Mars/Olympus_Mons" is no time zone id Sluice knows (an IANA id, such as "UTC" or "Europe/Berlin")',
    ],
    ['a time zone that is no string', () => BucketAssigner.dateTimeBucketAssigner('yyyy', 1 as never), 'the time zone 1 must be a time zone id (IANA, such as "UTC" or "Europe/Berlin")'],
    [
      'an empty format',
      () => BucketAssigner.dateTimeBucketAssigner('', 'UTC'),
      'the format "" makes bucket ids such as "", which is empty (BucketAssigner.basePathBucketAssigner() writes into the base path itself)',
    ],
    [
      'a format that makes absolute paths',
      () => BucketAssigner.dateTimeBucketAssigner("'/'yyyy", 'UTC'),
      'the format "\'/\'yyyy" makes bucket ids such as "/1970", which is an absolute path (a bucket id is a path relative to the base path)',
    ],
    [
      'a format that leaves the base path',
      () => BucketAssigner.dateTimeBucketAssigner("yyyy'/../'MM", 'UTC'),
      'the format "yyyy\'/../\'MM" makes bucket ids such as "1970/../01", which contains \'..\' (a bucket stays under the base path)',
    ],
    [
      'a format with an empty directory name',
      () => BucketAssigner.dateTimeBucketAssigner("yyyy'//'MM", 'UTC'),
      'the format "yyyy\'//\'MM" makes bucket ids such as "1970//01", which has an empty or \'.\' directory name (a leading, trailing or doubled \'/\', or \'.\')',
    ],
  ])('refuses %s at the call', (_, call, message) => {
    expect(call).toThrow(new JobDefinitionError(`BucketAssigner.dateTimeBucketAssigner: ${message}`));
  });
});

describe('BucketAssigner.basePathBucketAssigner', () => {
  it('puts every record into the base path itself', () => {
    expect(BucketAssigner.basePathBucketAssigner().getBucketId('any', at(AT))).toBe('');
  });
});
