/**
 * Every configuration key Sluice knows, with its type, default, bounds and a one-line
 * description. The `udf.*` keys mirror PyFlink's `python.*` keys; the rest are Flink's own
 * names. This table is the single source of truth: the typed `get`, validation, the error
 * messages and docs/configuration.md all follow from it.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

export interface IntKeySpec {
  readonly type: 'int';
  readonly default: number;
  readonly min: number;
  readonly max?: number;
  readonly description: string;
}

/** A duration, held as whole milliseconds. */
export interface DurationKeySpec {
  readonly type: 'duration';
  readonly default: number;
  readonly min: number;
  readonly description: string;
}

/** A memory size, held as bytes. `zeroAllowed` lets 0 stand for "no limit" below `min`. */
export interface MemoryKeySpec {
  readonly type: 'memory';
  readonly default: number;
  readonly min: number;
  readonly zeroAllowed?: boolean;
  readonly description: string;
}

export interface BooleanKeySpec {
  readonly type: 'boolean';
  readonly default: boolean;
  readonly description: string;
}

/** Accepted case-insensitively; an alias is stored as the value it stands for. */
export interface EnumKeySpec {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly aliases?: Readonly<Record<string, string>>;
  readonly default: string;
  readonly description: string;
}

export interface StringKeySpec {
  readonly type: 'string';
  readonly default: string;
  readonly description: string;
}

export type KeySpec = IntKeySpec | DurationKeySpec | MemoryKeySpec | BooleanKeySpec | EnumKeySpec | StringKeySpec;

