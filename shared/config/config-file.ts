/**
 * Config files given with --config. `.json` holds one flat object of key → value (a key given
 * twice is refused, as in YAML, where JSON.parse would keep the last); any other
 * name is read as Flink's flat YAML style:
 *
 *   # comment
 *   udf.bundle.size: 1000
 *   udf.execution-mode: "thread"   # trailing comment
 *
 * Only that subset of YAML is accepted: nested maps, lists, anchors and multi-line values are
 * refused with the file name and line number rather than misread.
 */
import { readFileSync } from 'node:fs';
import { parse as parseJsonTree, type MemberNode, type ValueNode } from '@humanwhocodes/momoa';
import { ConfigError } from '../errors/errors.ts';
import type { Configuration } from './configuration.ts';

export interface ConfigFileEntry {
  readonly key: string;
  /** A string from YAML; a string, number or boolean from JSON. */
  readonly value: string | number | boolean;
  /** 1-based. */
  readonly line: number;
}

/** Reads a config file into key → string, e.g. to pass on as -D-style properties. */
export function loadConfigFile(path: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of readConfigFile(path)) map[entry.key] = String(entry.value);
  return map;
}

/**
 * Sets every entry of the file on `conf` with source 'file'. The origin carries the line,
 * so a bad value is reported as "(from config file conf.yaml:3)".
 */
export function applyConfigFile(conf: Configuration, path: string): Configuration {
  for (const entry of readConfigFile(path)) {
    conf.set(entry.key, entry.value, 'file', `${path}:${entry.line}`);
  }
  return conf;
}

export function readConfigFile(path: string): ConfigFileEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new ConfigError('', `cannot read config file ${path}: ${why}`);
  }
  return parseConfigText(text, path);
}

/** `fileName` decides the format and appears in every error. */
export function parseConfigText(text: string, fileName: string): ConfigFileEntry[] {
  return fileName.toLowerCase().endsWith('.json') ? parseJson(text, fileName) : parseFlatYaml(text, fileName);
}

/**
 * JSON.parse says whether the text is JSON (in its own words) and gives the values; Momoa's
 * syntax tree, of the same text, says where each key is and whether one repeats, which
 * JSON.parse cannot tell (it keeps the last). Keys compare as read: "a" and "\u0061" are one.
 */
