import type { RowBatch } from '../../shared/codec/batch-layout.ts';

/**
 * What flows between the host's tasks: batches of rows, and the control elements that travel
 * in line with them, as in Flink (watermarks, checkpoint barriers, end of input).
 */
export type StreamElement =
  | { readonly kind: 'records'; readonly batch: RowBatch }
  | { readonly kind: 'watermark'; readonly timestamp: number }
  /** A channel stops (active: false) or resumes holding back the watermark (withIdleness). */
  | { readonly kind: 'status'; readonly active: boolean }
  | { readonly kind: 'barrier'; readonly checkpointId: number }
  | { readonly kind: 'end' };

export const END: StreamElement = { kind: 'end' };

/** Which input of its task a channel feeds: 2 for the second input of a two-input stage (connect()), else 1. */
export type InputNumber = 1 | 2;

/**
 * What an input gate hands its task: the control elements merged over all its channels, and
 * records tagged with the input they came in on (the same batch object, never copied).
 */
export type GateElement =
  | Exclude<StreamElement, { readonly kind: 'records' }>
  | { readonly kind: 'records'; readonly batch: RowBatch; readonly input: InputNumber };
