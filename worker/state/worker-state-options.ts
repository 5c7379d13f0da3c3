import { ConfigError } from '../../shared/errors/errors.ts';
import { genericCopy } from '../../shared/codec/generic-copy.ts';
import { decodeGeneric, encodeGeneric } from '../../shared/codec/generic-value.ts';
import type { GenericWriter } from '../../shared/codec/generic-writer.ts';

export interface WorkerStateOptions {
  /** udf.state.cache-size: max cached states (entries); 0 = no cache. */
  cacheSize: number;
  /**
   * udf.state.cache-max-bytes: the cache is also bounded by bytes, estimated from encoded sizes
   * (a count-only bound let large states exhaust memory: FLINK-37205).
   */
  cacheMaxBytes: number;
  /** udf.map-state.read-cache-size: per map, entries read from the host kept cached. */
  mapReadCacheSize: number;
  /** udf.map-state.write-cache-size: per map, pending writes held before they are flushed. */
  mapWriteCacheSize: number;
  /** udf.map-state.iterate-response-batch-size: entries per MAP_ITERATE page. */
  iterateBatchSize: number;
  /** Writes held before a batch is sent without waiting for a reason to (default DEFAULT_WRITE_BATCH_SIZE). */
  writeBatchSize?: number;
  /** Milliseconds since the epoch, for TTL; default Date.now. */
  clock?: () => number;
}

/** Encodes state values and map keys; equal keys must encode to equal bytes. */
export interface StateValueCodec {
  encode(value: unknown): Uint8Array;
  /** Appends to `writer` the bytes encode(value) returns (a write-back builds its columns so). */
  encodeInto(value: unknown, writer: GenericWriter): void;
  decode(bytes: Uint8Array): unknown;
  /**
   * decode(encode(value)) made without the bytes, or NO_COPY (shared/codec/generic-copy.ts) for
   * a value whose round trip is not a plain copy; absent: objects always take the round trip.
   * `reuse` is an earlier copy no one else holds, which the copy may be written into.
   */
  copy?(value: unknown, reuse?: unknown): unknown;
}

/** The generic encoding (proto/generic-value.md): what workers use. */
export const GENERIC_STATE_CODEC: StateValueCodec = {
  encode: encodeGeneric,
  encodeInto: (value, writer) => writer.write(value),
  decode: decodeGeneric,
  copy: genericCopy,
};

/**
 * A bundle's write-back goes in as few requests as this allows: every request costs both sides
 * a round of the State service and the host a plan, and a keyed count over 10,000 keys spent
 * about 0.1 µs a record more in requests of 1,000 PUTs than in one (benchmarks/RESULTS.md,
 * twentieth round). The host applies a request at once: 10,000 small PUTs take it ~7 ms.
 */
export const DEFAULT_WRITE_BATCH_SIZE = 10_000;
/** A request's writes are also cut at this many encoded bytes, to stay far below message limits. */
export const WRITE_BATCH_MAX_BYTES = 1 << 20;

export function checkWorkerStateOptions(o: WorkerStateOptions): void {
  nonNegativeInteger('udf.state.cache-size', o.cacheSize);
  nonNegativeInteger('udf.map-state.read-cache-size', o.mapReadCacheSize);
  nonNegativeInteger('udf.map-state.write-cache-size', o.mapWriteCacheSize);
  positiveInteger('udf.map-state.iterate-response-batch-size', o.iterateBatchSize);
  if (o.iterateBatchSize > 0xffffffff) {
    throw new ConfigError(
      'udf.map-state.iterate-response-batch-size',
      `udf.map-state.iterate-response-batch-size must fit in 32 bits, got ${o.iterateBatchSize}`,
    );
  }
  if (o.cacheSize > 0 && !(typeof o.cacheMaxBytes === 'number' && o.cacheMaxBytes > 0)) {
    throw new ConfigError(
      'udf.state.cache-max-bytes',
      `udf.state.cache-max-bytes must be a positive number of bytes, got ${String(o.cacheMaxBytes)}`,
    );
  }
  if (o.writeBatchSize !== undefined) positiveInteger('writeBatchSize', o.writeBatchSize);
}

function nonNegativeInteger(key: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(key, `${key} must be a non-negative integer, got ${String(value)}`);
  }
}

function positiveInteger(key: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(key, `${key} must be a positive integer, got ${String(value)}`);
  }
}