export const CONFIG_KEYS = {
  'udf.execution-mode': {
    type: 'enum',
    values: ['process', 'thread', 'embedded'],
    default: 'process',
    description: 'Where user functions run: separate worker processes, worker threads, or on the host thread (debugging only).',
  },
  'udf.bundle.size': {
    type: 'int',
    default: 100_000,
    min: 1,
    description: 'Elements (fired timers included) after which a bundle is finished.',
  },
  'udf.bundle.time': {
    type: 'duration',
    default: 1000,
    min: 1,
    description: 'Time after which an open bundle is finished even if it is not full.',
  },
  'udf.arrow.batch.size': {
    type: 'int',
    default: 10_000,
    min: 1,
    description: 'Rows per Arrow batch sent to a worker; capped to udf.bundle.size.',
  },
  'udf.state.cache-size': {
    type: 'int',
    // PyFlink's python.state.cache-size is 1000, a count-only bound. Ours is also bounded by
    // bytes (udf.state.cache-max-bytes), so the count can be large enough for a job's working
    // set of keys: a cache smaller than the keys a bundle cycles through misses on every read.
    default: 100_000,
    min: 0,
    description: "States the worker keeps in its LRU cache; 0 turns the worker's state cache off.",
  },
  'udf.state.cache-max-bytes': {
    type: 'memory',
    default: 64 * MiB,
    min: 1,
    description: "Upper bound on the memory the worker's state cache may hold.",
  },
  'udf.map-state.read-cache-size': {
    type: 'int',
    default: 1000,
    min: 1,
    description: 'MapState entries the worker caches for reads, per state.',
  },
  'udf.map-state.write-cache-size': {
    type: 'int',
    default: 1000,
    min: 1,
    description: 'MapState writes the worker buffers before sending them to the host.',
  },
  'udf.map-state.iterate-response-batch-size': {
    type: 'int',
    default: 1000,
    min: 1,
    max: 0xffff_ffff,
    description: 'MapState entries the host returns per page when a worker iterates a map.',
  },
  'udf.operator-chaining.enabled': {
    type: 'boolean',
    default: true,
    description: 'Whether consecutive user functions are chained into one worker round trip.',
  },
  'udf.worker.memory-limit': {
    type: 'memory',
    default: 0,
    min: 16 * MiB,
    zeroAllowed: true,
    description: "Heap limit of each worker; 0 means no limit beyond V8's default.",
  },
  'udf.thread.spin-time': {
    type: 'duration',
    default: 0,
    min: 0,
    description:
      "Thread mode: how long a side keeps polling for the other's answer after sending, instead of sleeping, while answers come within it; 0 never polls.",
  },
  'udf.process.data-thread': {
    type: 'boolean',
    default: true,
    description:
      "Process mode: whether each worker moves its Data streams through a thread of its own, leaving its main thread to the functions; off saves that thread's CPU where functions are very cheap and every core is busy.",
  },
  'udf.worker.heartbeat-interval': {
    type: 'duration',
    default: 1000,
    min: 1,
    description: 'How often the host checks that each worker is alive.',
  },
  'udf.worker.heartbeat-timeout': {
    type: 'duration',
    default: 30_000,
    min: 1,
    description: 'Silence after which a worker is declared hung; must exceed the heartbeat interval.',
  },
  'udf.worker.startup-timeout': {
    type: 'duration',
    default: 60_000,
    min: 1,
    description:
      'Time a worker has to connect, from when its start begins (a job starts two workers per core at once); then, again, ' +
      'to load its functions and run their open() (in embedded mode too, unless a debugger is attached), past which the job fails as a start-up failure.',
  },
  'udf.worker.startup-attempts': {
    type: 'int',
    default: 3,
    min: 1,
    description: 'Attempts in a row that fail during start-up (before every function is loaded and opened) before the job stops restarting.',
  },
  'task.cancellation.timeout': {
    type: 'duration',
    // Flink's default is 3 min, for a whole TaskManager; here the job's cancel() waits for it.
    default: 10_000,
    min: 1,
    description:
      "Time an attempt that stops early (cancelled, or failed) gives its functions' close() before their workers are killed.",
  },
  'udf.in-flight.max-batches': {
    type: 'int',
    default: 8,
    min: 1,
    description:
      'Data batches sent to a worker and not yet processed, at most. Beyond 2, only while udf.in-flight.target-time allows.',
  },
  'udf.in-flight.max-bytes': {
    type: 'memory',
    default: 16 * MiB,
    min: KiB,
    description: 'Bytes of data batches sent to a worker and not yet processed, at most.',
  },
  'udf.in-flight.target-time': {
    type: 'duration',
    default: 20,
    min: 1,
    description:
      'Time the worker is estimated to need for the batches in flight, at most, once there are 2: more batches keep a worker with cheap rows busy, fewer keep a checkpoint barrier from waiting behind costly ones.',
  },
  'udf.failure-policy': {
    type: 'enum',
    values: ['fail', 'restart', 'skip'],
    default: 'fail',
    description: 'What a failing user function does to the job: fail it, restart it, or skip the record.',
  },
  'parallelism.default': {
    type: 'int',
    default: 1,
    min: 1,
    description: 'Parallelism of operators that do not set their own.',
  },
  'pipeline.max-parallelism': {
    type: 'int',
    default: 128,
    min: 1,
    max: 32_768,
    description:
      "Number of key groups; the highest parallelism a keyed operator can be rescaled to. When not set, each operator's is derived from its parallelism as in Flink (1.5 × parallelism rounded up to a power of two, at least 128, at most 32768), and a job resumed from a checkpoint keeps the one its keyed state was written with.",
  },
  'pipeline.auto-watermark-interval': {
    type: 'duration',
    default: 200,
    min: 0,
    description: 'How often periodic watermarks are emitted; 0 turns periodic watermarks off.',
  },
  'execution.runtime-mode': {
    type: 'enum',
    values: ['streaming', 'batch', 'automatic'],
    default: 'streaming',
    description:
      "How a job runs (Flink's RuntimeExecutionMode, any case): streaming; batch, for a job whose sources are all bounded (rolling aggregations emit only each key's final value, no watermark goes out before the end of input, where every timer fires; checkpointing is off); automatic: batch when every source is bounded.",
  },
  'execution.checkpointing.interval': {
    type: 'duration',
    default: 0,
    min: 0,
    description: 'Time between checkpoints; 0 disables checkpointing.',
  },
  'execution.checkpointing.timeout': {
    type: 'duration',
    default: 600_000,
    min: 1,
    description: 'Time after which a checkpoint in progress is abandoned.',
  },
  'execution.checkpointing.min-pause': {
    type: 'duration',
    default: 0,
    min: 0,
    description: 'Least time between the end of one checkpoint and the start of the next.',
  },
  'state.checkpoints.dir': {
    type: 'string',
    default: '',
    description: 'Directory checkpoints are written to.',
  },
  'execution.savepoint.path': {
    type: 'string',
    default: '',
    description: 'Checkpoint to resume from: a chk-<n> directory, or a checkpoint directory (its latest complete checkpoint).',
  },
  'execution.savepoint.ignore-unclaimed-state': {
    type: 'boolean',
    default: false,
    description:
      "Resume even if the checkpoint holds state (keyed state, timers, a sink's uncommitted output) that no operator of the job claims, dropping that state; without it such a resume fails before the job starts.",
  },
  'state.checkpoints.num-retained': {
    type: 'int',
    default: 1,
    min: 1,
    description: 'Completed checkpoints kept on disk.',
  },
  'restart-strategy.type': {
    type: 'enum',
    values: ['none', 'fixed-delay', 'failure-rate'],
    aliases: { off: 'none', disable: 'none', fixeddelay: 'fixed-delay', failurerate: 'failure-rate' },
    default: 'none',
    description: 'How a failed job is restarted: not at all, a fixed number of times, or while failures stay below a rate.',
  },
  'restart-strategy.fixed-delay.attempts': {
    type: 'int',
    default: 1,
    min: 1,
    description: 'Restarts the fixed-delay strategy attempts before the job fails for good.',
  },
  'restart-strategy.fixed-delay.delay': {
    type: 'duration',
    default: 1000,
    min: 0,
    description: 'Wait before each restart under the fixed-delay strategy.',
  },
  'restart-strategy.failure-rate.max-failures-per-interval': {
    type: 'int',
    default: 1,
    min: 1,
    description: 'Failures within one interval the failure-rate strategy tolerates.',
  },
  'restart-strategy.failure-rate.failure-rate-interval': {
    type: 'duration',
    default: 60_000,
    min: 1,
    description: 'Window over which the failure-rate strategy counts failures.',
  },
  'restart-strategy.failure-rate.delay': {
    type: 'duration',
    default: 1000,
    min: 0,
    description: 'Wait before each restart under the failure-rate strategy.',
  },
  'metrics.reporter.log.interval': {
    type: 'duration',
    default: 0,
    min: 0,
    description:
      "How often each operator's user-defined metrics are written to the host's log at INFO, as Flink's Slf4jReporter does; 0 turns the log reporter off.",
  },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

type SpecOf<K extends ConfigKey> = (typeof CONFIG_KEYS)[K];

/** number for ints, durations (ms) and memory sizes (bytes); a literal union for enums. */
export type ConfigValueOf<K extends ConfigKey> =
  SpecOf<K> extends { type: 'enum'; values: readonly (infer V)[] }
    ? V
    : SpecOf<K> extends { type: 'boolean' }
      ? boolean
      : SpecOf<K> extends { type: 'string' }
        ? string
        : number;

export type ConfigValue = number | boolean | string;

export const CONFIG_KEY_NAMES: readonly ConfigKey[] = Object.keys(CONFIG_KEYS) as ConfigKey[];

export function isConfigKey(key: string): key is ConfigKey {
  return Object.hasOwn(CONFIG_KEYS, key);
}

export function keySpec(key: ConfigKey): KeySpec {
  return CONFIG_KEYS[key];
}
