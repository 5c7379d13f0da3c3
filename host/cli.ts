/**
 * `sluice run job.ts [-D key=value ...] [--config file] [--from-checkpoint DIR] [-- args]`:
 * runs a TypeScript job file on the local runtime, with no build step. Configuration given here
 * applies to every environment the job creates and wins over values set in its code. SIGINT
 * and SIGTERM cancel the job: its workers are killed before the CLI exits.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SluiceError } from '../shared/errors/errors.ts';
import { CliUsageError, commandLineConfiguration, parseCliArgs, USAGE } from './cli-args.ts';
import { setCommandLineConfiguration } from './cli-config.ts';
import { onHostThreadJobs } from './runtime/host-thread-jobs.ts';
import { cancelAllJobs } from './runtime/job-runner.ts';
import { submissions } from './api/submissions.ts';
import { setJobEntry } from './shipping/job-entry.ts';

const HELP = `${USAGE}

Runs a Sluice job written in TypeScript on the local runtime.
  -D key=value            set a configuration entry (see docs/configuration.md); wins over the job's code
  --config <file>         read configuration entries from a file (flat YAML "key: value" lines, or JSON)
  --from-checkpoint <dir> resume from a retained checkpoint
  -- <args>               arguments for the job (process.argv after the job file)`;

export async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof CliUsageError) {
      process.stderr.write(`sluice: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (command.command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (command.command === 'version') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    process.stdout.write(`sluice ${pkg.version}\n`);
    return 0;
  }
  const jobPath = resolve(command.jobFile);
  if (!existsSync(jobPath)) {
    process.stderr.write(`sluice: no job file at ${jobPath}\n`);
    return 2;
  }
  const jobUrl = pathToFileURL(jobPath).href;
  try {
    const config = commandLineConfiguration(command);
    setCommandLineConfiguration(config);
    setJobEntry(jobUrl);
    process.argv = [process.argv[0]!, jobPath, ...command.jobArgs];
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      const code = signal === 'SIGINT' ? 130 : 143;
      // A second signal while the job's functions close ends the host at once (its workers with it).
      if (stopping) process.exit(code);
      stopping = true;
      process.stderr.write(`sluice: ${signal}: cancelling the job\n`);
      void cancelAllJobs().finally(() => process.exit(code));
    };
    // Not while a job runs functions on this thread (embedded mode): one stuck there would keep
    // a handler from ever running, so the signals' default (ending the process) must apply.
    // `on`, not `once`: execa's clean-up of worker processes (signal-exit) takes a signal that
    // no other listener is left for as the end of the host, kills the workers and raises the
    // signal again, and the job would end before its functions were closed.
    const trap = (count: number): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (count > 0) return;
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    };
    trap(0);
    onHostThreadJobs(trap);
    await import(jobUrl);
    const { jobsStarted, pendingSinks } = submissions();
    if (jobsStarted === 0) {
      process.stderr.write(
        `sluice: ${command.jobFile} ran no job. Perhaps you forgot to call \`await env.execute('name')\` (or ` +
          '`executeAndCollect()`) on the execution environment.\n',
      );
      return 1;
    }
    if (pendingSinks > 0) {
      process.stderr.write(
        `sluice: warning: ${pendingSinks} sink${pendingSinks === 1 ? ' was' : 's were'} defined after the last ` +
          'execute() and never ran. Call `await env.execute()` after defining them.\n',
      );
    }
    return 0;
  } catch (error) {
    process.stderr.write(`sluice: ${describe(error)}\n`);
    return 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof SluiceError) return `${error.name}: ${error.message}`;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
