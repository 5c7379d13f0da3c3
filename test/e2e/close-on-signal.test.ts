/**
 * Ctrl-C to `sluice run` cancels the job as JobClient.cancel() does: the functions are closed
 * before the workers are killed and the CLI exits. A terminal sends the signal to the whole
 * process group, the worker processes included, as this test does. (Embedded mode leaves the
 * signal to its default: see host-thread-jobs.test.ts.) SIGTERM to the group (what a service
 * manager or a container runtime sends) kills worker processes at once: that is the
 * cancellation's doing, and no error is logged for it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { describe, expect, it } from 'vitest';
import { openedAndClosed, readMarks } from './close-on-functions.ts';

const SLUICE = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
const JOB = fileURLToPath(new URL('../fixtures/jobs/close-on-signal-job.ts', import.meta.url));

/**
 * Starts the job with `sluice run` in a process group of its own, as a terminal gives a command
 * (a signal to the group reaches it all), and waits until both of its maps are open (or it ended).
 */
async function runUntilMapsOpen(mode: 'process' | 'thread'): Promise<{ child: ResultPromise<{ reject: false; detached: true }>; file: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'close-on-signal-')), 'marks');
  const child = execa(process.execPath, [SLUICE, 'run', JOB, '-D', `udf.execution-mode=${mode}`, '--', file], {
    reject: false,
    detached: true,
    env: { SLUICE_LOG_LEVEL: 'warn' },
  });
  while (readMarks(file).filter((m) => m.startsWith('open map')).length < 2) {
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, file };
}

describe.each(['process', 'thread'] as const)('%s mode', (mode) => {
  it('SIGINT to the process group of `sluice run` closes every function once, then the CLI exits with 130', async () => {
    const { child, file } = await runUntilMapsOpen(mode);
    process.kill(-child.pid!, 'SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('sluice: SIGINT: cancelling the job');
    expect(readMarks(file).sort()).toEqual([...openedAndClosed('map', 2), ...openedAndClosed('source', 1), 'open sink a0 s0', 'close sink'].sort());
  });

  it('SIGTERM to the process group of `sluice run` cancels the job without logging an error for the workers it ended; the CLI exits with 143', async () => {
    const { child } = await runUntilMapsOpen(mode);
    process.kill(-child.pid!, 'SIGTERM');
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect(result.stderr.split('\n').filter((line) => / (ERROR|WARN) /.test(line))).toEqual([]);
    expect(result.stderr).toContain('sluice: SIGTERM: cancelling the job');
  });
});
