/**
 * PUT_BATCH (proto/state.proto): a run of value PUTs to one state travels as one Arrow batch
 * of (key, time, value) rows instead of one protobuf operation per key. At the end of a bundle
 * the worker writes back every key it changed; as separate operations, encoding them cost
 * about as much as the records that changed them.
 *
 *   PUT k1 v1 t1, PUT k2 v2 t2, …   ══▶   PUT_BATCH { key: state, batch: [k1 t1 v1] [k2 t2 v2] … }
 */
import type { BatchLayout } from '../codec/batch-layout.ts';

/** The rows of a PUT_BATCH: the key column, the time as the timestamp column, the value as BYTES. */
export const PUT_BATCH_LAYOUT: BatchLayout = { value: { kind: 'BYTES' }, keyed: true, timestamped: true };

/**
 * The least number of PUTs a batch carries: a shorter run goes as plain PUTs, which cost less
 * than an Arrow stream's fixed part (its schema and metadata) for a few keys.
 */
export const MIN_PUT_BATCH_ROWS = 8;
