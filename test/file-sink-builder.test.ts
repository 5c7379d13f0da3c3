/**
 * FileSink as PyFlink's word_count example builds it, in camelCase:
 * FileSink.forRowFormat(dir, Encoder.simpleStringEncoder()).withOutputFileConfig(...)
 * .withRollingPolicy(...).build(), writing into the bucket of the hour, as Flink's default
 * bucket assigner does. The builder is a FileSink too, so sinkTo() takes it without build() (as
 * it takes forRowFormat(dir, options)); build() copies it. Every argument is checked at its call,
 * naming the call and the value.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BucketAssigner, Encoder, FileSink, JobDefinitionError, OutputFileConfig, RollingPolicy, Time, Types } from '../host/index.ts';
import { systemTimeZone } from '../host/api/date-time-pattern.ts';
import { environment, MODES } from './support/jobs.ts';
import { finishedLines, finishedPartFiles, finishedParts, hiddenFiles } from './support/part-files.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-file-sink-builder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(MODES)('%s mode: the builder PyFlink’s word_count writes', (mode) => {
  it('writes the word counts into the hour’s bucket, in prefix-<writer id>-0-0.ext, each record as print() shows it', async () => {
    const dir = join(root, `word-count-${mode}`);
    const env = environment(mode);
    env
      .fromCollection(['to be or not to be', 'that is'])
      .flatMap((line: string) => line.split(' ').map((w): [string, number] => [w, 1]), Types.TUPLE([Types.STRING(), Types.LONG()]))
      .keyBy((t) => t[0])
      .reduce((a, b) => [a[0], a[1] + b[1]])
      .sinkTo(
        FileSink.forRowFormat(dir, Encoder.simpleStringEncoder())
          .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix('prefix').withPartSuffix('.ext').build())
          .withRollingPolicy(RollingPolicy.defaultRollingPolicy())
          .build(),
      );
    await env.execute('word count');
    const parts = finishedParts(dir);
    // One file; two if the job ran across the turn of an hour (one in each hour's bucket).
    expect(parts.length === 1 || (parts.length === 2 && parts[0]!.bucket !== parts[1]!.bucket)).toBe(true);
    for (const part of parts) expect(part.path).toMatch(/^\d{4}-\d\d-\d\d--\d\d\/prefix-[0-9a-f-]{36}-0-0\.ext$/);
    expect(finishedLines(dir)).toEqual(['["to",1]', '["be",1]', '["or",1]', '["not",1]', '["to",2]', '["be",2]', '["that",1]', '["is",1]']);
    expect(hiddenFiles(dir)).toEqual([]);
  });
});

describe('embedded mode: what sinkTo takes', () => {
  it('a builder without build(), as it is set when the job runs', async () => {
    const dir = join(root, 'unbuilt');
    const env = environment('embedded');
    env
      .fromCollection(['a', 'b'])
      .sinkTo(
        FileSink.forRowFormat(dir, Encoder.simpleStringEncoder())
          .withOutputFileConfig(OutputFileConfig.builder().withPartSuffix('.txt').build())
          .withBucketAssigner(BucketAssigner.basePathBucketAssigner()),
      );
    await env.execute('unbuilt');
    expect(finishedPartFiles(dir)).toEqual({ 'part-<id>-0-0.txt': 'a\nb\n' });
    expect(hiddenFiles(dir)).toEqual([]);
  });

  it('the options form, and an OutputFileConfig given after it replaces its names but keeps its encoder and bucket assigner', async () => {
    const dir = join(root, 'options');
    const env = environment('embedded');
    const stream = env.fromCollection([1, 2]);
    const base = BucketAssigner.basePathBucketAssigner();
    stream.sinkTo(FileSink.forRowFormat(join(dir, 'plain'), { partPrefix: 'n', partSuffix: '.csv', encoder: (v) => `#${String(v)}`, bucketAssigner: base }));
    stream.sinkTo(
      FileSink.forRowFormat(join(dir, 'renamed'), { partPrefix: 'n', encoder: (v) => `#${String(v)}`, bucketAssigner: { getBucketId: (v) => `v=${String(v)}` } })
        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix('m').build())
        .build(),
    );
    await env.execute('options');
    expect(finishedPartFiles(join(dir, 'plain'))).toEqual({ 'n-<id>-0-0.csv': '#1\n#2\n' });
    expect(finishedPartFiles(join(dir, 'renamed'))).toEqual({ 'v=1/m-<id>-0-0': '#1\n', 'v=2/m-<id>-0-0': '#2\n' });
  });
});

describe('FileSink.forRowFormat(...).build()', () => {
  it('is not changed by what the builder is given afterwards', () => {
    const builder = FileSink.forRowFormat(join(root, 'copy'));
    const onCheckpoint = RollingPolicy.onCheckpointRollingPolicy();
    const base = BucketAssigner.basePathBucketAssigner();
    const built = builder.withRollingPolicy(onCheckpoint).withBucketAssigner(base).build();
    const later = { getBucketId: (): string => 'later' };
    builder
      .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix('later').build())
      .withRollingPolicy(RollingPolicy.defaultRollingPolicy(1))
      .withBucketAssigner(later)
      .withBucketCheckInterval(Time.seconds(1));
    expect(built).not.toBe(builder);
    expect([built.options.partPrefix, built.options.partSuffix, built.rollingPolicy, built.bucketAssigner, built.bucketCheckInterval]).toEqual([
      'part',
      '',
      onCheckpoint,
      base,
      60_000,
    ]);
    expect([builder.options.partPrefix, builder.rollingPolicy.limits, builder.bucketAssigner, builder.bucketCheckInterval]).toEqual([
      'later',
      { partSizeBytes: 1, rolloverIntervalMs: 60_000, inactivityIntervalMs: 60_000 },
      later,
      1000,
    ]);
  });

  it('has Flink’s defaults unless given others: an hour a bucket in the machine’s zone, checked every 60 s', () => {
    const sink = FileSink.forRowFormat(join(root, 'default')).build();
    expect(String(sink.bucketAssigner)).toBe(`DateTimeBucketAssigner("yyyy-MM-dd--HH", ${systemTimeZone()})`);
    expect(sink.bucketCheckInterval).toBe(60_000);
  });

  it('has the default rolling policy unless given another: 128 MiB, 60 s open, 60 s idle', () => {
    expect(FileSink.forRowFormat(join(root, 'default')).build().rollingPolicy.limits).toEqual({
      partSizeBytes: 128 * 1024 * 1024,
      rolloverIntervalMs: 60_000,
      inactivityIntervalMs: 60_000,
    });
    expect(RollingPolicy.defaultRollingPolicy(10, Time.seconds(2), Time.minutes(1)).limits).toEqual({
      partSizeBytes: 10,
      rolloverIntervalMs: 2000,
      inactivityIntervalMs: 60_000,
    });
    expect(RollingPolicy.onCheckpointRollingPolicy().limits).toBe(null);
  });

  it('takes the encoder names of UTF-8 that PyFlink does', () => {
    for (const name of ['UTF-8', 'utf-8', 'utf8']) expect(Encoder.simpleStringEncoder(name).charset).toBe('UTF-8');
  });
});

/** What `call` throws (arguments of the wrong kind are passed `as never`, as a JavaScript caller could pass them). */
function refusal(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return 'not refused';
}

