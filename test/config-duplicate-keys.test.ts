/**
 * A JSON config file that gives a key twice is refused, as a YAML one is, naming the key and
 * the lines of both: JSON.parse alone would silently keep the last value.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors/errors.ts';
import { parseConfigText } from '../shared/config/config-file.ts';

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('JSON config files refuse a key given twice', () => {
  it('at the top level, as the YAML message says it', () => {
    const json = '{\n  "udf.bundle.size": 1000,\n  "udf.execution-mode": "thread",\n  "udf.bundle.size": 5\n}\n';
    const error = configErrorOf(() => parseConfigText(json, 'conf.json'));
    expect(error.key).toBe('udf.bundle.size');
    expect(error.message).toBe("conf.json:4: duplicate key 'udf.bundle.size' (first set on line 2)");
    const yaml = configErrorOf(() => parseConfigText('udf.bundle.size: 1000\nudf.bundle.size: 5\n', 'conf.yaml'));
    expect(yaml.message).toBe("conf.yaml:2: duplicate key 'udf.bundle.size' (first set on line 1)");
  });

  it('on one line', () => {
    expect(configErrorOf(() => parseConfigText('{"udf.bundle.size": 1, "udf.bundle.size": 1}', 'conf.json')).message).toBe(
      "conf.json:1: duplicate key 'udf.bundle.size' (first set on line 1)",
    );
  });

  it('in a nested object, before its value is refused for being an object', () => {
    const text = '{\n  "udf.bundle.size": 1,\n  "udf.bundle.time": {\n    "value": 5,\n    "value": 6\n  }\n}';
    const error = configErrorOf(() => parseConfigText(text, 'conf.json'));
    expect(error.key).toBe('value');
    expect(error.message).toBe("conf.json:5: duplicate key 'value' (first set on line 4)");
  });

  it('in an object inside an array', () => {
    const text = '{"udf.bundle.size": [{"a": 1},\n {"b": 1, "b": 2}]}';
    expect(configErrorOf(() => parseConfigText(text, 'conf.json')).message).toBe("conf.json:2: duplicate key 'b' (first set on line 2)");
  });

  it('written once plainly and once with an escape: the same key', () => {
    const text = '{\n  "a": 1,\n  "\\u0061": 2\n}';
    const error = configErrorOf(() => parseConfigText(text, 'conf.json'));
    expect(error.key).toBe('a');
    expect(error.message).toBe(`conf.json:3: duplicate key 'a' (first set on line 2, written "\\u0061")`);
    const dotted = '{"udf.bundle.size": 1,\n"udf\\u002ebundle\\u002Esize": 2}';
    expect(configErrorOf(() => parseConfigText(dotted, 'conf.json')).message).toBe(
      `conf.json:2: duplicate key 'udf.bundle.size' (first set on line 1, written "udf\\u002ebundle\\u002Esize")`,
    );
  });

  it('keys that differ only in case, or by an escape that decodes to another character, are not duplicates', () => {
    const text = '{"a": 1, "A": 2, "\\u0062": 3, "a\\n": 4}';
    expect(parseConfigText(text, 'conf.json')).toEqual([
      { key: 'a', value: 1, line: 1 },
      { key: 'A', value: 2, line: 1 },
      { key: 'b', value: 3, line: 1 },
      { key: 'a\n', value: 4, line: 1 },
    ]);
  });
});

describe('a JSON config file without duplicates reads as before', () => {
  it('numbers, booleans and strings with escapes, each with its line', () => {
    const text = [
      '{',
      '  "udf.bundle.size": 1000,',
      '  "udf.bundle.time": 1.5e3,',
      '  "parallelism.default": -0,',
      '  "pipeline.max-parallelism": 12345678901234567890,',
      '  "udf.operator-chaining.enabled": false,',
      '  "udf.metric.enabled": true,',
      '  "state.checkpoints.dir": "/tmp/a \\"b\\"\\\\c\\/d\\te\\nf \\u00e9 \\ud83d\\ude00",',
      '  "udf.execution-mode": "thread"',
      '}',
    ].join('\n');
    const entries = parseConfigText(text, 'conf.json');
    expect(entries).toEqual([
      { key: 'udf.bundle.size', value: 1000, line: 2 },
      { key: 'udf.bundle.time', value: 1500, line: 3 },
      { key: 'parallelism.default', value: -0, line: 4 },
      { key: 'pipeline.max-parallelism', value: 12345678901234567000, line: 5 },
      { key: 'udf.operator-chaining.enabled', value: false, line: 6 },
      { key: 'udf.metric.enabled', value: true, line: 7 },
      { key: 'state.checkpoints.dir', value: '/tmp/a "b"\\c/d\te\nf é 😀', line: 8 },
      { key: 'udf.execution-mode', value: 'thread', line: 9 },
    ]);
    expect(Object.is(entries[2]!.value, -0)).toBe(true);
    // Exactly JSON.parse's values, in the order written.
    expect(Object.fromEntries(entries.map((e) => [e.key, e.value]))).toEqual(JSON.parse(text));
  });

  it('a key written with an escape gets its line (it was not found before)', () => {
    expect(parseConfigText('{\n"udf\\u002ebundle.size": 7}', 'conf.json')).toEqual([{ key: 'udf.bundle.size', value: 7, line: 2 }]);
  });

  it('a nested object or array is still refused as a value, with its line', () => {
    const text = '{\n  "udf.bundle.size": {"a": 1, "b": {"c": [1, 2]}},\n  "x": 1\n}';
    expect(configErrorOf(() => parseConfigText(text, 'conf.json')).message).toBe(
      "conf.json:2: the value of 'udf.bundle.size' must be a string, number or boolean, got an object",
    );
  });
});
