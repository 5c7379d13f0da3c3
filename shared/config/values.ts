/**
 * Parsing and canonical formatting of configuration values. Raw values come from code
 * (numbers, booleans, strings), from -D and YAML files (always strings) and from JSON files.
 * Parsing is strict on purpose: "1_000", "1e3", "1.5 s" and "yes" are refused rather than
 * guessed at, because a guessed value is worse than a refused one.
 */
import type { ConfigValue, KeySpec } from './keys.ts';

/**
 * The longest delay setTimeout honours (2^31 - 1 ms, about 24.8 days). A longer one fires
 * at once, so a duration beyond it would silently mean "immediately".
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

export type Coerced = { ok: true; value: ConfigValue } | { ok: false; expected: string };

const DURATION_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** All binary, as in Flink: "k", "kb" and "kib" all mean 1024. */
const MEMORY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  byte: 1,
  bytes: 1,
  ...binaryUnit(['k', 'kb', 'kib', 'kibibyte', 'kibibytes'], 1),
  ...binaryUnit(['m', 'mb', 'mib', 'mebibyte', 'mebibytes'], 2),
  ...binaryUnit(['g', 'gb', 'gib', 'gibibyte', 'gibibytes'], 3),
  ...binaryUnit(['t', 'tb', 'tib', 'tebibyte', 'tebibytes'], 4),
};

function binaryUnit(labels: string[], power: number): Record<string, number> {
  return Object.fromEntries(labels.map((l) => [l, 1024 ** power]));
}

/** Largest unit first; formatting picks the largest one that divides the value exactly. */
const DURATION_LABELS: ReadonlyArray<readonly [number, string]> = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

const MEMORY_LABELS: ReadonlyArray<readonly [number, string]> = [
  [1024 ** 4, 'TiB'],
  [1024 ** 3, 'GiB'],
  [1024 ** 2, 'MiB'],
  [1024, 'KiB'],
];

export function parseInteger(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? normalizeZero(raw) : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? normalizeZero(n) : undefined;
}

export function parseBoolean(raw: unknown): boolean | undefined {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim().toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}

/** A number is milliseconds; a string is digits with an optional unit ("500 ms", "10s", "2 min"). */
export function parseDurationMs(raw: unknown): number | undefined {
  return parseWithUnit(raw, DURATION_UNITS);
}

/** A number is bytes; a string is digits with an optional unit ("512m", "64 KiB", "1 gb"). */
export function parseMemoryBytes(raw: unknown): number | undefined {
  return parseWithUnit(raw, MEMORY_UNITS);
}

function parseWithUnit(raw: unknown, units: Readonly<Record<string, number>>): number | undefined {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? normalizeZero(raw) : undefined;
  if (typeof raw !== 'string') return undefined;
  const match = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  if (match === null) return undefined;
  const multiplier = units[(match[2] ?? '').toLowerCase()];
  if (multiplier === undefined) return undefined;
  const n = Number(match[1]) * multiplier;
  return Number.isSafeInteger(n) ? n : undefined;
}

function normalizeZero(n: number): number {
  return n === 0 ? 0 : n;
}

export function formatDuration(ms: number): string {
  return withLargestUnit(ms, DURATION_LABELS, 'ms');
}

export function formatMemorySize(bytes: number): string {
  return withLargestUnit(bytes, MEMORY_LABELS, 'bytes');
}

function withLargestUnit(n: number, labels: ReadonlyArray<readonly [number, string]>, base: string): string {
  if (n !== 0) {
    for (const [size, label] of labels) {
      if (n % size === 0) return `${n / size} ${label}`;
    }
  }
  return `${n} ${base}`;
}

/** The canonical string form: parses back to the same value (see toStringMap/fromStringMap). */
export function formatValue(spec: KeySpec, value: ConfigValue): string {
  switch (spec.type) {
    case 'duration':
      return formatDuration(value as number);
    case 'memory':
      return formatMemorySize(value as number);
    default:
      return String(value);
  }
}

