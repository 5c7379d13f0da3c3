/**
 * The job's configuration: every value validated when it is set, each kept with the source it
 * came from so an error can say where a bad value was written.
 *
 * Precedence does not depend on the order of calls: the host reads -D and the config file
 * before the job's code runs, yet -D must still win over `env.configure(...)`. A value from a
 * lower-precedence source never replaces one from a higher source; within one source the
 * later value wins.
 *   default < file (--config) < code (env.configure, setParallelism...) < command-line (-D)
 */
import { ConfigError } from '../errors/errors.ts';
import { suggestKey } from './key-suggestion.ts';
import {
  CONFIG_KEYS,
  isConfigKey,
  type ConfigKey,
  type ConfigValue,
  type ConfigValueOf,
} from './keys.ts';
import { coerceValue, formatValue, renderRaw } from './values.ts';

export type ConfigSource = 'default' | 'file' | 'code' | 'command-line';

const PRECEDENCE: Readonly<Record<ConfigSource, number>> = { default: 0, file: 1, code: 2, 'command-line': 3 };

interface Entry {
  readonly value: ConfigValue;
  readonly source: ConfigSource;
  /** File name (and line) for 'file', the call site or sender for 'code'. */
  readonly origin: string | undefined;
}

export class Configuration {
  // Invariant: holds only known keys, with values already parsed and within their bounds.
  private readonly entries = new Map<ConfigKey, Entry>();

  /** Validates the key and the value now; throws ConfigError naming both. */
  set(key: string, value: unknown, source: ConfigSource = 'code', origin?: string): this {
    if (!isConfigKey(key)) {
      const suggestion = suggestKey(key);
      const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
      throw new ConfigError(key, `unknown configuration key '${key}'${hint}${sourceSuffix(source, origin)}`);
    }
    const coerced = coerceValue(CONFIG_KEYS[key], value);
    if (!coerced.ok) {
      throw new ConfigError(
        key,
        `${key} must be ${coerced.expected}, got ${renderRaw(value)}${sourceSuffix(source, origin)}`,
      );
    }
    const existing = this.entries.get(key);
    if (existing === undefined || PRECEDENCE[source] >= PRECEDENCE[existing.source]) {
      this.entries.set(key, { value: coerced.value, source, origin });
    }
    return this;
  }

  setAll(map: Readonly<Record<string, unknown>>, source: ConfigSource = 'code', origin?: string): this {
    for (const [key, value] of Object.entries(map)) this.set(key, value, source, origin);
    return this;
  }

  get<K extends ConfigKey>(key: K): ConfigValueOf<K> {
    if (!isConfigKey(key)) throw new ConfigError(key, `unknown configuration key '${String(key)}'`);
    const entry = this.entries.get(key);
    return (entry === undefined ? CONFIG_KEYS[key].default : entry.value) as ConfigValueOf<K>;
  }

  /** True if the key was set explicitly, from any source. */
  has(key: string): boolean {
    return isConfigKey(key) && this.entries.has(key);
  }

  /** Where the value in effect came from: 'default' if it was never set. */
  sourceOf(key: ConfigKey): ConfigSource {
    return this.entries.get(key)?.source ?? 'default';
  }

  /** Rules between keys; single values were checked when set. Throws ConfigError. */
  validate(): void {
    const interval = this.get('udf.worker.heartbeat-interval');
    const timeout = this.get('udf.worker.heartbeat-timeout');
    if (timeout <= interval) {
      throw new ConfigError(
        'udf.worker.heartbeat-timeout',
        `${this.describe('udf.worker.heartbeat-timeout')} must be greater than ${this.describe('udf.worker.heartbeat-interval')}`,
      );
    }
    // Unset, each operator's max parallelism is derived from its parallelism (the planner's job).
    const parallelism = this.get('parallelism.default');
    const maxParallelism = this.get('pipeline.max-parallelism');
    if (this.has('pipeline.max-parallelism') && maxParallelism < parallelism) {
      throw new ConfigError(
        'pipeline.max-parallelism',
        `${this.describe('pipeline.max-parallelism')} must be at least ${this.describe('parallelism.default')}`,
      );
    }
  }

  /** Rows per Arrow batch in effect: a batch never spans more than one bundle. */
  effectiveArrowBatchSize(): number {
    return Math.min(this.get('udf.arrow.batch.size'), this.get('udf.bundle.size'));
  }

  /** The explicitly set entries in canonical string form, sorted by key; what workers receive. */
  toStringMap(): Record<string, string> {
    const map: Record<string, string> = {};
    for (const key of [...this.entries.keys()].sort()) {
      map[key] = formatValue(CONFIG_KEYS[key], this.entries.get(key)!.value);
    }
    return map;
  }

  /** The worker's side of toStringMap. */
  static fromStringMap(map: Readonly<Record<string, string>>): Configuration {
    return new Configuration().setAll(map, 'code', 'the host');
  }

  clone(): Configuration {
    const copy = new Configuration();
    for (const [key, entry] of this.entries) copy.entries.set(key, entry);
    return copy;
  }

  /** Takes `other`'s explicitly set values unless this one holds a value from a higher source. */
  merge(other: Configuration): this {
    for (const [key, entry] of other.entries) {
      const existing = this.entries.get(key);
      if (existing === undefined || PRECEDENCE[entry.source] >= PRECEDENCE[existing.source]) {
        this.entries.set(key, entry);
      }
    }
    return this;
  }

  /** "udf.bundle.size (5, from -D on the command line)", for messages about several keys. */
  private describe(key: ConfigKey): string {
    const entry = this.entries.get(key);
    const value = formatValue(CONFIG_KEYS[key], this.get(key));
    const where = entry === undefined ? 'the default' : sourceText(entry.source, entry.origin);
    return `${key} (${value}, ${where})`;
  }
}

function sourceText(source: ConfigSource, origin: string | undefined): string {
  switch (source) {
    case 'default':
      return 'the default';
    case 'file':
      return `from config file ${origin ?? '(unnamed)'}`;
    case 'code':
      return origin === undefined ? 'set in code' : `from ${origin}`;
    case 'command-line':
      return 'from -D on the command line';
  }
}

function sourceSuffix(source: ConfigSource, origin: string | undefined): string {
  return source === 'default' ? '' : ` (${sourceText(source, origin)})`;
}
