/**
 * What the window end-to-end tests share: the bundle settings they run under, the watermark
 * strategies of their events, and how they read what a window emitted with its timestamp.
 */
import { WatermarkStrategy, type DataStream } from '../../host/index.ts';
import { collect } from '../support/jobs.ts';
import type { Event } from './window-functions.ts';

/** One record a bundle (and a batch), and the defaults. */
export const WINDOW_SETTINGS = [
  ['bundle 1', { 'udf.bundle.size': 1, 'udf.arrow.batch.size': 1 }],
  ['bundle default', {}],
] as const;

/** Watermarks that stay behind every element until the input ends: windows and timers fire at its end only. */
export const atEnd = () => WatermarkStrategy.forBoundedOutOfOrderness<Event>(1_000_000).withTimestampAssigner((e) => e[1]);
export const monotonous = () => WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e[1]);

/** Each value with the timestamp it carries. */
export function withTimestamps<T>(stream: DataStream<T>): Array<[T, number | null]> {
  return collect(stream.process((v: T, ctx) => [[v, ctx.timestamp()] as [T, number | null]]));
}

/** A promise and its resolve. */
export function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
