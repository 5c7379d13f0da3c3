/**
 * The file sink takes a `file://` URI as readTextFile does, refuses other schemes when it is
 * made, refuses a directory it cannot write into before the job starts, writes each record
 * into the bucket its assigner names, and an encoder or a bucket assigner that throws (or gives
 * an id no bucket can have) fails the job as a UserFunctionError naming the sink, the function
 * and the record, as addSink's function does. Regressions: `forRowFormat('file:///abs/dir')`
 * wrote into a relative directory named "file:"; an encoder's error and a base path that is a
 * file were raw Node errors raised once the job ran.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BucketAssigner, FileSink, JobDefinitionError, SourceFunction, UserFunctionError } from '../../host/index.ts';
import { failureOf } from '../support/failure.ts';
import { environment, MODES, type Mode } from '../support/jobs.ts';
import { finishedLines, finishedParts, hiddenFiles } from '../support/part-files.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-file-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What the copies of a source share with the test: a copy shares the class instances its original holds. */
class Runs {
  count = 0;
}

/** "a", "b", "c", counting its runs. */
class Letters extends SourceFunction<string> {
  constructor(private readonly runs: Runs) {
    super();
  }
  *run(): Generator<string> {
    this.runs.count++;
    yield* ['a', 'b', 'c'];
  }
}

function shout(value: unknown): string {
  if (value === 'b') throw new RangeError(`cannot shout ${String(value)}`);
  return String(value).toUpperCase();
}

/** Words by their first letter, a bucket a letter. */
class ByInitial extends BucketAssigner<string> {
  getBucketId(word: string): string {
    if (word === 'boom') throw new TypeError('no bucket for boom');
    return `initial=${word[0]}`;
  }
}

describe.each(MODES)('%s mode: the file sink', (mode) => {
  it('writes into the directory a file:// URI names', async () => {
    const dir = join(root, `uri-${mode}`);
    const env = environment(mode);
    env.fromCollection(['a', 'b']).sinkTo(FileSink.forRowFormat(pathToFileURL(dir).href));
    await env.execute('uri');
    // In the hour's bucket (two of them if the job ran across the turn of an hour).
    for (const part of finishedParts(dir)) expect(part.path).toMatch(/^\d{4}-\d\d-\d\d--\d\d\/part-[0-9a-f-]{36}-0-0$/);
    expect([finishedLines(dir), hiddenFiles(dir)]).toEqual([['a', 'b'], []]);
    expect(existsSync('file:')).toBe(false);
  });

  it('writes each record into the bucket its assigner names', async () => {
    const dir = join(root, `buckets-${mode}`);
    const env = environment(mode);
    env.fromCollection(['apple', 'bean', 'avocado', 'beet', 'cress']).sinkTo(FileSink.forRowFormat<string>(dir).withBucketAssigner(new ByInitial()));
    await env.execute('buckets');
    expect(finishedParts(dir).map((p) => [p.bucket, p.subtask, p.n, p.text])).toEqual([
      ['initial=a', 0, 0, 'apple\navocado\n'],
      ['initial=b', 0, 0, 'bean\nbeet\n'],
      ['initial=c', 0, 0, 'cress\n'],
    ]);
    expect(hiddenFiles(dir)).toEqual([]);
  });

  it.each([
    ['throws', new ByInitial(), 'bucket assigner ByInitial.getBucketId()', "'boom'", ['TypeError', 'no bucket for boom']],
    [
      'gives a bucket id outside the base path',
      { getBucketId: (w: string) => (w === 'boom' ? '../boom' : 'fine') },
      'bucket assigner getBucketId()',
      "'boom'",
      ['Error', 'getBucketId gave the bucket id "../boom", which contains \'..\' (a bucket stays under the base path)'],
    ],
  ])('fails the job as a UserFunctionError when the bucket assigner %s, naming the sink, the assigner and the record', async (_, assigner, functionName, record, cause) => {
    const dir = join(root, `assigner-${mode}-${functionName.length}`);
    const env = environment(mode);
    env
      .fromCollection(['apple', 'boom', 'cress'])
      .sinkTo(FileSink.forRowFormat<string>(dir).withBucketAssigner(assigner))
      .name('Sorted')
      .uid('sorted');
    const error = await failureOf<UserFunctionError>(env.execute('assigner'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect([error!.operator, error!.transform, error!.functionName, error!.record]).toEqual(['Sorted', 'sorted', functionName, record]);
    expect([error!.causeName, error!.causeMessage]).toEqual(cause);
    expect(finishedParts(dir)).toEqual([]);
  });

  it.each([
    ['an anonymous encoder', { encoder: (v: unknown) => shout(v) }, 'encoder'],
    ['a named function', { encoder: shout }, 'encoder shout'],
  ])('fails the job as a UserFunctionError when %s throws, naming the sink, the encoder and the record', async (_, options, functionName) => {
    const env = environment(mode);
    env.fromCollection(['a', 'b', 'c']).sinkTo(FileSink.forRowFormat(join(root, `encoder-${mode}`), options)).name('Shouted').uid('shouted');
    const error = await failureOf<UserFunctionError>(env.execute('encoder'));
    expect(error).toBeInstanceOf(UserFunctionError);
    expect([error!.operator, error!.transform, error!.functionName, error!.record]).toEqual(['Shouted', 'shouted', functionName, "'b'"]);
    expect([error!.causeName, error!.causeMessage]).toEqual(['RangeError', 'cannot shout b']);
    expect(error!.message).toMatch(new RegExp(`^operator 'Shouted': function ${functionName} threw: RangeError: cannot shout b\\n {2}record: 'b'\\n`));
  });

  it('refuses a base path that is a file, or lies under one, before the job starts', async () => {
    const file = join(root, `a-file-${mode}`);
    writeFileSync(file, 'x');
    await expectRefused(mode, file, new JobDefinitionError(`Sink: File Sink: cannot write into ${JSON.stringify(file)}: it is not a directory`));
    const under = join(file, 'out', 'deeper');
    await expectRefused(
      mode,
      under,
      new JobDefinitionError(`Sink: File Sink: cannot write into ${JSON.stringify(under)}: ${JSON.stringify(file)} is not a directory`),
    );
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
});

async function expectRefused(mode: Mode, directory: string, expected: Error): Promise<void> {
  const env = environment(mode);
  const runs = new Runs();
  env.addSource(new Letters(runs), 'Letters').sinkTo(FileSink.forRowFormat(directory));
  expect(await failureOf(env.execute('refused'))).toEqual(expected);
  expect(runs.count).toBe(0);
}

describe('FileSink.forRowFormat', () => {
  it('refuses another scheme than file://, naming the value', () => {
    expect(() => FileSink.forRowFormat('hdfs://namenode/out')).toThrow(
      new JobDefinitionError('FileSink.forRowFormat "hdfs://namenode/out": hdfs:// is not supported; give a local directory (a path or a file:// URI)'),
    );
  });

  it('takes the path a file:// URI names as its directory', () => {
    expect(FileSink.forRowFormat('file:///tmp/some%20out').directory).toBe('/tmp/some out');
  });
});
