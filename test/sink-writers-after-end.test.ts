/**
 * A sink that finishes (its inputs ended) while the job runs on seals what it still holds into
 * the next checkpoint (SinkWriter.preCommit after endOfInput), so that the checkpoint's
 * completion publishes it instead of the job's end.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BucketAssigner, FileSink } from '../host/index.ts';
import { FileWriter } from '../host/runtime/sinks/file-writer.ts';
import { PendingEpochs } from '../host/runtime/sinks/sink-writer.ts';

describe('sink writers after the end of their input', () => {
  it('PendingEpochs: what the end sealed goes with the next checkpoint, and only once', async () => {
    const published: number[][] = [];
    const epochs = new PendingEpochs<number>(true, (items) => void published.push([...items]));
    await epochs.add([1, 2]);
    epochs.seal(4);
    await epochs.add([3]);
    epochs.sealFinal();
    epochs.seal(5);
    epochs.seal(6);
    await epochs.commit(5);
    expect(published).toEqual([[1, 2], [3]]);
    await epochs.commit(Infinity);
    expect(published).toEqual([[1, 2], [3]]);
  });

  it('FileWriter: the file the end closed is in the next checkpoint\'s state and published by its commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-sink-end-'));
    try {
      const sink = FileSink.forRowFormat(dir).withBucketAssigner(BucketAssigner.basePathBucketAssigner());
      const writer = new FileWriter(sink as FileSink<unknown>, 0, [], { id: 'w1' });
      await writer.open();
      await writer.write(['a', 'b']);
      await writer.endOfInput();
      expect(readdirSync(dir)).toEqual(['.part-w1-0-0.inprogress']);
      await writer.preCommit(7);
      expect(writer.checkpointState(7)).toEqual({ files: [{ temp: join(dir, '.part-w1-0-0.inprogress'), final: join(dir, 'part-w1-0-0') }], writer: 'w1' });
      await writer.commit(7);
      expect(readdirSync(dir)).toEqual(['part-w1-0-0']);
      expect(readFileSync(join(dir, 'part-w1-0-0'), 'utf8')).toBe('a\nb\n');
      await writer.preCommit(8);
      expect(writer.checkpointState(8)).toEqual({ files: [], writer: 'w1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
