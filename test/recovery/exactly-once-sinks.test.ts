/**
 * Exactly-once sinks across restarts: print, executeAndCollect-style collection and the file
 * sink each deliver every record once, though the job failed and restarted midway (from a
 * checkpoint, after part of the output was already delivered).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addLogSink, FileSink } from '../../host/index.ts';
import { collect, environment } from '../support/jobs.ts';
import { finishedParts, hiddenFiles, inOrderOfFirstNumber } from '../support/part-files.ts';
import { FailsOnce } from './fails-once.ts';
import { Paced } from './paced-source.ts';

const N = 3000;

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  const dirs: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('print, collect and the file sink deliver each record once across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-once-'));
    dirs.push(dir);
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (/^p> /.test(text)) printed.push(...text.split('\n').filter((l) => l !== ''));
      else return write(chunk, ...(rest as []));
      return true;
    });
    let checkpoints = 0;
    const remove = addLogSink((r) => {
      if (/^checkpoint \d+ complete/.test(r.message)) checkpoints++;
    });
    const env = environment(mode, {
      'udf.arrow.batch.size': 100,
      'execution.checkpointing.interval': 50,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': 2,
      'restart-strategy.fixed-delay.delay': 0,
    });
    const stream = env.addSource(new Paced(N), 'Paced').map(new FailsOnce(2000)).setFailurePolicy('restart');
    stream.print('p');
    const collected = collect(stream);
    stream.sinkTo(FileSink.forRowFormat(join(dir, 'out')));
    const result = await env.execute('exactly once').finally(remove);

    const all = Array.from({ length: N }, (_, i) => i);
    expect(result.restarts).toBe(1);
    expect(checkpoints).toBeGreaterThan(1);
    expect(collected).toEqual(all);
    expect(printed).toEqual(all.map((i) => `p> ${i}`));
    const out = join(dir, 'out');
    expect(hiddenFiles(out)).toEqual([]);
    const parts = inOrderOfFirstNumber(finishedParts(out));
    expect(parts.every((p) => p.subtask === 0)).toBe(true);
    expect(parts.flatMap((p) => p.text.split('\n').slice(0, -1))).toEqual(all.map(String));
  });
});
