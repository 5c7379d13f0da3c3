import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors/errors.ts';
import { CliUsageError, commandLineConfiguration, parseCliArgs, USAGE } from '../host/cli-args.ts';

function usageErrorOf(argv: string[]): CliUsageError {
  try {
    parseCliArgs(argv);
  } catch (e) {
    if (e instanceof CliUsageError) return e;
    throw e;
  }
  throw new Error('expected a CliUsageError, nothing was thrown');
}

describe('parseCliArgs', () => {
  it('parses a bare run', () => {
    expect(parseCliArgs(['run', 'job.ts'])).toEqual({ command: 'run', jobFile: 'job.ts', dynamicProperties: {}, jobArgs: [] });
  });

  it('parses every option, before and after the job file', () => {
    expect(
      parseCliArgs([
        'run',
        '-D',
        'udf.bundle.size=1000',
        '--config',
        'conf.yaml',
        'jobs/word-count.ts',
        '-Dudf.execution-mode=thread',
        '--from-checkpoint',
        '/tmp/ckpt/chk-3',
        '--',
        'input.txt',
        '--verbose',
        '-D',
      ]),
    ).toEqual({
      command: 'run',
      jobFile: 'jobs/word-count.ts',
      dynamicProperties: { 'udf.bundle.size': '1000', 'udf.execution-mode': 'thread' },
      configFile: 'conf.yaml',
      fromCheckpoint: '/tmp/ckpt/chk-3',
      jobArgs: ['input.txt', '--verbose', '-D'],
    });
  });

  it('accepts --option=value forms', () => {
    expect(parseCliArgs(['run', 'job.ts', '--config=conf.json', '--from-checkpoint=/c'])).toEqual({
      command: 'run',
      jobFile: 'job.ts',
      dynamicProperties: {},
      configFile: 'conf.json',
      fromCheckpoint: '/c',
      jobArgs: [],
    });
  });

  it('keeps everything after the first = in a -D value, and the last of repeated keys', () => {
    const parsed = parseCliArgs(['run', 'job.ts', '-D', 'state.checkpoints.dir=/a=b', '-Dudf.bundle.size=1', '-Dudf.bundle.size=2', '-D', 'state.checkpoints.num-retained=']);
    expect(parsed).toEqual({
      command: 'run',
      jobFile: 'job.ts',
      dynamicProperties: { 'state.checkpoints.dir': '/a=b', 'udf.bundle.size': '2', 'state.checkpoints.num-retained': '' },
      jobArgs: [],
    });
  });

  it('trims spaces around a -D key but keeps the value as given', () => {
    expect(parseCliArgs(['run', 'job.ts', '-D', ' udf.bundle.time = 1 s'])).toEqual({
      command: 'run',
      jobFile: 'job.ts',
      dynamicProperties: { 'udf.bundle.time': ' 1 s' },
      jobArgs: [],
    });
  });

  it('passes an empty job argument list after a trailing --', () => {
    expect(parseCliArgs(['run', 'job.ts', '--'])).toEqual({ command: 'run', jobFile: 'job.ts', dynamicProperties: {}, jobArgs: [] });
  });

  it.each([[[]], [['help']], [['--help']], [['-h']], [['run', 'job.ts', '--help']], [['run', '-h']]])('%j asks for help', (argv) => {
    expect(parseCliArgs(argv)).toEqual({ command: 'help' });
  });

  it.each([[['version']], [['--version']], [['-v']]])('%j asks for the version', (argv) => {
    expect(parseCliArgs(argv)).toEqual({ command: 'version' });
  });

  it('treats --help after -- as a job argument', () => {
    expect(parseCliArgs(['run', 'job.ts', '--', '--help'])).toEqual({
      command: 'run',
      jobFile: 'job.ts',
      dynamicProperties: {},
      jobArgs: ['--help'],
    });
  });

  it.each([
    [['run'], 'missing the job file to run'],
    [['run', '-Dudf.bundle.size=1'], 'missing the job file to run'],
    [['run', '--', 'job.ts'], 'missing the job file to run'],
    [['start', 'job.ts'], "unknown command 'start'"],
    [['--verbose'], "unknown option '--verbose'"],
    [['run', 'job.ts', '--verbose'], "unknown option '--verbose'"],
    [['run', 'job.ts', '-x'], "unknown option '-x'"],
    [['run', 'job.ts', '-D', 'udf.bundle.size'], "-D udf.bundle.size: expected key=value, missing '='"],
    [['run', 'job.ts', '-Dudf.bundle.size'], "-D udf.bundle.size: expected key=value, missing '='"],
    [['run', 'job.ts', '-D=5'], '-D =5: expected key=value, missing the key'],
    [['run', 'job.ts', '-D'], '-D needs key=value'],
    [['run', 'job.ts', '-D', '--config', 'c.yaml'], '-D needs key=value'],
    [['run', 'job.ts', '--config'], '--config needs a file'],
    [['run', 'job.ts', '--config='], '--config needs a file'],
    [['run', 'job.ts', '--config', '-Dudf.bundle.size=1'], '--config needs a file'],
    [['run', 'job.ts', '--from-checkpoint'], '--from-checkpoint needs a checkpoint directory'],
    [['run', 'job.ts', '--config', 'a.yaml', '--config', 'b.yaml'], '--config given more than once'],
    [['run', 'job.ts', '--from-checkpoint', 'a', '--from-checkpoint=b'], '--from-checkpoint given more than once'],
    [['run', 'job.ts', 'input.txt'], "unexpected argument 'input.txt' after the job file; put job arguments after '--'"],
  ])('%j is refused', (argv, problem) => {
    const error = usageErrorOf(argv);
    expect(error.name).toBe('CliUsageError');
    expect(error.problem).toBe(problem);
    expect(error.message).toBe(`${problem}\n${USAGE}`);
    expect(error.usage).toBe(USAGE);
  });

  it('has one usage line', () => {
    expect(USAGE).toBe(
      'usage: sluice run <job file> [-D key=value ...] [--config <file>] [--from-checkpoint <dir>] [-- <job args>...]',
    );
  });
});

