import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors/errors.ts';
import { Configuration } from '../shared/config/configuration.ts';
import { applyConfigFile, loadConfigFile, parseConfigText } from '../shared/config/config-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-config-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

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

describe('flat YAML files', () => {
  it('reads key: value lines, comments, blank lines and quoted values', () => {
    const text = [
      '# Sluice configuration',
      '',
      'udf.execution-mode: thread',
      'udf.bundle.time: 500 ms      # a comment',
      'state.checkpoints.dir: "/tmp/a b#c"   # quoted, with a hash inside',
      "udf.failure-policy: 'skip'",
      '   ',
      'udf.worker.memory-limit:   512m   ',
      'restart-strategy.type: fixed-delay#not-a-comment',
      "state.checkpoints.num-retained: 'it''s'",
      'udf.operator-chaining.enabled: "tab\\there \\"q\\""',
      'parallelism.default : 4',
      'udf.bundle.size: ""',
    ].join('\n');
    expect(parseConfigText(text, 'conf.yaml')).toEqual([
      { key: 'udf.execution-mode', value: 'thread', line: 3 },
      { key: 'udf.bundle.time', value: '500 ms', line: 4 },
      { key: 'state.checkpoints.dir', value: '/tmp/a b#c', line: 5 },
      { key: 'udf.failure-policy', value: 'skip', line: 6 },
      { key: 'udf.worker.memory-limit', value: '512m', line: 8 },
      { key: 'restart-strategy.type', value: 'fixed-delay#not-a-comment', line: 9 },
      { key: 'state.checkpoints.num-retained', value: "it's", line: 10 },
      { key: 'udf.operator-chaining.enabled', value: 'tab\there "q"', line: 11 },
      { key: 'parallelism.default', value: '4', line: 12 },
      { key: 'udf.bundle.size', value: '', line: 13 },
    ]);
  });

  it('accepts CRLF line ends, a byte order mark and an empty file', () => {
    expect(parseConfigText('\uFEFFudf.bundle.size: 5\r\n# c\r\nudf.bundle.time: 1 s\r\n', 'conf.yaml')).toEqual([
      { key: 'udf.bundle.size', value: '5', line: 1 },
      { key: 'udf.bundle.time', value: '1 s', line: 3 },
    ]);
    expect(parseConfigText('', 'conf.yaml')).toEqual([]);
  });

  it('reads any file name not ending in .json as YAML', () => {
    expect(parseConfigText('udf.bundle.size: 5', 'flink-conf')).toEqual([{ key: 'udf.bundle.size', value: '5', line: 1 }]);
  });

  it.each([
    ['udf.bundle.size:1000', "conf.yaml:2: expected 'key: value', got 'udf.bundle.size:1000'"],
    ['just words', "conf.yaml:2: expected 'key: value', got 'just words'"],
    ['udf.bundle.size = 1000', "conf.yaml:2: expected 'key: value', got 'udf.bundle.size = 1000'"],
    [
      '  udf.bundle.size: 1000',
      "conf.yaml:2: indented line: only flat 'key: value' lines are supported (write nested keys with dots, e.g. 'udf.bundle.size: 1000')",
    ],
    ['udf:', "conf.yaml:2: missing value (write '\"\"' for an empty string)"],
    [
      'udf:\n\n  # the bundle\n  bundle.size: 3',
      "conf.yaml:2: 'udf:' starts a nested map: only flat 'key: value' lines are supported (write nested keys with dots, e.g. 'udf.bundle.size: 1000')",
    ],
    ['udf.bundle.size:   # nothing', "conf.yaml:2: missing value (write '\"\"' for an empty string)"],
    ['udf.bundle.size: [1, 2]', 'conf.yaml:2: lists and maps are not supported; write one flat key per line'],
    ['udf.bundle.size: {a: 1}', 'conf.yaml:2: lists and maps are not supported; write one flat key per line'],
    ['udf.bundle.size: - 1', "conf.yaml:2: unsupported YAML value '- 1' (quote it if it is meant as a string)"],
    ['udf.bundle.size: &anchor 1', "conf.yaml:2: unsupported YAML value '&anchor 1' (quote it if it is meant as a string)"],
    ['udf.bundle.size: |', "conf.yaml:2: unsupported YAML value '|' (quote it if it is meant as a string)"],
    ['udf.bundle.size: "1000', 'conf.yaml:2: unterminated double-quoted value'],
    ["udf.bundle.size: '1000", 'conf.yaml:2: unterminated single-quoted value'],
    ['udf.bundle.size: "10" 00', "conf.yaml:2: unexpected text after the quoted value: '00'"],
    ['udf.bundle.size: "\\x41"', "conf.yaml:2: unsupported escape '\\x' in a double-quoted value"],
    ['bad key: 1', "conf.yaml:2: 'bad key' is not a configuration key (expected 'key: value')"],
    ['---', 'conf.yaml:2: YAML document markers are not supported'],
    ['udf.execution-mode: thread', "conf.yaml:2: duplicate key 'udf.execution-mode' (first set on line 1)"],
  ])('refuses line 2 %j', (line, message) => {
    const error = configErrorOf(() => parseConfigText(`udf.execution-mode: process\n${line}\n`, 'conf.yaml'));
    expect(error.message).toBe(message);
  });

  it('gives the key of a bad line when it has one', () => {
    expect(configErrorOf(() => parseConfigText('udf.bundle.size: "1', 'c.yaml')).key).toBe('udf.bundle.size');
    expect(configErrorOf(() => parseConfigText('nonsense', 'c.yaml')).key).toBe('');
  });
});