describe('refusals, at the call, naming it and the value', () => {
  const dir = join(root, 'refused');
  it.each<[string, () => unknown, string]>([
    [
      'a base path that is no string',
      () => FileSink.forRowFormat(42 as never),
      'FileSink.forRowFormat: the base path must be a non-empty string (a directory or a file:// URI), got 42',
    ],
    [
      'an empty base path',
      () => FileSink.forRowFormat(''),
      'FileSink.forRowFormat: the base path must be a non-empty string (a directory or a file:// URI), got ""',
    ],
    [
      'a second argument that is neither an Encoder nor options',
      () => FileSink.forRowFormat(dir, 'utf-8' as never),
      'FileSink.forRowFormat: the second argument must be an Encoder (Encoder.simpleStringEncoder()) or options { partPrefix?, partSuffix?, encoder?, bucketAssigner? }, got "utf-8"',
    ],
    [
      'an encoder function in place of the options',
      () => FileSink.forRowFormat(dir, String as never),
      'FileSink.forRowFormat: the second argument must be an Encoder (Encoder.simpleStringEncoder()) or options { partPrefix?, partSuffix?, encoder?, bucketAssigner? }, got a function',
    ],
    [
      'an unknown option',
      () => FileSink.forRowFormat(dir, { prefix: 'x' } as never),
      'FileSink.forRowFormat: unknown option "prefix" (the options are partPrefix, partSuffix, encoder and bucketAssigner)',
    ],
    [
      'a partPrefix that is a path',
      () => FileSink.forRowFormat(dir, { partPrefix: 'sub/part' }),
      'FileSink.forRowFormat: partPrefix must not contain "/", "\\" or NUL (a part file\'s name is no path; a BucketAssigner makes directories), got "sub/part"',
    ],
    ['a partSuffix that is no string', () => FileSink.forRowFormat(dir, { partSuffix: 1 } as never), 'FileSink.forRowFormat: partSuffix must be a string, got 1'],
    [
      'an encoder that is neither a function nor an Encoder',
      () => FileSink.forRowFormat(dir, { encoder: 'json' } as never),
      'FileSink.forRowFormat: the encoder must be a function (value) => string or an Encoder, got "json"',
    ],
    [
      'an OutputFileConfig builder not built',
      () => FileSink.forRowFormat(dir).withOutputFileConfig(OutputFileConfig.builder() as never),
      'FileSink.forRowFormat(...).withOutputFileConfig takes an OutputFileConfig (OutputFileConfig.builder()...build()), got an OutputFileConfigBuilder: call build() on it',
    ],
    [
      'a rolling policy that is no RollingPolicy',
      () => FileSink.forRowFormat(dir).withRollingPolicy({ partSize: 10 } as never),
      'FileSink.forRowFormat(...).withRollingPolicy takes a RollingPolicy (RollingPolicy.defaultRollingPolicy() or RollingPolicy.onCheckpointRollingPolicy()), got an object',
    ],
    [
      'a bucket assigner option that is no assigner',
      () => FileSink.forRowFormat(dir, { bucketAssigner: 'hourly' } as never),
      'FileSink.forRowFormat: the bucket assigner must be a BucketAssigner (BucketAssigner.dateTimeBucketAssigner(), BucketAssigner.basePathBucketAssigner()) or an object with getBucketId(element, context), got "hourly"',
    ],
    [
      'a bucket assigner without getBucketId',
      () => FileSink.forRowFormat(dir).withBucketAssigner({ bucketId: () => 'x' } as never),
      'FileSink.forRowFormat(...).withBucketAssigner: the bucket assigner must be a BucketAssigner (BucketAssigner.dateTimeBucketAssigner(), BucketAssigner.basePathBucketAssigner()) or an object with getBucketId(element, context), got an object',
    ],
    [
      'a bucket assigner that is a function',
      () => FileSink.forRowFormat(dir).withBucketAssigner((() => 'x') as never),
      'FileSink.forRowFormat(...).withBucketAssigner: the bucket assigner must be a BucketAssigner (BucketAssigner.dateTimeBucketAssigner(), BucketAssigner.basePathBucketAssigner()) or an object with getBucketId(element, context), got a function',
    ],
    [
      'a bucket check interval of 0',
      () => FileSink.forRowFormat(dir).withBucketCheckInterval(0),
      'FileSink.forRowFormat(...).withBucketCheckInterval: the interval must be a positive number of milliseconds or a Time, got 0',
    ],
    [
      'a bucket check interval as a string',
      () => FileSink.forRowFormat(dir).withBucketCheckInterval('1m' as never),
      'FileSink.forRowFormat(...).withBucketCheckInterval: the interval must be a positive number of milliseconds or a Time, got "1m"',
    ],
    [
      'another charset than UTF-8',
      () => Encoder.simpleStringEncoder('ISO-8859-1'),
      'Encoder.simpleStringEncoder: Sluice writes text files as UTF-8 only, got the charset "ISO-8859-1"',
    ],
    [
      'a part prefix that is no string',
      () => OutputFileConfig.builder().withPartPrefix(null as never),
      'OutputFileConfig.builder().withPartPrefix: the prefix must be a string, got null',
    ],
    [
      'a part suffix with a backslash',
      () => OutputFileConfig.builder().withPartSuffix('.a\\b'),
      'OutputFileConfig.builder().withPartSuffix: the suffix must not contain "/", "\\" or NUL (a part file\'s name is no path; a BucketAssigner makes directories), got ".a\\\\b"',
    ],
    ['a part size of 0', () => RollingPolicy.defaultRollingPolicy(0), 'RollingPolicy.defaultRollingPolicy: partSize must be a positive integer (bytes), got 0'],
    ['a part size of 1.5', () => RollingPolicy.defaultRollingPolicy(1.5), 'RollingPolicy.defaultRollingPolicy: partSize must be a positive integer (bytes), got 1.5'],
    [
      'a part size as a bigint',
      () => RollingPolicy.defaultRollingPolicy(1024n as never),
      'RollingPolicy.defaultRollingPolicy: partSize must be a positive integer (bytes), got 1024n',
    ],
    [
      'a negative rollover interval',
      () => RollingPolicy.defaultRollingPolicy(1024, -1),
      'RollingPolicy.defaultRollingPolicy: rolloverInterval must be a positive number of milliseconds or a Time, got -1',
    ],
    [
      'an infinite rollover interval',
      () => RollingPolicy.defaultRollingPolicy(1024, Infinity),
      'RollingPolicy.defaultRollingPolicy: rolloverInterval must be a positive number of milliseconds or a Time, got Infinity',
    ],
    [
      'an inactivity interval of no time',
      () => RollingPolicy.defaultRollingPolicy(1024, 1000, Time.seconds(0)),
      'RollingPolicy.defaultRollingPolicy: inactivityInterval must be a positive number of milliseconds or a Time, got Time.milliseconds(0)',
    ],
    [
      'an inactivity interval as a string',
      () => RollingPolicy.defaultRollingPolicy(1024, 1000, '60s' as never),
      'RollingPolicy.defaultRollingPolicy: inactivityInterval must be a positive number of milliseconds or a Time, got "60s"',
    ],
  ])('%s', (_, call, message) => {
    expect(refusal(call)).toEqual(new JobDefinitionError(message));
  });
});
