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