/** Parses `raw` for `spec` and checks its bounds; on failure says what was expected. */
export function coerceValue(spec: KeySpec, raw: unknown): Coerced {
  switch (spec.type) {
    case 'int': {
      const n = parseInteger(raw);
      const inRange = n !== undefined && n >= spec.min && (spec.max === undefined || n <= spec.max);
      return inRange ? { ok: true, value: n } : { ok: false, expected: expectedInteger(spec.min, spec.max) };
    }
    case 'duration': {
      const ms = parseDurationMs(raw);
      if (ms === undefined || ms < spec.min) return { ok: false, expected: expectedDuration(spec.min) };
      if (ms > MAX_DURATION_MS) {
        return { ok: false, expected: `a duration of at most ${MAX_DURATION_MS} ms (the longest timer Node can set)` };
      }
      return { ok: true, value: ms };
    }
    case 'memory': {
      const bytes = parseMemoryBytes(raw);
      const inRange = bytes !== undefined && (bytes >= spec.min || (spec.zeroAllowed === true && bytes === 0));
      return inRange ? { ok: true, value: bytes } : { ok: false, expected: expectedMemory(spec.min, spec.zeroAllowed) };
    }
    case 'boolean': {
      const b = parseBoolean(raw);
      return b === undefined ? { ok: false, expected: 'true or false' } : { ok: true, value: b };
    }
    case 'enum': {
      const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
      const value =
        text === undefined ? undefined : spec.values.includes(text) ? text : spec.aliases?.[text];
      return value === undefined ? { ok: false, expected: `one of ${spec.values.join(', ')}` } : { ok: true, value };
    }
    case 'string':
      return typeof raw === 'string' ? { ok: true, value: raw } : { ok: false, expected: 'a string' };
  }
}

function expectedInteger(min: number, max: number | undefined): string {
  if (max !== undefined) return `an integer between ${min} and ${max}`;
  if (min === 1) return 'a positive integer';
  if (min === 0) return 'a non-negative integer';
  return `an integer of at least ${min}`;
}

const DURATION_EXAMPLES = "(e.g. 1000, '500 ms', '10 s', '2 min')";
const MEMORY_EXAMPLES = "(e.g. 1048576, '512 KiB', '64 MiB', '1 GiB')";

function expectedDuration(min: number): string {
  if (min === 0) return `a non-negative duration ${DURATION_EXAMPLES}`;
  if (min === 1) return `a positive duration ${DURATION_EXAMPLES}`;
  return `a duration of at least ${formatDuration(min)} ${DURATION_EXAMPLES}`;
}

function expectedMemory(min: number, zeroAllowed: boolean | undefined): string {
  if (min === 0) return `a non-negative memory size ${MEMORY_EXAMPLES}`;
  if (min === 1 && zeroAllowed !== true) return `a positive memory size ${MEMORY_EXAMPLES}`;
  const atLeast = `a memory size of at least ${formatMemorySize(min)}`;
  return `${zeroAllowed === true ? `0 or ${atLeast}` : atLeast} ${MEMORY_EXAMPLES}`;
}

/** How a refused raw value is shown after "got": strings quoted, everything else as written. */
export function renderRaw(raw: unknown): string {
  switch (typeof raw) {
    case 'string':
      return `'${JSON.stringify(raw).slice(1, -1).replaceAll('\\"', '"')}'`;
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(raw);
    case 'function':
      return 'a function';
    case 'symbol':
      return raw.toString();
    case 'object': {
      if (raw === null) return 'null';
      let json: string | undefined;
      try {
        json = JSON.stringify(raw);
      } catch {
        json = undefined;
      }
      if (json === undefined) return Array.isArray(raw) ? 'an array' : 'an object';
      return json.length > 60 ? `${json.slice(0, 57)}...` : json;
    }
  }
}
