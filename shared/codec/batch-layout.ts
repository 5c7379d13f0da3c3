/**
 * The shape of a Data batch (proto/data.md): which columns it has and what each row holds.
 * Columns, in this order: `key` (if keyed), `ts` (if timestamped), `value`.
 */
import type { TypeDescriptor } from '../api/types.ts';

export interface BatchLayout {
  /** The value column's type; null (or {kind:'GENERIC'}) is the generic column. */
  value: TypeDescriptor | null;
  /** Rows carry a key: column "key", Binary, bytes from encodeKey. */
  keyed: boolean;
  /** Rows carry an event-time timestamp: column "ts", Float64 nullable (ms since the epoch). */
  timestamped: boolean;
}

/**
 * A batch's keys, one per row: an array, or a received batch's KeyColumn (which makes each
 * key when asked). Either way, at(i) is the key of row i.
 */
export interface RowKeys {
  readonly length: number;
  at(index: number): Uint8Array | undefined;
}

/**
 * Rows as columns of JS values. Once a batch is handed on (emitted downstream, or to a sink),
 * no one changes its arrays: whoever receives it may read them later or keep them (a sink
 * publishes them as they are). Only a worker's input, decoded for its processor alone, is
 * consumed row by row as it runs (BundleProcessor.processInput).
 */
export interface RowBatch {
  length: number;
  values: unknown[];
  /** Present if and only if the layout is keyed. */
  keys: RowKeys | null;
  /** Present if and only if the layout is timestamped. */
  timestamps: (number | null)[] | null;
}

export const KEY_COLUMN = 'key';
export const TIMESTAMP_COLUMN = 'ts';
export const VALUE_COLUMN = 'value';
/** How errors name the timestamps column, and what it takes. */
export const TIMESTAMP_PATH = 'timestamp';
export const TIMESTAMP_EXPECTED = 'a timestamp (a number of milliseconds since the epoch, or null)';

/** The layout of timer batches (transform id "timers"): value 0 = event time, 1 = processing time. */
export const TIMERS_LAYOUT: BatchLayout = { value: { kind: 'BYTE' }, keyed: true, timestamped: true };
export const TIMER_EVENT_TIME = 0;
export const TIMER_PROCESSING_TIME = 1;

export function valueType(layout: BatchLayout): TypeDescriptor {
  return layout.value ?? { kind: 'GENERIC' };
}