function parseJson(text: string, fileName: string): ConfigFileEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /^(.*) in JSON at position (\d+)/.exec(message);
    const where = at === null ? fileName : `${fileName}:${lineAt(text, Number(at[2]))}`;
    throw new ConfigError('', `${where}: invalid JSON: ${at === null ? message : at[1]}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('', `${fileName}: expected a JSON object of key → value, got ${describeJson(parsed)}`);
  }
  const tree = parseJsonTree(text, { mode: 'json' }).body;
  refuseDuplicateKeys(tree, text, fileName);
  if (tree.type !== 'Object') throw new Error(`${fileName}: JSON.parse read an object where Momoa read ${tree.type}`);
  const values = parsed as Record<string, unknown>;
  return tree.members.map((member) => {
    const key = keyOf(member);
    const line = member.name.loc.start.line;
    const value = values[key];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigError(key, `${fileName}:${line}: the value of '${key}' must be a string, number or boolean, got ${describeJson(value)}`);
    }
    return { key, value, line };
  });
}

/** Refuses a key given twice in one object, at any depth: the second is named, with where the first was. */
function refuseDuplicateKeys(node: ValueNode, text: string, fileName: string): void {
  if (node.type === 'Array') {
    for (const element of node.elements) refuseDuplicateKeys(element.value, text, fileName);
    return;
  }
  if (node.type !== 'Object') return;
  const firstLine = new Map<string, number>();
  for (const member of node.members) {
    const { name, value } = member;
    const key = keyOf(member);
    const line = name.loc.start.line;
    const seen = firstLine.get(key);
    if (seen !== undefined) {
      const written = text.slice(name.loc.start.offset, name.loc.end.offset);
      const spelling = written === JSON.stringify(key) ? '' : `, written ${written}`;
      throw new ConfigError(key, `${fileName}:${line}: duplicate key '${key}' (first set on line ${seen}${spelling})`);
    }
    firstLine.set(key, line);
    refuseDuplicateKeys(value, text, fileName);
  }
}

/** A member's key as read, escapes decoded (a bare identifier only in JSON5, which is not read here). */
function keyOf(member: MemberNode): string {
  return member.name.type === 'String' ? member.name.value : member.name.name;
}

function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function parseFlatYaml(text: string, fileName: string): ConfigFileEntry[] {
  const entries: ConfigFileEntry[] = [];
  const firstLine = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = content.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fail = (problem: string, key = ''): never => {
      throw new ConfigError(key, `${fileName}:${line}: ${problem}`);
    };
    if (/^\s/.test(content)) {
      fail("indented line: only flat 'key: value' lines are supported (write nested keys with dots, e.g. 'udf.bundle.size: 1000')");
    }
    if (trimmed === '---' || trimmed === '...') fail('YAML document markers are not supported');
    const colon = /:(\s|$)/.exec(content);
    if (colon === null) fail(`expected 'key: value', got '${trimmed}'`);
    const key = content.slice(0, colon!.index).trim();
    if (!KEY_PATTERN.test(key)) fail(`'${key}' is not a configuration key (expected 'key: value')`);
    const rest = content.slice(colon!.index + 1).trim();
    if ((rest === '' || rest.startsWith('#')) && /^\s+\S/.test(lines.slice(i + 1).find((l) => !/^\s*(#.*)?\r?$/.test(l)) ?? '')) {
      fail(`'${key}:' starts a nested map: only flat 'key: value' lines are supported (write nested keys with dots, e.g. 'udf.bundle.size: 1000')`, key);
    }
    const value = parseYamlValue(content.slice(colon!.index + 1), (problem) => fail(problem, key));
    const seen = firstLine.get(key);
    if (seen !== undefined) fail(`duplicate key '${key}' (first set on line ${seen})`, key);
    firstLine.set(key, line);
    entries.push({ key, value, line });
  });
  return entries;
}

/** The text after "key:": a plain scalar or one quoted string, either with an optional # comment. */
function parseYamlValue(rest: string, fail: (problem: string) => never): string {
  const text = rest.trim();
  if (text === '' || text.startsWith('#')) {
    return fail("missing value (write '\"\"' for an empty string)");
  }
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const { value, end } = quote === '"' ? readDoubleQuoted(text, fail) : readSingleQuoted(text, fail);
    const after = text.slice(end).trim();
    if (after !== '' && !after.startsWith('#')) fail(`unexpected text after the quoted value: '${after}'`);
    return value;
  }
  if (/^[[{]/.test(text)) fail('lists and maps are not supported; write one flat key per line');
  if (/^[&*!|>%@`]/.test(text) || /^- /.test(text) || text === '-') {
    fail(`unsupported YAML value '${text}' (quote it if it is meant as a string)`);
  }
  // A plain scalar ends at the first " #" (a comment); a '#' inside a word belongs to it.
  const comment = /\s#/.exec(text);
  return (comment === null ? text : text.slice(0, comment.index)).trim();
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0' };

function readDoubleQuoted(text: string, fail: (problem: string) => never): { value: string; end: number } {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\') {
      const next = text[i + 1];
      const escaped = next === undefined ? undefined : ESCAPES[next];
      if (escaped === undefined) fail(`unsupported escape '\\${next ?? ''}' in a double-quoted value`);
      value += escaped;
      i++;
    } else {
      value += c;
    }
  }
  return fail('unterminated double-quoted value');
}

function readSingleQuoted(text: string, fail: (problem: string) => never): { value: string; end: number } {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c !== "'") {
      value += c;
    } else if (text[i + 1] === "'") {
      value += "'";
      i++;
    } else {
      return { value, end: i + 1 };
    }
  }
  return fail('unterminated single-quoted value');
}
