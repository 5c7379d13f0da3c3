/**
 * The `sluice` command line:
 *
 *   sluice run <job file> [-D key=value ...] [--config <file>] [--from-checkpoint <dir>] [-- <job args>...]
 *   sluice help | --help | -h
 *   sluice version | --version | -v
 *
 * Parsing only collects strings; keys and values are checked by Configuration, which knows
 * that they came from the command line and says so in its errors.
 */
import { SluiceError } from '../shared/errors/errors.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { applyConfigFile } from '../shared/config/config-file.ts';

export const USAGE =
  'usage: sluice run <job file> [-D key=value ...] [--config <file>] [--from-checkpoint <dir>] [-- <job args>...]';

export interface RunCommand {
  command: 'run';
  jobFile: string;
  /** -D entries in the order given; a key given twice keeps its last value. */
  dynamicProperties: Record<string, string>;
  configFile?: string;
  fromCheckpoint?: string;
  jobArgs: string[];
}

export type CliCommand = RunCommand | { command: 'help' } | { command: 'version' };

/** The command line could not be understood; the message ends with the usage line. */
export class CliUsageError extends SluiceError {
  readonly usage = USAGE;

  constructor(readonly problem: string) {
    super(`${problem}\n${USAGE}`);
  }
}

const HELP = new Set(['help', '--help', '-h']);
const VERSION = new Set(['version', '--version', '-v']);

/** `argv` is what follows the script name (process.argv.slice(2)). */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || HELP.has(command)) return { command: 'help' };
  if (VERSION.has(command)) return { command: 'version' };
  if (command !== 'run') {
    const problem = command.startsWith('-') ? `unknown option '${command}'` : `unknown command '${command}'`;
    throw new CliUsageError(problem);
  }
  return parseRun(rest);
}

function parseRun(args: readonly string[]): CliCommand {
  let jobFile: string | undefined;
  let configFile: string | undefined;
  let fromCheckpoint: string | undefined;
  const dynamicProperties: Record<string, string> = {};
  let jobArgs: string[] = [];

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    // The option's value: the rest of this argument ("--config=f") or the next one.
    const valueOf = (option: string, inline: string | undefined, what: string): string => {
      if (inline !== undefined) {
        if (inline === '') throw new CliUsageError(`${option} needs ${what}`);
        return inline;
      }
      const next = args[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) throw new CliUsageError(`${option} needs ${what}`);
      i++;
      return next;
    };

    if (arg === '--') {
      jobArgs = args.slice(i + 1);
      break;
    }
    if (HELP.has(arg) && arg !== 'help') return { command: 'help' };
    if (arg.startsWith('-D')) {
      const property = valueOf('-D', arg.length > 2 ? arg.slice(2) : undefined, 'key=value');
      const eq = property.indexOf('=');
      const key = eq === -1 ? '' : property.slice(0, eq).trim();
      if (key === '') {
        const missing = eq === -1 ? "'='" : 'the key';
        throw new CliUsageError(`-D ${property}: expected key=value, missing ${missing}`);
      }
      dynamicProperties[key] = property.slice(eq + 1);
      continue;
    }
    const [option, inline] = splitLongOption(arg);
    if (option === '--config') {
      if (configFile !== undefined) throw new CliUsageError('--config given more than once');
      configFile = valueOf(option, inline, 'a file');
      continue;
    }
    if (option === '--from-checkpoint') {
      if (fromCheckpoint !== undefined) throw new CliUsageError('--from-checkpoint given more than once');
      fromCheckpoint = valueOf(option, inline, 'a checkpoint directory');
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') throw new CliUsageError(`unknown option '${arg}'`);
    if (jobFile !== undefined) {
      throw new CliUsageError(`unexpected argument '${arg}' after the job file; put job arguments after '--'`);
    }
    jobFile = arg;
  }

  if (jobFile === undefined) throw new CliUsageError('missing the job file to run');
  return {
    command: 'run',
    jobFile,
    dynamicProperties,
    ...(configFile === undefined ? {} : { configFile }),
    ...(fromCheckpoint === undefined ? {} : { fromCheckpoint }),
    jobArgs,
  };
}

function splitLongOption(arg: string): [string, string | undefined] {
  if (!arg.startsWith('--')) return [arg, undefined];
  const eq = arg.indexOf('=');
  return eq === -1 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

/**
 * The configuration the command line asks for: the --config file, then -D. The job's own
 * settings are added later with source 'code' and rank between the two. Throws ConfigError.
 */
export function commandLineConfiguration(command: RunCommand): Configuration {
  const conf = new Configuration();
  if (command.configFile !== undefined) applyConfigFile(conf, command.configFile);
  conf.setAll(command.dynamicProperties, 'command-line');
  if (command.fromCheckpoint !== undefined) {
    conf.set('execution.savepoint.path', command.fromCheckpoint, 'command-line', '--from-checkpoint');
  }
  return conf;
}
