/** `sluice run job.ts`: configuration from the command line, exit codes, errors naming the key. */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const SLUICE = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
const JOB = fileURLToPath(new URL('../fixtures/jobs/modes-job.ts', import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/jobs/${name}`, import.meta.url));

function sluice(...args: string[]) {
  return execa(process.execPath, [SLUICE, ...args], { reject: false, env: { SLUICE_LOG_LEVEL: 'warn' } });
}

describe('the sluice command', () => {
  it.each(['process', 'thread', 'embedded'])('runs a job in %s mode chosen with -D, with the same output', async (mode) => {
    const run = await sluice('run', JOB, '-D', `udf.execution-mode=${mode}`, '-D', 'udf.bundle.size=3');
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')).toEqual(['1', '4', '9', '16', '25', `mode=${mode} bundle=3 records=5`]);
  });

  it('refuses a bad -D value before anything runs, naming the key', async () => {
    const run = await sluice('run', JOB, '-D', 'udf.bundle.size=0');
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("udf.bundle.size must be a positive integer, got '0' (from -D on the command line)");
  });

  it('fails a job file that ran no job, as Flink does, saying what was likely forgotten', async () => {
    const run = await sluice('run', fixture('no-execute-job.ts'));
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `sluice: ${fixture('no-execute-job.ts')} ran no job. Perhaps you forgot to call \`await env.execute('name')\` ` +
        '(or `executeAndCollect()`) on the execution environment.',
    );
  });

  it('warns of sinks defined after the last execute()', async () => {
    const run = await sluice('run', fixture('late-sink-job.ts'));
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('1\n2');
    expect(run.stderr).toBe(
      'sluice: warning: 2 sinks were defined after the last execute() and never ran. Call `await env.execute()` after defining them.',
    );
  });

  it('refuses a job file that does not exist', async () => {
    const run = await sluice('run', fixture('missing-job.ts'));
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`sluice: no job file at ${fixture('missing-job.ts')}`);
  });

  it('explains its usage', async () => {
    const run = await sluice('run');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('usage: sluice run <job file>');
  });
});