describe('JSON files', () => {
  it('reads a flat object, keeping numbers and booleans as they are', () => {
    const text = '{\n  "udf.bundle.size": 1000,\n  "udf.operator-chaining.enabled": false,\n  "udf.execution-mode": "thread"\n}\n';
    expect(parseConfigText(text, 'conf.JSON')).toEqual([
      { key: 'udf.bundle.size', value: 1000, line: 2 },
      { key: 'udf.operator-chaining.enabled', value: false, line: 3 },
      { key: 'udf.execution-mode', value: 'thread', line: 4 },
    ]);
  });

  it.each([
    ['{\n  "udf.bundle.size": 1,\n  "udf.bundle.time" 2\n}', "conf.json:3: invalid JSON: Unexpected number"],
    ['{"a": }', `conf.json: invalid JSON: Unexpected token '}', "{"a": }" is not valid JSON`],
    ['', 'conf.json: invalid JSON: Unexpected end of JSON input'],
    ['[1, 2]', 'conf.json: expected a JSON object of key → value, got an array'],
    ['null', 'conf.json: expected a JSON object of key → value, got null'],
    ['42', 'conf.json: expected a JSON object of key → value, got number'],
    [
      '{\n"udf.bundle.size": 1,\n"udf.bundle.time": {"value": 5}}',
      "conf.json:3: the value of 'udf.bundle.time' must be a string, number or boolean, got an object",
    ],
    ['{"udf.bundle.size": null}', "conf.json:1: the value of 'udf.bundle.size' must be a string, number or boolean, got null"],
    ['{"udf.bundle.size": [1]}', "conf.json:1: the value of 'udf.bundle.size' must be a string, number or boolean, got an array"],
  ])('refuses %j', (text, message) => {
    expect(messageOf(() => parseConfigText(text, 'conf.json'))).toBe(message);
  });
});

describe('loading from disk', () => {
  it('loadConfigFile returns key → string for both formats', () => {
    const yaml = write('load.yaml', 'udf.bundle.size: 1000\nudf.operator-chaining.enabled: false\n');
    const json = write('load.json', '{"udf.bundle.size": 1000, "udf.operator-chaining.enabled": false, "udf.bundle.time": "1 s"}');
    expect(loadConfigFile(yaml)).toEqual({ 'udf.bundle.size': '1000', 'udf.operator-chaining.enabled': 'false' });
    expect(loadConfigFile(json)).toEqual({ 'udf.bundle.size': '1000', 'udf.operator-chaining.enabled': 'false', 'udf.bundle.time': '1 s' });
  });

  it('names a file that does not exist or is a directory', () => {
    const missing = join(dir, 'missing.yaml');
    const folder = join(dir, 'folder.yaml');
    mkdirSync(folder);
    expect(messageOf(() => loadConfigFile(missing))).toBe(`cannot read config file ${missing}: no such file`);
    expect(messageOf(() => loadConfigFile(folder))).toBe(`cannot read config file ${folder}: it is a directory`);
  });

  it('applyConfigFile sets values with the file and line as their origin', () => {
    const path = write('apply.yaml', '# tuned\nudf.bundle.size: 1000\nudf.bundle.time: 2 s\n');
    const conf = applyConfigFile(new Configuration(), path);
    expect(conf.get('udf.bundle.size')).toBe(1000);
    expect(conf.get('udf.bundle.time')).toBe(2000);
    expect(conf.sourceOf('udf.bundle.size')).toBe('file');
  });

  it('reports a bad value with the file and line it is on', () => {
    const path = write('bad-value.yaml', 'udf.execution-mode: thread\nudf.bundle.size: -1\n');
    const error = configErrorOf(() => applyConfigFile(new Configuration(), path));
    expect(error.key).toBe('udf.bundle.size');
    expect(error.message).toBe(`udf.bundle.size must be a positive integer, got '-1' (from config file ${path}:2)`);
  });

  it('reports an unknown key with the file and line it is on', () => {
    const path = write('bad-key.json', '{\n  "udf.bundle.size": 5,\n  "udf.bundel.time": 5\n}');
    expect(messageOf(() => applyConfigFile(new Configuration(), path))).toBe(
      `unknown configuration key 'udf.bundel.time' (did you mean 'udf.bundle.time'?) (from config file ${path}:3)`,
    );
  });

  it('keeps JSON numbers as numbers, so a bad one is shown as written', () => {
    const path = write('bad-number.json', '{"udf.bundle.size": 1.5}');
    expect(messageOf(() => applyConfigFile(new Configuration(), path))).toBe(
      `udf.bundle.size must be a positive integer, got 1.5 (from config file ${path}:1)`,
    );
  });

  it('ranks file values below code and command-line values', () => {
    const path = write('ranked.yaml', 'udf.bundle.size: 1\nudf.bundle.time: 1\nudf.arrow.batch.size: 1\n');
    const conf = new Configuration().set('udf.bundle.size', 2, 'code').set('udf.bundle.time', 3, 'command-line');
    applyConfigFile(conf, path);
    expect(conf.toStringMap()).toEqual({ 'udf.arrow.batch.size': '1', 'udf.bundle.size': '2', 'udf.bundle.time': '3 ms' });
  });
});
