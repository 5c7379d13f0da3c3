/**
 * A task's output towards its consumers: the partitioners of Flink's record writers. Records go
 * forward (subtask i to subtask i), round-robin (rebalance: each consumer gets as many of a
 * batch's rows as Flink's record-by-record round robin would give it, as one contiguous run, so
 * that consumers share even a small input; rescale: the same over the few consumers this
 * subtask is connected to, channel-pattern.ts), by key group (hash: the key bytes a key selector
 * computed in the worker decide the consumer subtask), at random (shuffle: each row on its own,
 * from a generator seeded by the subtask, so that a job run twice splits its rows alike), or
 * to every consumer (broadcast), or to the consumer a partitionCustom() partitioner chose in the
 * worker (custom: the partition travels as the row's key).
 * Watermarks, barriers and end of input go to every consumer channel.
 */
import type { RowBatch, RowKeys } from '../../shared/codec/batch-layout.ts';
import { decodeGeneric } from '../../shared/codec/generic-value.ts';
import { ProtocolError } from '../../shared/errors/errors.ts';
import { keyGroupOf, subtaskForKeyGroup } from '../state/key-groups.ts';
import type { Partitioning } from '../graph/plan.ts';
import type { StreamChannel } from './stream-channel.ts';
import type { StreamElement } from './stream-element.ts';

export interface OutputTarget {
  partitioning: Partitioning;
  /** One channel per consumer subtask, in subtask order. */
  channels: StreamChannel[];
  /** For 'hash': the consumer's max parallelism, the key groups its subtasks split between them. */
  maxParallelism?: number;
}

export class RecordWriter {
  private roundRobin: number;
  /** State of the shuffle's xorshift32 generator (never 0). */
  private random: number;
  /** Rows written. */
  written = 0;

  constructor(
    private readonly targets: OutputTarget[],
    private readonly subtaskIndex: number,
  ) {
    this.roundRobin = subtaskIndex;
    this.random = (Math.imul(subtaskIndex + 1, 0x9e3779b1) | 0) || 1;
  }

  /** Sends a batch; returns a promise when some consumer is full (await it before the next emit). */
  emit(batch: RowBatch): void | Promise<void> {
    if (batch.length === 0) return undefined;
    this.written += batch.length;
    let waits: Promise<void>[] | null = null;
    const put = (channel: StreamChannel, b: RowBatch): void => {
      const p = channel.put({ kind: 'records', batch: b });
      if (p !== undefined) (waits ??= []).push(p);
    };
    for (const target of this.targets) {
      const channels = target.channels;
      switch (target.partitioning) {
        case 'forward':
          put(channels[this.subtaskIndex % channels.length]!, batch);
          break;
        case 'rebalance':
        case 'rescale':
          if (channels.length === 1 || batch.length === 1) put(channels[this.roundRobin++ % channels.length]!, batch);
          else {
            for (const [channel, run] of roundRobinRuns(batch, this.roundRobin, channels.length)) put(channels[channel]!, run);
            this.roundRobin += batch.length;
          }
          break;
        case 'hash':
          if (channels.length === 1) put(channels[0]!, batch);
          else for (const [i, part] of splitByKeyGroup(batch, channels.length, target.maxParallelism)) put(channels[i]!, part);
          break;
        case 'shuffle':
          if (channels.length === 1) put(channels[0]!, batch);
          else for (const [i, part] of this.splitAtRandom(batch, channels.length)) put(channels[i]!, part);
          break;
        case 'broadcast':
          // Consumers only read a batch (a pending batch copies one before appending to it).
          for (const channel of channels) put(channel, batch);
          break;
        case 'custom':
          for (const [i, part] of splitByPartition(batch, channels.length)) put(channels[i]!, part);
          break;
      }
    }
    return waits === null ? undefined : Promise.all(waits as Promise<void>[]).then(() => undefined);
  }

  broadcast(element: StreamElement): void | Promise<void> {
    let waits: Promise<void>[] | null = null;
    for (const target of this.targets) {
      for (const channel of target.channels) {
        const p = channel.put(element);
        if (p !== undefined) (waits ??= []).push(p);
      }
    }
    return waits === null ? undefined : Promise.all(waits as Promise<void>[]).then(() => undefined);
  }

  private splitAtRandom(batch: RowBatch, channels: number): Map<number, RowBatch> {
    return split(batch, () => {
      let x = this.random;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.random = x;
      return (x >>> 0) % channels;
    });
  }
}

/**
 * The rows of a partitionCustom() stage's output by the partition its partitioner chose, which
 * each row carries as its key. The worker checked the partitions; a row whose key is not one
 * is a malformed batch, refused before anything of it goes on.
 */
function splitByKeyGroup(batch: RowBatch, parallelism: number, maxParallelism: number | undefined): Map<number, RowBatch> {
  const keys = batch.keys;
  if (keys === null) throw new Error('a keyed edge received rows without keys');
  if (maxParallelism === undefined) throw new Error("a keyed edge's target has no max parallelism");
  return split(batch, (i) => subtaskForKeyGroup(keyGroupOf(keys.at(i)!, maxParallelism), maxParallelism, parallelism));
}

function splitByPartition(batch: RowBatch, partitions: number): Map<number, RowBatch> {
  const keys = batch.keys;
  if (keys === null) throw new ProtocolError('a custom-partitioned batch came without partitions');
  const chosen = new Int32Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const p = decodeGeneric(keys.at(i)!);
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= partitions) {
      const shown = typeof p === 'string' ? `'${p}'` : String(p);
      throw new ProtocolError(`a custom-partitioned row names partition ${shown}, not one of 0 to ${partitions - 1}`);
    }
    chosen[i] = p;
  }
  return split(batch, (i) => chosen[i]!);
}

/** The rows of `batch` by the channel `channelOf` gives each, in their order. */
function split(batch: RowBatch, channelOf: (row: number) => number): Map<number, RowBatch> {
  const keys = batch.keys;
  const parts = new Map<number, RowBatch & { keys: Uint8Array[] | null }>();
  for (let i = 0; i < batch.length; i++) {
    const channel = channelOf(i);
    let part = parts.get(channel);
    if (part === undefined) {
      part = { length: 0, values: [], keys: keys === null ? null : [], timestamps: batch.timestamps === null ? null : [] };
      parts.set(channel, part);
    }
    part.values.push(batch.values[i]);
    part.keys?.push(keys!.at(i)!);
    part.timestamps?.push(batch.timestamps![i] ?? null);
    part.length++;
  }
  return parts;
}

/**
 * Record-by-record round robin from `next` would send row k to channel (next + k) % channels:
 * each channel gets that many rows, as one contiguous run, channels taken in that turn order.
 */
function roundRobinRuns(batch: RowBatch, next: number, channels: number): [number, RowBatch][] {
  const runs: [number, RowBatch][] = [];
  const base = Math.floor(batch.length / channels);
  const extra = batch.length % channels;
  const keys = batch.keys;
  for (let turn = 0, from = 0; turn < channels && from < batch.length; turn++) {
    const to = from + base + (turn < extra ? 1 : 0);
    runs.push([
      (next + turn) % channels,
      {
        length: to - from,
        values: batch.values.slice(from, to),
        keys: keys === null ? null : runKeys(keys, from, to),
        timestamps: batch.timestamps === null ? null : batch.timestamps.slice(from, to),
      },
    ]);
    from = to;
  }
  return runs;
}

function runKeys(keys: RowKeys, from: number, to: number): RowKeys {
  return { length: to - from, at: (i: number) => (i >= 0 && i < to - from ? keys.at(from + i) : undefined) };
}
