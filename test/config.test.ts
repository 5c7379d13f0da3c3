import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors/errors.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { CONFIG_KEYS, CONFIG_KEY_NAMES, type ConfigKey } from '../shared/config/keys.ts';
import { editDistance, suggestKey } from '../shared/config/key-suggestion.ts';
import {
  formatDuration,
  formatMemorySize,
  parseBoolean,
  parseDurationMs,
  parseInteger,
  parseMemoryBytes,
} from '../shared/config/values.ts';

const MiB = 1024 * 1024;

/** The ConfigError `fn` throws, so its key and message can be asserted exactly. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

function messageOf(fn: () => unknown): string {
  return configErrorOf(fn).message;
}

describe('integer values', () => {
  it.each([
    [1000, 1000],
    ['1000', 1000],
    [' 42 ', 42],
    ['+7', 7],
    ['-3', -3],
    ['007', 7],
    [0, 0],
    ['-0', 0],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  ])('parses %j as %j', (raw, expected) => {
    expect(parseInteger(raw)).toBe(expected);
  });

  it.each([['1_000'], ['1e3'], ['1.5'], [1.5], ['0x10'], [''], ['  '], ['ten'], [NaN], [Infinity], [true], [null], [undefined], ['9007199254740993'], [2 ** 53]])(
    'refuses %j',
    (raw) => {
      expect(parseInteger(raw)).toBe(undefined);
    },
  );
});

describe('boolean values', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['FALSE', false],
    [' True ', true],
  ])('parses %j as %j', (raw, expected) => {
    expect(parseBoolean(raw)).toBe(expected);
  });

  it.each([['yes'], ['1'], [1], [0], [''], [null]])('refuses %j', (raw) => {
    expect(parseBoolean(raw)).toBe(undefined);
  });
});

describe('duration values', () => {
  it.each([
    [1000, 1000],
    ['1000', 1000],
    ['500 ms', 500],
    ['500ms', 500],
    ['500 MS', 500],
    ['10 s', 10_000],
    ['10s', 10_000],
    ['3 seconds', 3000],
    ['2 min', 120_000],
    ['2m', 120_000],
    ['1 h', 3_600_000],
    ['1 d', 86_400_000],
    ['2 days', 172_800_000],
    ['0', 0],
  ])('parses %j as %j ms', (raw, expected) => {
    expect(parseDurationMs(raw)).toBe(expected);
  });

  it.each([['1.5 s'], [1.5], ['10 fortnights'], ['s'], ['-1 s'], ['1 s 2'], ['1_000 ms'], [''], [true]])('refuses %j', (raw) => {
    expect(parseDurationMs(raw)).toBe(undefined);
  });

  it.each([
    [0, '0 ms'],
    [200, '200 ms'],
    [1000, '1 s'],
    [1500, '1500 ms'],
    [120_000, '2 min'],
    [600_000, '10 min'],
    [7_200_000, '2 h'],
    [86_400_000, '1 d'],
  ])('formats %j ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDurationMs(text)).toBe(ms);
  });
});

describe('memory size values', () => {
  it.each([
    [1024, 1024],
    ['1024', 1024],
    ['512m', 512 * MiB],
    ['512 mb', 512 * MiB],
    ['512 MiB', 512 * MiB],
    ['1g', 1024 * MiB],
    ['1 GB', 1024 * MiB],
    ['64 KiB', 64 * 1024],
    ['64k', 64 * 1024],
    ['2 t', 2 * 1024 ** 4],
    ['100 b', 100],
    ['100 bytes', 100],
    ['0', 0],
  ])('parses %j as %j bytes', (raw, expected) => {
    expect(parseMemoryBytes(raw)).toBe(expected);
  });

  it.each([['1.5g'], ['64 kibs'], ['-1'], ['m'], ['1 p'], [2.5], [''], [false]])('refuses %j', (raw) => {
    expect(parseMemoryBytes(raw)).toBe(undefined);
  });

  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [1536, '1536 bytes'],
    [64 * MiB, '64 MiB'],
    [3 * 1024 * MiB, '3 GiB'],
    [1024 ** 4, '1 TiB'],
  ])('formats %j bytes as %j', (bytes, text) => {
    expect(formatMemorySize(bytes)).toBe(text);
    expect(parseMemoryBytes(text)).toBe(bytes);
  });
});

describe('defaults', () => {
  it('holds every default when nothing is set', () => {
    const conf = new Configuration();
    expect(conf.get('udf.execution-mode')).toBe('process');
    expect(conf.get('udf.bundle.size')).toBe(100_000);
    expect(conf.get('udf.bundle.time')).toBe(1000);
    expect(conf.get('udf.arrow.batch.size')).toBe(10_000);
    expect(conf.get('udf.state.cache-size')).toBe(100_000);
    expect(conf.get('udf.state.cache-max-bytes')).toBe(64 * MiB);
    expect(conf.get('udf.map-state.read-cache-size')).toBe(1000);
    expect(conf.get('udf.map-state.write-cache-size')).toBe(1000);
    expect(conf.get('udf.map-state.iterate-response-batch-size')).toBe(1000);
    expect(conf.get('udf.operator-chaining.enabled')).toBe(true);
    expect(conf.get('udf.worker.memory-limit')).toBe(0);
    expect(conf.get('udf.thread.spin-time')).toBe(0);
    expect(conf.get('udf.process.data-thread')).toBe(true);
    expect(conf.get('udf.worker.heartbeat-interval')).toBe(1000);
    expect(conf.get('udf.worker.heartbeat-timeout')).toBe(30_000);
    expect(conf.get('udf.worker.startup-timeout')).toBe(60_000);
    expect(conf.get('task.cancellation.timeout')).toBe(10_000);
    expect(conf.get('udf.in-flight.max-batches')).toBe(8);
    expect(conf.get('udf.in-flight.target-time')).toBe(20);
    expect(conf.get('udf.in-flight.max-bytes')).toBe(16 * MiB);
    expect(conf.get('udf.failure-policy')).toBe('fail');
    expect(conf.get('parallelism.default')).toBe(1);
    expect(conf.get('pipeline.max-parallelism')).toBe(128);
    expect(conf.get('pipeline.auto-watermark-interval')).toBe(200);
    expect(conf.get('execution.runtime-mode')).toBe('streaming');
    expect(conf.get('execution.checkpointing.interval')).toBe(0);
    expect(conf.get('execution.checkpointing.timeout')).toBe(600_000);
    expect(conf.get('execution.checkpointing.min-pause')).toBe(0);
    expect(conf.get('state.checkpoints.dir')).toBe('');
    expect(conf.get('execution.savepoint.ignore-unclaimed-state')).toBe(false);
    expect(conf.get('state.checkpoints.num-retained')).toBe(1);
    expect(conf.get('restart-strategy.type')).toBe('none');
    expect(conf.get('restart-strategy.fixed-delay.attempts')).toBe(1);
    expect(conf.get('restart-strategy.fixed-delay.delay')).toBe(1000);
    expect(conf.get('restart-strategy.failure-rate.max-failures-per-interval')).toBe(1);
    expect(conf.get('restart-strategy.failure-rate.failure-rate-interval')).toBe(60_000);
    expect(conf.get('restart-strategy.failure-rate.delay')).toBe(1000);
    expect(conf.get('metrics.reporter.log.interval')).toBe(0);
    expect(CONFIG_KEY_NAMES.length).toBe(40);
    expect(conf.has('udf.bundle.size')).toBe(false);
    expect(conf.toStringMap()).toEqual({});
  });

  it('passes validate()', () => {
    expect(() => new Configuration().validate()).not.toThrow();
  });

  it('every default passes its own rule', () => {
    for (const key of CONFIG_KEY_NAMES) {
      expect(() => new Configuration().set(key, CONFIG_KEYS[key].default)).not.toThrow();
    }
  });

  it('makes an unknown key a compile error in get()', () => {
    const conf = new Configuration();
    // @ts-expect-error 'udf.bundel.size' is not a ConfigKey
    expect(() => conf.get('udf.bundel.size')).toThrow(ConfigError);
    const mode: 'process' | 'thread' | 'embedded' = conf.get('udf.execution-mode');
    const enabled: boolean = conf.get('udf.operator-chaining.enabled');
    const size: number = conf.get('udf.bundle.size');
    const dir: string = conf.get('state.checkpoints.dir');
    expect([mode, enabled, size, dir]).toEqual(['process', true, 100_000, '']);
  });
});

describe('setting values', () => {
  it('parses strings into typed values', () => {
    const conf = new Configuration()
      .set('udf.execution-mode', 'THREAD')
      .set('udf.bundle.size', '500')
      .set('udf.bundle.time', '2 s')
      .set('udf.worker.memory-limit', '512m')
      .set('udf.operator-chaining.enabled', 'False')
      .set('state.checkpoints.dir', '/tmp/ckpt')
      .set('udf.failure-policy', 'skip');
    expect(conf.get('udf.execution-mode')).toBe('thread');
    expect(conf.get('udf.bundle.size')).toBe(500);
    expect(conf.get('udf.bundle.time')).toBe(2000);
    expect(conf.get('udf.worker.memory-limit')).toBe(512 * MiB);
    expect(conf.get('udf.operator-chaining.enabled')).toBe(false);
    expect(conf.get('state.checkpoints.dir')).toBe('/tmp/ckpt');
    expect(conf.get('udf.failure-policy')).toBe('skip');
    expect(conf.has('udf.bundle.size')).toBe(true);
  });

  it.each([
    ['none', 'none'],
    ['off', 'none'],
    ['disable', 'none'],
    ['fixed-delay', 'fixed-delay'],
    ['fixeddelay', 'fixed-delay'],
    ['FixedDelay', 'fixed-delay'],
    ['failure-rate', 'failure-rate'],
    ['failurerate', 'failure-rate'],
  ])('takes restart-strategy.type %j as %j', (raw, expected) => {
    expect(new Configuration().set('restart-strategy.type', raw).get('restart-strategy.type')).toBe(expected);
  });

  it('setAll sets every entry', () => {
    const conf = new Configuration().setAll({ 'udf.bundle.size': 10, 'udf.arrow.batch.size': '5' });
    expect(conf.toStringMap()).toEqual({ 'udf.arrow.batch.size': '5', 'udf.bundle.size': '10' });
  });

  it('has() is false for unknown keys instead of throwing', () => {
    expect(new Configuration().has('no.such.key')).toBe(false);
  });

  it('leaves the configuration unchanged when a value is refused', () => {
    const conf = new Configuration().set('udf.bundle.size', 5);
    expect(() => conf.set('udf.bundle.size', 0)).toThrow(ConfigError);
    expect(conf.get('udf.bundle.size')).toBe(5);
  });
});

describe('rules and their messages', () => {
  it.each<[ConfigKey, unknown, string]>([
    ['udf.bundle.size', -1, 'udf.bundle.size must be a positive integer, got -1'],
    ['udf.bundle.size', 0, 'udf.bundle.size must be a positive integer, got 0'],
    ['udf.bundle.size', '1_000', "udf.bundle.size must be a positive integer, got '1_000'"],
    ['udf.bundle.size', '1e3', "udf.bundle.size must be a positive integer, got '1e3'"],
    ['udf.bundle.size', 2.5, 'udf.bundle.size must be a positive integer, got 2.5'],
    ['udf.bundle.size', null, 'udf.bundle.size must be a positive integer, got null'],
    ['udf.bundle.size', undefined, 'udf.bundle.size must be a positive integer, got undefined'],
    ['udf.bundle.size', [1], 'udf.bundle.size must be a positive integer, got [1]'],
    ['udf.arrow.batch.size', 0, 'udf.arrow.batch.size must be a positive integer, got 0'],
    ['udf.state.cache-size', -1, 'udf.state.cache-size must be a non-negative integer, got -1'],
    ['udf.map-state.read-cache-size', 0, 'udf.map-state.read-cache-size must be a positive integer, got 0'],
    ['udf.map-state.write-cache-size', 0, 'udf.map-state.write-cache-size must be a positive integer, got 0'],
    [
      'udf.map-state.iterate-response-batch-size',
      0,
      'udf.map-state.iterate-response-batch-size must be an integer between 1 and 4294967295, got 0',
    ],
    [
      'udf.map-state.iterate-response-batch-size',
      2 ** 32,
      'udf.map-state.iterate-response-batch-size must be an integer between 1 and 4294967295, got 4294967296',
    ],
    ['udf.in-flight.max-batches', 0, 'udf.in-flight.max-batches must be a positive integer, got 0'],
    ['parallelism.default', 0, 'parallelism.default must be a positive integer, got 0'],
    ['pipeline.max-parallelism', 0, 'pipeline.max-parallelism must be an integer between 1 and 32768, got 0'],
    ['pipeline.max-parallelism', 32_769, 'pipeline.max-parallelism must be an integer between 1 and 32768, got 32769'],
    ['state.checkpoints.num-retained', 0, 'state.checkpoints.num-retained must be a positive integer, got 0'],
    ['restart-strategy.fixed-delay.attempts', 0, 'restart-strategy.fixed-delay.attempts must be a positive integer, got 0'],
    [
      'restart-strategy.failure-rate.max-failures-per-interval',
      0,
      'restart-strategy.failure-rate.max-failures-per-interval must be a positive integer, got 0',
    ],
    [
      'udf.bundle.time',
      0,
      "udf.bundle.time must be a positive duration (e.g. 1000, '500 ms', '10 s', '2 min'), got 0",
    ],
    [
      'udf.bundle.time',
      '1.5 s',
      "udf.bundle.time must be a positive duration (e.g. 1000, '500 ms', '10 s', '2 min'), got '1.5 s'",
    ],
    [
      'udf.bundle.time',
      '30 d',
      "udf.bundle.time must be a duration of at most 2147483647 ms (the longest timer Node can set), got '30 d'",
    ],
    [
      'udf.worker.heartbeat-interval',
      '0 s',
      "udf.worker.heartbeat-interval must be a positive duration (e.g. 1000, '500 ms', '10 s', '2 min'), got '0 s'",
    ],
    [
      'udf.worker.startup-timeout',
      0,
      "udf.worker.startup-timeout must be a positive duration (e.g. 1000, '500 ms', '10 s', '2 min'), got 0",
    ],
    [
      'pipeline.auto-watermark-interval',
      -1,
      "pipeline.auto-watermark-interval must be a non-negative duration (e.g. 1000, '500 ms', '10 s', '2 min'), got -1",
    ],
    [
      'execution.checkpointing.interval',
      '-5 s',
      "execution.checkpointing.interval must be a non-negative duration (e.g. 1000, '500 ms', '10 s', '2 min'), got '-5 s'",
    ],
    [
      'execution.checkpointing.timeout',
      0,
      "execution.checkpointing.timeout must be a positive duration (e.g. 1000, '500 ms', '10 s', '2 min'), got 0",
    ],
    [
      'restart-strategy.failure-rate.failure-rate-interval',
      0,
      "restart-strategy.failure-rate.failure-rate-interval must be a positive duration (e.g. 1000, '500 ms', '10 s', '2 min'), got 0",
    ],
    [
      'udf.state.cache-max-bytes',
      '-1',
      "udf.state.cache-max-bytes must be a positive memory size (e.g. 1048576, '512 KiB', '64 MiB', '1 GiB'), got '-1'",
    ],
    [
      'udf.state.cache-max-bytes',
      0,
      "udf.state.cache-max-bytes must be a positive memory size (e.g. 1048576, '512 KiB', '64 MiB', '1 GiB'), got 0",
    ],
    [
      'udf.worker.memory-limit',
      '8m',
      "udf.worker.memory-limit must be 0 or a memory size of at least 16 MiB (e.g. 1048576, '512 KiB', '64 MiB', '1 GiB'), got '8m'",
    ],
    [
      'udf.in-flight.max-bytes',
      1023,
      "udf.in-flight.max-bytes must be a memory size of at least 1 KiB (e.g. 1048576, '512 KiB', '64 MiB', '1 GiB'), got 1023",
    ],
    ['udf.operator-chaining.enabled', 'yes', "udf.operator-chaining.enabled must be true or false, got 'yes'"],
    ['udf.operator-chaining.enabled', 1, 'udf.operator-chaining.enabled must be true or false, got 1'],
    ['udf.execution-mode', 'proces', "udf.execution-mode must be one of process, thread, embedded, got 'proces'"],
    ['udf.failure-policy', 'retry', "udf.failure-policy must be one of fail, restart, skip, got 'retry'"],
    ['restart-strategy.type', 'exponential-delay', "restart-strategy.type must be one of none, fixed-delay, failure-rate, got 'exponential-delay'"],
    ['state.checkpoints.dir', 5, 'state.checkpoints.dir must be a string, got 5'],
  ])('%s refuses %j', (key, value, message) => {
    const error = configErrorOf(() => new Configuration().set(key, value));
    expect(error.key).toBe(key);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(`${message} (set in code)`);
  });

  it.each<[ConfigKey, unknown, unknown]>([
    ['udf.state.cache-size', 0, 0],
    ['udf.worker.memory-limit', 0, 0],
    ['udf.worker.memory-limit', '16 MiB', 16 * MiB],
    ['udf.in-flight.max-bytes', '1k', 1024],
    ['pipeline.max-parallelism', 32_768, 32_768],
    ['pipeline.auto-watermark-interval', 0, 0],
    ['udf.bundle.time', 2 ** 31 - 1, 2 ** 31 - 1],
    ['state.checkpoints.dir', '', ''],
  ])('%s accepts the boundary value %j', (key, value, expected) => {
    expect(new Configuration().set(key, value).get(key)).toBe(expected);
  });

  it('shows strings with control characters escaped', () => {
    expect(messageOf(() => new Configuration().set('udf.bundle.size', 'a\nb'))).toBe(
      "udf.bundle.size must be a positive integer, got 'a\\nb' (set in code)",
    );
  });
});

describe('unknown keys', () => {
  it('suggests the closest key', () => {
    const error = configErrorOf(() => new Configuration().set('udf.bundel.size', 1));
    expect(error.key).toBe('udf.bundel.size');
    expect(error.message).toBe("unknown configuration key 'udf.bundel.size' (did you mean 'udf.bundle.size'?) (set in code)");
  });

  it('points PyFlink names at their udf. counterparts', () => {
    expect(suggestKey('python.fn-execution.bundle.size')).toBe('udf.bundle.size');
    expect(suggestKey('python.fn-execution.arrow.batch.size')).toBe('udf.arrow.batch.size');
    expect(suggestKey('python.state.cache-size')).toBe('udf.state.cache-size');
    expect(suggestKey('python.execution-mode')).toBe('udf.execution-mode');
  });

  it('suggests nothing when no key is close', () => {
    expect(messageOf(() => new Configuration().set('taskmanager.memory.size', 1))).toBe(
      "unknown configuration key 'taskmanager.memory.size' (set in code)",
    );
    expect(suggestKey('foo')).toBe(undefined);
  });

  it('ignores case when suggesting', () => {
    expect(suggestKey('UDF.BUNDLE.SIZE')).toBe('udf.bundle.size');
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('bundel', 'bundle')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('where a bad value came from', () => {
  it.each<[Parameters<Configuration['set']>[2], string | undefined, string]>([
    ['command-line', undefined, " (from -D on the command line)"],
    ['file', 'conf.yaml:3', ' (from config file conf.yaml:3)'],
    ['code', undefined, ' (set in code)'],
    ['code', 'env.setParallelism()', ' (from env.setParallelism())'],
    ['default', undefined, ''],
  ])('source %s, origin %j', (source, origin, suffix) => {
    expect(messageOf(() => new Configuration().set('udf.bundle.size', '-1', source, origin))).toBe(
      `udf.bundle.size must be a positive integer, got '-1'${suffix}`,
    );
  });

  it('names the source of an unknown key', () => {
    expect(messageOf(() => new Configuration().set('udf.bundel.size', '1', 'command-line'))).toBe(
      "unknown configuration key 'udf.bundel.size' (did you mean 'udf.bundle.size'?) (from -D on the command line)",
    );
  });
});

describe('precedence', () => {
  it('ranks default < file < code < command line regardless of call order', () => {
    const conf = new Configuration()
      .set('udf.bundle.size', 4, 'command-line')
      .set('udf.bundle.size', 3, 'code')
      .set('udf.bundle.size', 2, 'file', 'conf.yaml');
    expect(conf.get('udf.bundle.size')).toBe(4);
    expect(conf.sourceOf('udf.bundle.size')).toBe('command-line');

    conf.set('udf.arrow.batch.size', 2, 'file', 'conf.yaml').set('udf.arrow.batch.size', 3, 'code');
    expect(conf.get('udf.arrow.batch.size')).toBe(3);
    expect(conf.sourceOf('udf.arrow.batch.size')).toBe('code');
    expect(conf.sourceOf('udf.bundle.time')).toBe('default');
  });

  it('lets a later value from the same source win', () => {
    const conf = new Configuration().set('udf.bundle.size', 1, 'code').set('udf.bundle.size', 2, 'code');
    expect(conf.get('udf.bundle.size')).toBe(2);
  });

  it('still refuses a bad value that a higher source would have shadowed', () => {
    const conf = new Configuration().set('udf.bundle.size', 4, 'command-line');
    expect(messageOf(() => conf.set('udf.bundle.size', 0, 'code'))).toBe(
      'udf.bundle.size must be a positive integer, got 0 (set in code)',
    );
  });

  it('merge() takes the other side unless this side holds a higher source', () => {
    const base = new Configuration()
      .set('udf.bundle.size', 10, 'command-line')
      .set('udf.arrow.batch.size', 10, 'code')
      .set('parallelism.default', 10, 'file', 'a.yaml');
    const other = new Configuration()
      .set('udf.bundle.size', 20, 'code')
      .set('udf.arrow.batch.size', 20, 'code')
      .set('parallelism.default', 20, 'command-line')
      .set('udf.bundle.time', 20, 'file', 'b.yaml');
    base.merge(other);
    expect(base.toStringMap()).toEqual({
      'parallelism.default': '20',
      'udf.arrow.batch.size': '20',
      'udf.bundle.size': '10',
      'udf.bundle.time': '20 ms',
    });
    expect(base.sourceOf('parallelism.default')).toBe('command-line');
    expect(base.sourceOf('udf.bundle.time')).toBe('file');
    expect(other.get('udf.bundle.size')).toBe(20);
  });

  it('clone() is independent of the original', () => {
    const original = new Configuration().set('udf.bundle.size', 5, 'file', 'a.yaml');
    const copy = original.clone().set('udf.bundle.size', 6);
    expect(original.get('udf.bundle.size')).toBe(5);
    expect(copy.get('udf.bundle.size')).toBe(6);
    expect(copy.sourceOf('udf.bundle.size')).toBe('code');
  });
});

describe('cross-key rules', () => {
  it('requires the heartbeat timeout to exceed the interval', () => {
    const conf = new Configuration()
      .set('udf.worker.heartbeat-interval', '5 s', 'file', 'conf.yaml:2')
      .set('udf.worker.heartbeat-timeout', '5000', 'command-line');
    const error = configErrorOf(() => conf.validate());
    expect(error.key).toBe('udf.worker.heartbeat-timeout');
    expect(error.message).toBe(
      'udf.worker.heartbeat-timeout (5 s, from -D on the command line) must be greater than ' +
        'udf.worker.heartbeat-interval (5 s, from config file conf.yaml:2)',
    );
  });

  it('names the default when one side was not set', () => {
    const conf = new Configuration().set('udf.worker.heartbeat-timeout', 1000);
    expect(messageOf(() => conf.validate())).toBe(
      'udf.worker.heartbeat-timeout (1 s, set in code) must be greater than udf.worker.heartbeat-interval (1 s, the default)',
    );
  });

  it('requires max parallelism to be at least the default parallelism', () => {
    const conf = new Configuration().set('parallelism.default', 8, 'code', 'env.setParallelism()');
    conf.set('pipeline.max-parallelism', 4, 'command-line');
    const error = configErrorOf(() => conf.validate());
    expect(error.key).toBe('pipeline.max-parallelism');
    expect(error.message).toBe(
      'pipeline.max-parallelism (4, from -D on the command line) must be at least parallelism.default (8, from env.setParallelism())',
    );
    conf.set('pipeline.max-parallelism', 8, 'command-line');
    expect(() => conf.validate()).not.toThrow();
  });

  it('takes any parallelism while max parallelism is not set: each operator derives its own, as in Flink', () => {
    expect(() => new Configuration().set('parallelism.default', 200).validate()).not.toThrow();
  });
});

describe('effective arrow batch size', () => {
  it('is the arrow batch size when it fits in a bundle', () => {
    expect(new Configuration().effectiveArrowBatchSize()).toBe(10_000);
    expect(new Configuration().set('udf.arrow.batch.size', 50).effectiveArrowBatchSize()).toBe(50);
  });

  it('is capped to the bundle size, without an error', () => {
    const conf = new Configuration().set('udf.bundle.size', 100).set('udf.arrow.batch.size', 1000);
    expect(() => conf.validate()).not.toThrow();
    expect(conf.effectiveArrowBatchSize()).toBe(100);
    expect(conf.get('udf.arrow.batch.size')).toBe(1000);
  });
});

describe('string map for workers', () => {
  it('holds only explicitly set keys, in canonical form, sorted', () => {
    const conf = new Configuration()
      .set('udf.worker.memory-limit', '512m')
      .set('udf.bundle.time', '2min')
      .set('udf.execution-mode', ' Thread ')
      .set('restart-strategy.type', 'fixeddelay')
      .set('udf.operator-chaining.enabled', 'FALSE')
      .set('udf.bundle.size', '0500')
      .set('state.checkpoints.dir', ' /tmp/with space ')
      .set('udf.state.cache-max-bytes', 1500);
    expect(conf.toStringMap()).toEqual({
      'restart-strategy.type': 'fixed-delay',
      'state.checkpoints.dir': ' /tmp/with space ',
      'udf.bundle.size': '500',
      'udf.bundle.time': '2 min',
      'udf.execution-mode': 'thread',
      'udf.operator-chaining.enabled': 'false',
      'udf.state.cache-max-bytes': '1500 bytes',
      'udf.worker.memory-limit': '512 MiB',
    });
    expect(Object.keys(conf.toStringMap())).toEqual([
      'restart-strategy.type',
      'state.checkpoints.dir',
      'udf.bundle.size',
      'udf.bundle.time',
      'udf.execution-mode',
      'udf.operator-chaining.enabled',
      'udf.state.cache-max-bytes',
      'udf.worker.memory-limit',
    ]);
  });

  it('round-trips every key through fromStringMap', () => {
    const conf = new Configuration().setAll({
      'udf.execution-mode': 'embedded',
      'udf.bundle.size': 7,
      'udf.bundle.time': 1234,
      'udf.arrow.batch.size': 3,
      'udf.state.cache-size': 0,
      'udf.state.cache-max-bytes': '3 GiB',
      'udf.map-state.read-cache-size': 2,
      'udf.map-state.write-cache-size': 3,
      'udf.map-state.iterate-response-batch-size': 4,
      'udf.operator-chaining.enabled': false,
      'udf.worker.memory-limit': '17 MiB',
      'udf.worker.heartbeat-interval': '1 h',
      'udf.worker.heartbeat-timeout': '1 d',
      'udf.worker.startup-timeout': 1,
      'udf.in-flight.max-batches': 9,
      'udf.in-flight.max-bytes': 1025,
      'udf.failure-policy': 'restart',
      'parallelism.default': 3,
      'pipeline.max-parallelism': 32_768,
      'pipeline.auto-watermark-interval': 0,
      'execution.checkpointing.interval': '10 s',
      'execution.checkpointing.timeout': '10 min',
      'execution.checkpointing.min-pause': 1,
      'state.checkpoints.dir': '',
      'state.checkpoints.num-retained': 5,
      'restart-strategy.type': 'failurerate',
      'restart-strategy.fixed-delay.attempts': 3,
      'restart-strategy.fixed-delay.delay': 0,
      'restart-strategy.failure-rate.max-failures-per-interval': 2,
      'restart-strategy.failure-rate.failure-rate-interval': '1 min',
      'restart-strategy.failure-rate.delay': 999,
    });
    const copy = Configuration.fromStringMap(conf.toStringMap());
    for (const key of CONFIG_KEY_NAMES) expect(copy.get(key)).toBe(conf.get(key));
    expect(copy.toStringMap()).toEqual(conf.toStringMap());
    expect(Object.keys(copy.toStringMap()).length).toBe(31);
  });

  it('says a bad value from the host came from the host', () => {
    expect(messageOf(() => Configuration.fromStringMap({ 'udf.bundle.size': 'x' }))).toBe(
      "udf.bundle.size must be a positive integer, got 'x' (from the host)",
    );
  });
});

describe('docs/configuration.md', () => {
  it('lists every key with its default, in the order of the key table', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([^`]+)` \| ([^|]+) \| `([^`]*)` \|/gm)].map((m) => [m[1], m[2]!.trim(), m[3]]);
    const expected = CONFIG_KEY_NAMES.map((key) => {
      const spec = CONFIG_KEYS[key];
      const shown =
        spec.type === 'duration'
          ? formatDuration(spec.default)
          : spec.type === 'memory'
            ? formatMemorySize(spec.default)
            : spec.type === 'string'
              ? JSON.stringify(spec.default)
              : String(spec.default);
      return [key, spec.type, shown];
    });
    expect(rows).toEqual(expected);
  });
});

describe('an environment configured with a Configuration (as PyFlink takes one)', () => {
  it('takes the values set in it, at creation and through configure()', async () => {
    const { StreamExecutionEnvironment } = await import('../host/index.ts');
    const conf = new Configuration().set('udf.bundle.size', 7).set('udf.execution-mode', 'embedded');
    const env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    expect([env.getConfig().get('udf.bundle.size'), env.getConfig().get('udf.execution-mode')]).toEqual([7, 'embedded']);
    env.configure(new Configuration().set('parallelism.default', 3));
    expect([env.getConfig().get('parallelism.default'), env.getConfig().get('udf.bundle.size')]).toEqual([3, 7]);
    const out = await env.fromCollection([1, 2]).map((x: number) => x + 1).executeAndCollect();
    expect(out.sort((a, b) => a - b)).toEqual([2, 3]);
  });
});
