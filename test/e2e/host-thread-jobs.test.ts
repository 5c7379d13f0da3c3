/**
 * Embedded mode runs functions on the host's own thread. What their asynchronous code lets
 * escape fails the job with an EscapedFunctionError instead of ending the host with Node's own
 * report; and while such a job runs the CLI leaves SIGINT to its default, so that Ctrl-C ends a
 * function stuck in an endless loop (no handler could run on the blocked thread).
 */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const SLUICE = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
const JOB = fileURLToPath(new URL('../fixtures/jobs/host-thread-job.ts', import.meta.url));

function run(how: string) {
  return execa(process.execPath, [SLUICE, 'run', JOB, '--', how], { reject: false, env: { SLUICE_LOG_LEVEL: 'warn' } });
}

describe('embedded mode, what escapes a function', () => {
  it.each([
    ['rejection', 'an unhandled promise rejection', 'Error: floating rejection at 2'],
    ['timer', 'an uncaught exception', 'Error: thrown in a timer at 2'],
  ])('a %s fails the job, saying what escaped', async (how, kind, what) => {
    const result = await run(how);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).not.toContain('after:');
    const first = result.stderr.split('\n').find((l) => l.startsWith('sluice: '));
    expect(first).toBe(
      `sluice: EscapedFunctionError: ${kind} in embedded mode, outside any call of a function (from a function's ` +
        `asynchronous code: a timer, or a promise nobody awaited): ${what}`,
    );
  });

  it('SIGINT ends a job whose function never returns', async () => {
    const child = execa(process.execPath, [SLUICE, 'run', JOB, '--', 'loop'], { reject: false, env: { SLUICE_LOG_LEVEL: 'warn' } });
    // Once the function is in its loop, no handler of the host's could run.
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('looping')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    expect(result.signal).toBe('SIGINT');
    expect(result.stdout).toBe('');
  });
});
