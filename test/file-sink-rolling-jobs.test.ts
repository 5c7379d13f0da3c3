/**
 * A job's file sink rolls its part files by size in every execution mode: each file takes
 * records until it holds more than the part size, whatever the batches the records arrive in,
 * and every rolled file is committed at the end of the job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BucketAssigner, Encoder, FileSink, OutputFileConfig, RollingPolicy, Time } from '../host/index.ts';
import { environment, MODES } from './support/jobs.ts';
import { finishedPartFiles, hiddenFiles } from './support/part-files.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-rolling-jobs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(MODES)('%s mode', (mode) => {
  it('rolls part files at the part size: 30 lines of 3 bytes at 9 bytes a part, 4 lines a file', async () => {
    const dir = join(root, mode);
    const env = environment(mode, { 'udf.arrow.batch.size': 7 });
    env
      .fromCollection(Array.from({ length: 30 }, (_, i) => 5 + i))
      .map((x: number) => x * 2)
      .sinkTo(
        FileSink.forRowFormat(dir, Encoder.simpleStringEncoder())
          .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix('doubled').withPartSuffix('.txt').build())
          .withRollingPolicy(RollingPolicy.defaultRollingPolicy(9, Time.days(1), Time.days(1)))
          .withBucketAssigner(BucketAssigner.basePathBucketAssigner())
          .build(),
      );
    await env.execute('rolling by size');
    const doubled = Array.from({ length: 30 }, (_, i) => 2 * (5 + i));
    const expected: Record<string, string> = {};
    for (let n = 0; n * 4 < doubled.length; n++) expected[`doubled-<id>-0-${n}.txt`] = doubled.slice(4 * n, 4 * n + 4).map((x) => `${x}\n`).join('');
    expect(Object.keys(expected)).toHaveLength(8);
    expect(finishedPartFiles(dir)).toEqual(expected);
    expect(hiddenFiles(dir)).toEqual([]);
  });
});