describe('commandLineConfiguration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-args-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the config file and -D, -D winning', () => {
    const file = join(dir, 'conf.yaml');
    writeFileSync(file, 'udf.bundle.size: 10\nudf.execution-mode: thread\n');
    const command = parseCliArgs(['run', 'job.ts', '-Dudf.bundle.size=20', '--config', file]);
    if (command.command !== 'run') throw new Error('expected a run command');
    const conf = commandLineConfiguration(command);
    expect(conf.toStringMap()).toEqual({ 'udf.bundle.size': '20', 'udf.execution-mode': 'thread' });
    expect(conf.sourceOf('udf.bundle.size')).toBe('command-line');
    expect(conf.sourceOf('udf.execution-mode')).toBe('file');
    // Code runs later but still ranks below -D.
    conf.set('udf.bundle.size', 30, 'code');
    expect(conf.get('udf.bundle.size')).toBe(20);
  });

  it('refuses a bad -D value, saying it came from the command line', () => {
    const command = parseCliArgs(['run', 'job.ts', '-D', 'udf.bundle.size=-1']);
    if (command.command !== 'run') throw new Error('expected a run command');
    const run = () => commandLineConfiguration(command);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new ConfigError('udf.bundle.size', "udf.bundle.size must be a positive integer, got '-1' (from -D on the command line)"));
  });

  it('refuses an unknown -D key with a suggestion', () => {
    const command = parseCliArgs(['run', 'job.ts', '-Dudf.bundel.size=1']);
    if (command.command !== 'run') throw new Error('expected a run command');
    expect(() => commandLineConfiguration(command)).toThrow(
      new ConfigError(
        'udf.bundel.size',
        "unknown configuration key 'udf.bundel.size' (did you mean 'udf.bundle.size'?) (from -D on the command line)",
      ),
    );
  });
});
